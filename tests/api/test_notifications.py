"""Payment notifications posted to a client's endpoint: a real HTTP server started by the test
receives them, checks their signature without the portal's code, fails on purpose to see them
retried, given up and re-sent by hand; and the events come from paying, partly paying,
refunding and cancelling a bill."""

from __future__ import annotations

import ipaddress
import json
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from collection import selectors, services
from collection.models import Obligation
from govportal.accounts.constants import Role
from govportal.api import notifications
from govportal.api.constants import DeliveryStatus
from govportal.api.models import ApiClient, NotificationDelivery
from govportal.audit.models import AuditEvent
from govportal.notifications.models import Notification
from tests.api.notify_world import Receiver, signed_by
from tests.collection.payments_world import paid
from tests.factories import EntityFactory, MembershipFactory, bill

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def posted_by(monkeypatch: pytest.MonkeyPatch) -> Callable[[Obligation, ApiClient], None]:
    """Mark a bill as posted through the API by a client, as the bills API records it (its
    ``Obligation.api_client``, read by ``collection.selectors.bill_api_client``)."""
    owners: dict[Any, ApiClient] = {}
    real = selectors.bill_api_client
    monkeypatch.setattr(selectors, "bill_api_client", lambda bill: owners.get(bill.pk) or real(bill))

    def attach(bill: Obligation, client: ApiClient) -> None:
        if any(field.name == "api_client" for field in Obligation._meta.get_fields()):
            Obligation.objects.filter(pk=bill.pk).update(api_client=client)
        else:
            owners[bill.pk] = client

    return attach


@pytest.fixture
def agency(db: Any, api_client_of: Any, receiver: Receiver, settings: Any) -> dict[str, Any]:
    """An electricity directorate whose billing system has an endpoint (the test's server)."""
    settings.API_NOTIFICATION_HTTP_LOOPBACK = True
    entity = EntityFactory(code="ELEC-BGD")
    head = MembershipFactory(entity=entity, role=Role.ENTITY_HEAD)
    client, _secret = api_client_of("bills:write", entity=entity)
    signing = notifications.notification_endpoint_set(client=client, url=receiver.url, actor=head.user)
    assert signing and signing.startswith("whsec_")
    client.refresh_from_db()
    return {"entity": entity, "head": head, "client": client, "secret": signing}


def send(agency: dict[str, Any], capture: Any, **data: Any) -> NotificationDelivery:
    """A notification queued and (after commit, in-process) attempted once."""
    with capture(execute=True):
        delivery = notifications.notification_send(
            client=agency["client"], event="bill.paid", data=data or {"bill": {"reference": "EL-1"}}, subject="EL-1"
        )
    assert delivery is not None
    delivery.refresh_from_db()
    return delivery


def due_send(capture: Any) -> int:
    """What the sweep every minute does: queue (here, attempt) every delivery that is due."""
    with capture(execute=True):
        return notifications.notifications_due_send()


def wait_until_due(delivery: NotificationDelivery) -> None:
    delivery.refresh_from_db()
    assert delivery.next_attempt_at is not None
    from django.utils import timezone

    time.sleep(max(0.0, (delivery.next_attempt_at - timezone.now()).total_seconds()) + 0.05)


# --- the post, its body and signature ---------------------------------------------------------------


def test_a_notification_reaches_the_endpoint_signed_with_the_clients_own_secret(
    agency, receiver, django_capture_on_commit_callbacks
):
    delivery = send(agency, django_capture_on_commit_callbacks)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert (delivery.attempts, delivery.last_status_code) == (1, 200)
    [(headers, body)] = receiver.received
    assert signed_by(agency["secret"], headers, body)
    assert not signed_by("whsec_someone-else", headers, body)
    payload = json.loads(body)
    assert payload["id"] == headers["X-Event-Id"] == str(delivery.pk)
    assert payload["type"] == "bill.paid"
    assert payload["created_at"].endswith("Z")
    assert payload["data"] == {"bill": {"reference": "EL-1"}}
    assert headers["Content-Type"] == "application/json"


