"""axe-core finds no WCAG 2.2 AA violations on the pages of the doors for other systems.

The head's API clients (list, empty list, detail, revoked, the form and its errors, the secret
shown once, the replace and revoke confirmations); the log of payment notifications to the
clients' endpoints (delivered, retried after an error, given up; empty; nothing matching the
filter), one delivery of each state with its attempts and error, and a client's endpoint page
(without and with an endpoint, an http:// address refused, replacing the signing secret and the
secret shown once). In Arabic, Kurdish and English, at 360 and 1280 px; screenshots go to
test-results/screens/api-<page>-<language>-<width>.png.

Data is made with the services: notifications are posted for real to an HTTP server the test runs
(``tests.api.notify_world.Receiver``), which accepts, fails or is not there. People are signed in
through the real login forms with Django's test client (the session cookie is handed to the browser).
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from govportal.accounts.constants import Role
from govportal.api.constants import DeliveryStatus, NotificationEvent
from govportal.api.models import ApiClient, NotificationDelivery
from govportal.api.notifications import notification_endpoint_set, notification_send
from govportal.api.services import api_client_create, api_client_revoke
from govportal.entities.constants import EntityKind
from tests.api.notify_world import Receiver
from tests.e2e.conftest import submit
from tests.e2e.test_accessibility import wcag_reports
from tests.factories import EntityFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENDPOINT = "https://billing.elec.gov.iq/api/payment-notifications"
Enter = Callable[[Any], None]


@dataclass
class Tools:
    """What a page's set-up needs besides the browser: signing in, and the client's system."""

    enter: Enter
    receiver: Receiver


@pytest.fixture(autouse=True)
def _loopback(settings: Any) -> None:
    """The test's own server listens on loopback over plain HTTP, as development allows."""
    settings.API_NOTIFICATION_HTTP_LOOPBACK = True


@pytest.fixture
def tools(enter_as: Enter) -> Iterator[Tools]:
    receiver = Receiver().start()
    yield Tools(enter=enter_as, receiver=receiver)
    receiver.stop()


# --- data ----------------------------------------------------------------------------------------


def scene() -> SimpleNamespace:
    """Baghdad's electricity distribution directorate, its head and a fund officer; its billing
    system is an API client (without an endpoint yet), and so is its collection system."""
    ministry = EntityFactory(code="MOELEC", name_ar="وزارة الكهرباء", name_en="Ministry of Electricity")
    directorate = EntityFactory(
        code="ELEC-BGD",
        kind=EntityKind.DIRECTORATE,
        parent=ministry,
        name_ar="المديرية العامة لتوزيع كهرباء بغداد",
        name_en="Baghdad Electricity Distribution Directorate",
    )
    head = MembershipFactory(role=Role.ENTITY_HEAD, entity=directorate, user__full_name="علي حسين الجبوري")
    billing, _secret = api_client_create(
        entity=directorate, name="Billing system", scopes=["bills:write", "bills:read"], actor=head.user
    )
    collection, _secret = api_client_create(
        entity=directorate, name="نظام الجباية الإلكترونية", scopes=["bills:read"], actor=head.user
    )
    return SimpleNamespace(
        entity=directorate,
        head=head,
        officer=MembershipFactory(role=Role.FUND_OFFICER, entity=directorate, user__full_name="سارة محمود"),
        billing=billing,
        collection=collection,
    )


def endpoint_set(s: SimpleNamespace, url: str) -> None:
    notification_endpoint_set(client=s.billing, url=url, actor=s.head.user)
    s.billing.refresh_from_db()


def notify(s: SimpleNamespace, event: NotificationEvent, reference: str) -> NotificationDelivery:
    """A notification about a bill, posted at once to the billing system's endpoint (no
    transaction is open, so the post follows the commit right away)."""
    data = {"bill": {"reference": reference, "amount": 87_500, "currency": "IQD"}}
    delivery = notification_send(client=s.billing, event=event, data=data, subject=reference)
    assert delivery is not None
    delivery.refresh_from_db()
    return delivery