def test_the_signing_secret_is_kept_encrypted_and_a_rotated_one_signs_from_then_on(
    agency, receiver, django_capture_on_commit_callbacks
):
    client = agency["client"]
    assert agency["secret"].encode() not in bytes(client.notify_secret_sealed)
    new = notifications.notification_secret_rotate(client=client, actor=agency["head"].user)
    send(agency, django_capture_on_commit_callbacks)
    [(headers, body)] = receiver.received
    assert signed_by(new, headers, body) and not signed_by(agency["secret"], headers, body)
    assert AuditEvent.objects.filter(action="api_notify_secret_rotate").count() == 1


def test_a_500_is_retried_after_a_pause_and_the_retry_is_the_same_event(
    agency, receiver, settings, django_capture_on_commit_callbacks
):
    settings.API_NOTIFICATION_RETRY_FIRST = 1
    receiver.answers = [500]
    delivery = send(agency, django_capture_on_commit_callbacks)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.PENDING, 1, 500)
    assert delivery.last_error == "HTTP 500 Internal Server Error"
    assert due_send(django_capture_on_commit_callbacks) == 0  # not before its pause
    wait_until_due(delivery)
    assert due_send(django_capture_on_commit_callbacks) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 2, 200)
    (first_headers, first), (second_headers, second) = receiver.received
    assert first == second and first_headers["X-Event-Id"] == second_headers["X-Event-Id"]
    assert signed_by(agency["secret"], second_headers, second)


def test_an_endpoint_that_does_not_answer_is_retried(agency, receiver, settings, django_capture_on_commit_callbacks):
    settings.API_NOTIFICATION_TIMEOUT = 1
    receiver.stop()  # nothing listens there any more
    delivery = send(agency, django_capture_on_commit_callbacks)
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_status_code is None
    assert delivery.last_error.startswith("ConnectError")


def test_a_name_that_resolves_to_a_private_address_is_never_posted_to(
    agency, receiver, settings, django_capture_on_commit_callbacks
):
    """The name passed when it was registered; now it resolves to a loopback address (as a rebound
    name would): nothing is posted there, whatever the scheme, and the log says why."""
    host = socket.gethostname()
    assert not ipaddress.ip_address(socket.gethostbyname(host)).is_global, "this machine's name must be private"
    port = receiver.server.server_address[1]
    ApiClient.objects.filter(pk=agency["client"].pk).update(notify_url=f"http://{host}:{port}/notify")
    settings.API_NOTIFICATION_HTTP_LOOPBACK, settings.API_NOTIFICATION_RETRY_FIRST = False, 1  # production
    delivery = send(agency, django_capture_on_commit_callbacks)
    assert receiver.received == []
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_status_code is None
    assert "which is not a public address" in delivery.last_error
    # the same endpoint where development allows loopback: it is the check that stopped it
    settings.API_NOTIFICATION_HTTP_LOOPBACK = True
    wait_until_due(delivery)
    assert due_send(django_capture_on_commit_callbacks) == 1
    assert len(receiver.received) == 1


def test_the_pauses_double_up_to_the_cap_with_jitter(settings):
    settings.API_NOTIFICATION_RETRY_FIRST, settings.API_NOTIFICATION_RETRY_CAP = 60, 3600
    for attempts, full in [(1, 60), (2, 120), (3, 240), (6, 1920), (7, 3600), (30, 3600)]:
        delays = {notifications.retry_delay(attempts) for _ in range(20)}
        assert all(0.75 * full <= delay <= full for delay in delays)
        assert len(delays) > 1


def test_given_up_after_the_limit_flagged_and_the_head_told_once(
    agency, receiver, settings, django_capture_on_commit_callbacks
):
    settings.API_NOTIFICATION_RETRY_FIRST, settings.API_NOTIFICATION_RETRY_CAP = 1, 1
    settings.API_NOTIFICATION_GIVE_UP_AFTER = 2
    receiver.answers = [503] * 20
    delivery = send(agency, django_capture_on_commit_callbacks)
    deadline = time.monotonic() + 15
    while delivery.status == DeliveryStatus.PENDING and time.monotonic() < deadline:
        wait_until_due(delivery)
        due_send(django_capture_on_commit_callbacks)
        delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.given_up_at is not None and delivery.next_attempt_at is None
    assert 2 <= delivery.attempts == len(receiver.received) <= 5
    assert due_send(django_capture_on_commit_callbacks) == 0  # nothing more is tried
    assert AuditEvent.objects.filter(action="api_notification_give_up").count() == 1
    told = Notification.objects.filter(user=agency["head"].user)
    assert told.count() == 1 and "failed" in told.get().url
    # A second one given up the same day: flagged too, but the head is not told again.
    settings.API_NOTIFICATION_GIVE_UP_AFTER = 0
    other = send(agency, django_capture_on_commit_callbacks)
    assert other.status == DeliveryStatus.FAILED
    assert told.count() == 1


def test_resent_by_hand_from_the_staff_page_and_audited(
    agency, receiver, settings, staff_client, django_capture_on_commit_callbacks
):
    settings.API_NOTIFICATION_GIVE_UP_AFTER = 0
    receiver.answers = [500]
    delivery = send(agency, django_capture_on_commit_callbacks)
    assert delivery.status == DeliveryStatus.FAILED
    officer = MembershipFactory(entity=agency["entity"], role=Role.FUND_OFFICER)
    browser = staff_client(officer)
    page = browser.get(f"/staff/api/notifications/{delivery.pk}/")
    assert page.status_code == 200 and f'action="/staff/api/notifications/{delivery.pk}/resend/"' in page.text
    settings.API_NOTIFICATION_GIVE_UP_AFTER = 3600
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(f"/staff/api/notifications/{delivery.pk}/resend/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.given_up_at) == (DeliveryStatus.DELIVERED, 2, None)
    assert len(receiver.received) == 2 and receiver.received[0][1] == receiver.received[1][1]
    resent = AuditEvent.objects.get(action="api_notification_resend")
    assert resent.actor == officer.user and resent.data["was"] == "failed"


def test_the_delivery_log_is_the_entitys_own(agency, receiver, staff_client, django_capture_on_commit_callbacks):
    delivery = send(agency, django_capture_on_commit_callbacks)
    auditor = MembershipFactory(entity=agency["entity"], role=Role.AUDITOR)
    browser = staff_client(auditor)
    page = browser.get("/staff/api/notifications/")
    assert page.status_code == 200
    assert "EL-1" in page.text and f"/staff/api/notifications/{delivery.pk}/" in page.text
    detail = browser.get(f"/staff/api/notifications/{delivery.pk}/")
    assert "/resend/" not in detail.text  # an auditor reads, does not act
    assert browser.post(f"/staff/api/notifications/{delivery.pk}/resend/").status_code == 403
    with pytest.raises(PermissionDenied):
        notifications.notification_resend(delivery=delivery, actor=auditor.user)
    stranger = staff_client(MembershipFactory(role=Role.FUND_OFFICER))
    assert stranger.get(f"/staff/api/notifications/{delivery.pk}/").status_code == 404
    assert stranger.post(f"/staff/api/notifications/{delivery.pk}/resend/").status_code == 404
    assert "EL-1" not in stranger.get("/staff/api/notifications/").text


def test_the_admin_shows_the_log_read_only_and_re_sends(agency, receiver, settings, django_capture_on_commit_callbacks):
    from django.test import Client

    from tests.factories import PASSWORD, UserFactory, current_totp

    settings.API_NOTIFICATION_GIVE_UP_AFTER = 0
    receiver.answers = [500]
    delivery = send(agency, django_capture_on_commit_callbacks)
    admin = UserFactory(is_staff=True, is_superuser=True, with_totp=True)
    browser = Client()
    browser.post("/accounts/login/", {"login": admin.email, "password": PASSWORD})
    browser.post("/accounts/2fa/authenticate/", {"code": current_totp(admin)})
    url = "/admin/api/notificationdelivery/"
    assert browser.get(url).status_code == 200
    assert browser.get(f"{url}{delivery.pk}/change/").status_code == 200
    settings.API_NOTIFICATION_GIVE_UP_AFTER = 3600
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(url, {"action": "resend", "_selected_action": [str(delivery.pk)]})
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert AuditEvent.objects.get(action="api_notification_resend").actor == admin


# --- the endpoint ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "loopback_http", "accepted"),
    [
        ("https://billing.elec.gov.iq/notify", False, True),
        ("http://billing.elec.gov.iq/notify", False, False),
        ("http://billing.elec.gov.iq/notify", True, False),  # plain HTTP only to loopback, even in development
        ("http://127.0.0.1:8080/notify", True, True),
        ("http://127.0.0.1:8080/notify", False, False),
        ("https://10.0.0.5/notify", False, False),  # a private address, in production
        ("https://localhost./notify", False, False),  # the same name, fully qualified
        ("https://user:pw@billing.elec.gov.iq/", False, False),
        ("ftp://billing.elec.gov.iq/", False, False),
        ("billing.elec.gov.iq", False, False),
    ],
)
def test_plain_http_and_odd_addresses_are_refused(url, loopback_http, accepted, settings, api_client_of):
    settings.API_NOTIFICATION_HTTP_LOOPBACK = loopback_http
    client, _secret = api_client_of("bills:write")
    if accepted:
        assert notifications.notification_endpoint_set(client=client, url=url, actor=None)
    else:
        with pytest.raises(ValidationError) as refused:
            notifications.notification_endpoint_set(client=client, url=url, actor=None)
        assert "notify_url" in refused.value.message_dict
        client.refresh_from_db()
        assert client.notify_url == "" and not client.notify_secret_sealed