def closed_port_url() -> str:
    """An address where nothing listens: the client's system is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/notify"


def deliveries(s: SimpleNamespace, receiver: Receiver) -> SimpleNamespace:
    """Three notifications: accepted; answered 500 (retried in a minute); then, the system down,
    one that found nobody and was given up. The endpoint ends at its public address."""
    endpoint_set(s, receiver.url)
    receiver.answers = [200, 500]
    delivered = notify(s, NotificationEvent.BILL_PAID, "ELEC-2026-000117")
    retrying = notify(s, NotificationEvent.BILL_PARTIALLY_PAID, "ELEC-2026-000118")
    endpoint_set(s, closed_port_url())
    with override_settings(API_NOTIFICATION_GIVE_UP_AFTER=0):
        given_up = notify(s, NotificationEvent.BILL_CANCELLED, "ELEC-2026-000119")
    endpoint_set(s, ENDPOINT)
    assert [delivered.status, retrying.status, given_up.status] == [
        DeliveryStatus.DELIVERED,
        DeliveryStatus.PENDING,
        DeliveryStatus.FAILED,
    ]
    assert retrying.last_error and given_up.last_error
    return SimpleNamespace(delivered=delivered, retrying=retrying, given_up=given_up)


# --- how to reach each page; each leaves the page showing what is to be checked ------------------


def log(page: Any, t: Tools) -> None:
    s = scene()
    deliveries(s, t.receiver)
    t.enter(s.head)
    page.goto("/staff/api/notifications/")
    expect(page.locator("main table tbody tr")).to_have_count(3)
    expect(page.locator("main .summary-list__row")).to_have_count(2)  # the two clients' endpoints


def log_empty(page: Any, t: Tools) -> None:
    s = scene()
    t.enter(s.head)
    page.goto("/staff/api/notifications/")
    expect(page.locator("main .empty-state")).to_be_visible()


def log_none_match(page: Any, t: Tools) -> None:
    s = scene()
    endpoint_set(s, t.receiver.url)
    notify(s, NotificationEvent.BILL_PAID, "ELEC-2026-000117")
    t.enter(s.officer)
    page.goto("/staff/api/notifications/?status=failed")
    expect(page.locator("main .empty-state")).to_be_visible()
    expect(page.locator("main .summary-list")).to_have_count(0)  # an officer reads the log, sets no endpoint


def delivery(state: str, who: str = "officer") -> Callable[[Any, Tools], None]:
    def show(page: Any, t: Tools) -> None:
        s = scene()
        item = getattr(deliveries(s, t.receiver), state)
        t.enter(getattr(s, who))
        page.goto(f"/staff/api/notifications/{item.pk}/")
        expect(page.locator("main pre code")).to_contain_text(str(item.pk))
        expect(page.locator(f"main form[action='/staff/api/notifications/{item.pk}/resend/']")).to_be_visible()

    return show


def endpoint_none(page: Any, t: Tools) -> None:
    s = scene()
    t.enter(s.head)
    page.goto(f"/staff/api/notifications/clients/{s.billing.pk}/")
    expect(page.locator("input[name=notify_url]")).to_have_value("")
    expect(page.locator("main a[href$='/rotate/']")).to_have_count(0)


def endpoint(page: Any, t: Tools) -> None:
    s = scene()
    endpoint_set(s, ENDPOINT)
    t.enter(s.head)
    page.goto(f"/staff/api/notifications/clients/{s.billing.pk}/")
    expect(page.locator("input[name=notify_url]")).to_have_value(ENDPOINT)
    expect(page.locator("main a[href$='/rotate/']")).to_be_visible()


def endpoint_refused(page: Any, t: Tools) -> None:
    s = scene()
    t.enter(s.head)
    page.goto(f"/staff/api/notifications/clients/{s.billing.pk}/")
    page.fill("input[name=notify_url]", "http://billing.elec.gov.iq/api/payment-notifications")
    submit(page)
    expect(page.locator(".error-summary a[href='#id_notify_url']")).to_be_visible()
    expect(page.locator("input[name=notify_url]")).to_have_value("http://billing.elec.gov.iq/api/payment-notifications")
    assert not ApiClient.objects.get(pk=s.billing.pk).notify_url


def endpoint_rotate(page: Any, t: Tools) -> None:
    s = scene()
    endpoint_set(s, ENDPOINT)
    t.enter(s.head)
    page.goto(f"/staff/api/notifications/clients/{s.billing.pk}/rotate/")
    expect(page.locator("main form button.button--danger")).to_be_visible()


def endpoint_secret(page: Any, t: Tools) -> None:
    """The first endpoint, saved through the page, gives the signing secret, shown this once."""
    s = scene()
    t.enter(s.head)
    page.goto(f"/staff/api/notifications/clients/{s.billing.pk}/")
    page.fill("input[name=notify_url]", ENDPOINT)
    submit(page)
    expect(page.locator("main .panel code")).to_contain_text("whsec_")


def clients(page: Any, t: Tools) -> None:
    s = scene()
    old, _secret = api_client_create(entity=s.entity, name="نظام الفوترة القديم", scopes=["verify"], actor=s.head.user)
    api_client_revoke(client=old, actor=s.head.user)
    t.enter(s.head)
    page.goto("/integrations/")
    expect(page.locator("main table tbody tr")).to_have_count(3)


def clients_empty(page: Any, t: Tools) -> None:
    head = MembershipFactory(role=Role.ENTITY_HEAD, entity=EntityFactory(name_ar="وزارة النقل", name_en="Transport"))
    t.enter(head)
    page.goto("/integrations/")
    expect(page.locator("main .empty-state")).to_be_visible()


def client_detail(page: Any, t: Tools) -> None:
    s = scene()
    t.enter(s.head)
    page.goto(f"/integrations/{s.billing.pk}/")
    expect(page.locator("main a[href$='/revoke/']")).to_be_visible()


def client_revoked(page: Any, t: Tools) -> None:
    s = scene()
    api_client_revoke(client=s.collection, actor=s.head.user)
    t.enter(s.head)
    page.goto(f"/integrations/{s.collection.pk}/")
    expect(page.locator("main .tag--grey")).to_be_visible()
    expect(page.locator("main a[href$='/revoke/']")).to_have_count(0)


def client_new(page: Any, t: Tools) -> None:
    s = scene()
    t.enter(s.head)
    page.goto("/integrations/new/")
    expect(page.locator("input[name=scopes]")).to_have_count(3)


def client_new_errors(page: Any, t: Tools) -> None:
    s = scene()
    t.enter(s.head)
    page.goto("/integrations/new/")
    submit(page)
    expect(page.locator(".error-summary a[href='#id_name']")).to_be_visible()


def client_secret(page: Any, t: Tools) -> None:
    s = scene()
    t.enter(s.head)
    page.goto("/integrations/new/")
    page.fill("input[name=name]", "نظام التحقق من الوثائق")
    page.check("input[name=scopes][value=verify]")
    submit(page)
    expect(page.locator("main code.secret")).to_be_visible()


def client_confirm(act: str) -> Callable[[Any, Tools], None]:
    def show(page: Any, t: Tools) -> None:
        s = scene()
        t.enter(s.head)
        page.goto(f"/integrations/{s.billing.pk}/{act}/")
        expect(page.locator("main form button[type=submit]")).to_be_visible()

    return show


PAGES: dict[str, Callable[[Any, Tools], None]] = {
    "log": log,
    "log-empty": log_empty,
    "log-none-match": log_none_match,
    "delivery-delivered": delivery("delivered"),
    "delivery-retrying": delivery("retrying", who="head"),
    "delivery-given-up": delivery("given_up"),
    "endpoint-none": endpoint_none,
    "endpoint": endpoint,
    "endpoint-refused": endpoint_refused,
    "endpoint-rotate": endpoint_rotate,
    "endpoint-secret": endpoint_secret,
    "clients": clients,
    "clients-empty": clients_empty,
    "client-detail": client_detail,
    "client-revoked": client_revoked,
    "client-new": client_new,
    "client-new-errors": client_new_errors,
    "client-secret": client_secret,
    "client-rotate": client_confirm("rotate"),
    "client-revoke": client_confirm("revoke"),
}


@pytest.mark.parametrize("language", ["ar", "ckb", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_api_page_has_no_wcag_violations(page, tools, choose_language, screenshot, name, language):
    choose_language(language)
    PAGES[name](page, tools)
    expect(page.locator("html")).to_have_attribute("lang", language)
    reports = wcag_reports(page, screenshot, f"api-{name}-{language}")
    assert not reports, "\n".join(reports)