def test_only_the_head_sets_the_endpoint_and_sees_the_secret_once(api_client_of, staff_client, settings):
    settings.API_NOTIFICATION_HTTP_LOOPBACK = False
    entity = EntityFactory()
    head, officer = (MembershipFactory(entity=entity, role=role) for role in (Role.ENTITY_HEAD, Role.FUND_OFFICER))
    client, _secret = api_client_of("bills:write", entity=entity)
    page = f"/staff/api/notifications/clients/{client.pk}/"
    assert staff_client(officer).get(page).status_code == 404
    with pytest.raises(PermissionDenied):
        notifications.notification_endpoint_set(client=client, url="https://x.example.iq/n", actor=officer.user)
    browser = staff_client(head)
    refused = browser.post(page, {"notify_url": "http://billing.example.iq/n"})
    assert refused.status_code == 400 and "https://" in refused.text
    shown = browser.post(page, {"notify_url": "https://billing.example.iq/n"})
    assert shown.status_code == 200 and "whsec_" in shown.text
    assert "no-store" in shown["Cache-Control"]
    again = browser.post(page, {"notify_url": "https://billing.example.iq/v2"})  # changing it keeps the secret
    assert again.status_code == 302 and "whsec_" not in browser.get(page).text
    client.refresh_from_db()
    assert client.notify_url == "https://billing.example.iq/v2"
    confirm = browser.get(f"{page}rotate/")
    assert confirm.status_code == 200 and "button--danger" in confirm.text
    assert "whsec_" in browser.post(f"{page}rotate/").text
    assert AuditEvent.objects.filter(action="api_notify_endpoint_set").count() == 2


def test_no_endpoint_no_notification(api_client_of):
    client, _secret = api_client_of("bills:write")
    assert notifications.notification_send(client=client, event="bill.paid", data={}) is None
    assert notifications.notification_send(client=None, event="bill.paid", data={}) is None
    with pytest.raises(ValueError):
        notifications.notification_send(client=client, event="bill.eaten", data={})


# --- the events, from collection's own services ------------------------------------------------------


@pytest.fixture
def electricity(world: dict[str, Any], agency: dict[str, Any], posted_by: Any) -> dict[str, Any]:
    """The world's citizen owes the electricity directorate two bills posted by its billing system,
    and one the portal made itself."""
    entity = agency["entity"]
    world["elec_officer"] = MembershipFactory(entity=entity, role=Role.FUND_OFFICER).user
    world["elec_bills"] = [bill(world["citizen"], entity, 40_000, reference=f"EL-{n}") for n in (1, 2)]
    world["own_bill"] = bill(world["citizen"], entity, 5_000, reference="OWN-1")
    for item in world["elec_bills"]:
        posted_by(item, agency["client"])
    return world


def events() -> list[tuple[str, dict[str, Any]]]:
    rows = NotificationDelivery.objects.order_by("created_at", "subject")
    return [(row.event, json.loads(row.body)["data"]) for row in rows]


def test_paying_bills_tells_the_client_each_is_paid_and_nothing_of_the_portals_own(electricity):
    first, second = electricity["elec_bills"]
    payment = paid(electricity, [first, second, electricity["own_bill"]])
    told = sorted(events(), key=lambda item: item[1]["bill"]["reference"])
    assert [(kind, data["bill"]["reference"]) for kind, data in told] == [("bill.paid", "EL-1"), ("bill.paid", "EL-2")]
    kind, data = told[0]
    assert data["bill"] == {
        "id": str(first.pk),
        "reference": "EL-1",
        "amount": 40_000,
        "amount_paid": 40_000,
        "amount_due": 0,
        "currency": "IQD",
        "due_date": first.due_date.isoformat(),
        "status": "paid",
    }
    assert data["payment"]["id"] == str(payment.pk) and data["payment"]["reference"] == payment.payment_ref
    assert (data["payment"]["amount_for_bill"], data["payment"]["amount"]) == (40_000, 85_000)


def test_paying_part_of_a_bill_tells_it_is_partly_paid(electricity):
    first = electricity["elec_bills"][0]
    payment = services.payment_start(
        payer=electricity["citizen"], lines=[services.Line(obligation=first, amount=15_000)]
    )
    from collection.providers.sandbox import CARD_SUCCEEDS, charge_pay

    charge_pay(charge_id=payment.provider_ref, card_number=CARD_SUCCEEDS)
    services.payment_sync(payment=payment)
    [(kind, data)] = events()
    assert kind == "bill.partially_paid"
    assert (data["bill"]["amount_paid"], data["bill"]["amount_due"], data["bill"]["status"]) == (
        15_000,
        25_000,
        "partially_paid",
    )


def test_a_refund_tells_the_client_what_went_back_on_its_bills(electricity):
    first, second = electricity["elec_bills"]
    payment = paid(electricity, [first, second])
    NotificationDelivery.objects.all().delete()
    refund = services.refund_create(
        payment=payment, amount=30_000, reason="error", note="دُفع مرتين", actor=electricity["elec_officer"]
    )
    [(kind, data)] = events()
    assert kind == "payment.refunded"
    assert data["refund"] == {"id": str(refund.pk), "amount": 30_000, "reason": "error"}
    assert data["payment"]["refunded_amount"] == 30_000 and data["payment"]["status"] == "partially_refunded"
    [bill_after] = data["bills"]  # taken from one bill (the latest due), the client's own
    assert bill_after["refunded"] == 30_000 and bill_after["status"] == "partially_paid"


def test_cancelling_a_bill_tells_the_client(electricity):
    first = electricity["elec_bills"][0]
    services.obligation_cancel(obligation=first, reason="قراءة عداد خاطئة", actor=electricity["elec_officer"])
    [(kind, data)] = events()
    assert kind == "bill.cancelled" and data["bill"]["status"] == "cancelled" and data["bill"]["amount_due"] == 0


def test_the_notification_is_stored_with_the_payment_and_never_posted_inside_its_transaction(electricity, receiver):
    with transaction.atomic():
        paid(electricity, [electricity["elec_bills"][0]])
        assert NotificationDelivery.objects.count() == 1
        assert receiver.received == []  # posted only after commit, by the payments queue
