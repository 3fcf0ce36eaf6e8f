"""The collecting entity's head runs its outlets: setting one up, opening and closing it, its card
terminals and cashiers. Every change is audited; the counter then takes payments only at an open
outlet the cashier is assigned to, on one of its open terminals; past payments never change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from collection import services
from collection.constants import WORKING_DAYS, Governorate, OutletStatus, PaymentStatus, Weekday
from collection.models import CashierAssignment, Outlet, Payment, Terminal
from govportal.accounts.constants import Role
from govportal.audit.models import AuditEvent
from tests.collection.outlets_world import OutletFactory, TerminalFactory, outlet_at_work
from tests.factories import MembershipFactory

SLIP = {"terminal_id": "T-0042", "approval_code": "A1B2C3", "rrn": "612345678901", "card_last4": "4242"}
DETAILS = services.OutletDetails(
    name_ar="منفذ صندوق الإسكان — البصرة",
    name_en="Housing Fund outlet — Basra",
    governorate=Governorate.BASRA,
    address_ar="البصرة، العشار، شارع الكورنيش",
    address_en="Corniche Street, Ashar, Basra",
    phone="07800000102",
    open_days=WORKING_DAYS,
    opens_at=dt.time(8, 0),
    closes_at=dt.time(14, 0),
)
FORM = {
    "code": "ihf-bsr-01",
    "name_ar": DETAILS.name_ar,
    "name_en": DETAILS.name_en,
    "governorate": "basra",
    "address_ar": DETAILS.address_ar,
    "address_en": DETAILS.address_en,
    "phone": "٠٧٨٠٠٠٠٠١٠٢",
    "open_days": [str(day) for day in (Weekday.SUNDAY, Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY)],
    "opens_at": "08:30",
    "closes_at": "13:30",
}


@pytest.fixture(autouse=True)
def english(client: Any) -> Any:
    """Messages in English, in the services and on the pages."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def head(world: dict[str, Any]) -> Any:
    return MembershipFactory(entity=world["fund"], role=Role.ENTITY_HEAD).user


def actions(outlet: Outlet) -> list[str]:
    return list(AuditEvent.objects.for_target(outlet).order_by("id").values_list("action", flat=True))


def pay(world: dict[str, Any], *, cashier: Any = None, bill: int = 0, **slip: str) -> Payment:
    return services.outlet_payment_record(
        cashier=cashier or world["cashier"],
        outlet=world["outlet"],
        payer=world["citizen"],
        obligations=[world["bills"][bill]],
        slip=services.CardSlip(**{**SLIP, **slip}),
    )


def refusal_code(error: ValidationError) -> str | None:
    if hasattr(error, "error_dict"):
        return next(iter(error.error_dict.values()))[0].code
    return error.code


# --- Services: setting up, opening, closing ---------------------------------------------------------


def test_a_new_outlet_is_set_up_before_it_opens_and_the_creation_is_audited(world, head):
    outlet = services.outlet_create(entity=world["fund"], code="ihf-bsr-01 ", details=DETAILS, actor=head)
    assert (outlet.code, outlet.status, outlet.governorate) == ("IHF-BSR-01", OutletStatus.SETTING_UP, "basra")
    event = AuditEvent.objects.for_target(outlet).get()
    assert (event.action, event.actor, event.entity) == ("outlet_create", head, world["fund"])
    assert event.data["code"] == "IHF-BSR-01" and event.data["opens_at"] == "08:00:00"


def test_an_outlet_code_is_never_reused(world, head):
    services.outlet_create(entity=world["fund"], code="IHF-BSR-01", details=DETAILS, actor=head)
    with pytest.raises(ValidationError) as caught:
        services.outlet_create(entity=world["fund"], code="ihf-bsr-01", details=DETAILS, actor=head)
    assert "IHF-BSR-01" in caught.value.message_dict["code"][0]
    assert Outlet.objects.filter(code="IHF-BSR-01").count() == 1


def test_bad_details_are_refused_beside_each_field_and_nothing_is_written(world, head):
    bad = services.OutletDetails(
        **{
            **DETAILS.__dict__,
            "governorate": "atlantis",
            "phone": "call us",
            "address_en": " ",
            "opens_at": dt.time(14, 0),
            "closes_at": dt.time(8, 0),
            "open_days": 0,
        }
    )
    with pytest.raises(ValidationError) as caught:
        services.outlet_create(entity=world["fund"], code="IHF-X", details=bad, actor=head)
    assert set(caught.value.message_dict) == {"governorate", "phone", "address_en", "closes_at", "open_days"}
    with pytest.raises(ValidationError) as caught:
        services.outlet_create(entity=world["fund"], code="ihf x!", details=DETAILS, actor=head)
    assert set(caught.value.message_dict) == {"code"}
    assert not Outlet.objects.exclude(pk=world["outlet"].pk).exists()
    assert not AuditEvent.objects.filter(action="outlet_create").exists()


def test_an_outlet_opens_only_once_it_has_an_open_terminal_and_a_cashier(world, head):
    outlet = services.outlet_create(entity=world["fund"], code="IHF-BSR-01", details=DETAILS, actor=head)
    with pytest.raises(ValidationError) as caught:
        services.outlet_open(outlet=outlet, actor=head)
    assert [error.code for error in caught.value.error_list] == ["not_ready", "not_ready"]
    services.terminal_add(outlet=outlet, terminal_id="t-0107", acquirer="SandPay", actor=head)
    with pytest.raises(ValidationError):
        services.outlet_open(outlet=outlet, actor=head)
    services.cashier_assign(outlet=outlet, cashier=world["cashier"], actor=head)
    opened = services.outlet_open(outlet=outlet, actor=head)
    assert (opened.status, opened.opened_by) == (OutletStatus.OPEN, head)
    assert actions(outlet) == ["outlet_create", "terminal_add", "cashier_assign", "outlet_open"]
    assert Terminal.objects.get(outlet=outlet).terminal_id == "T-0107"


def test_a_cashier_who_lost_the_role_does_not_count_towards_opening(world, head):
    outlet = OutletFactory(entity=world["fund"])
    TerminalFactory(outlet=outlet)
    services.cashier_assign(outlet=outlet, cashier=world["cashier"], actor=head)
    world["cashier"].memberships.filter(role=Role.OUTLET_CASHIER).delete()
    with pytest.raises(ValidationError) as caught:
        services.outlet_open(outlet=outlet, actor=head)
    assert caught.value.messages == ["Assign at least one cashier."]


def test_closing_an_outlet_needs_a_reason_stops_payments_there_and_it_can_open_again(world, head):
    outlet = world["outlet"]
    with pytest.raises(ValidationError) as caught:
        services.outlet_close(outlet=outlet, reason="  ", actor=head)
    assert "reason" in caught.value.message_dict
    assert Outlet.objects.get(pk=outlet.pk).status == OutletStatus.OPEN

    closed = services.outlet_close(outlet=outlet, reason="نقل المنفذ إلى بناية جديدة", actor=head)
    assert (closed.status, closed.closed_by, closed.close_reason) == (
        OutletStatus.CLOSED,
        head,
        "نقل المنفذ إلى بناية جديدة",
    )
    with pytest.raises(ValidationError) as caught:
        pay(world)
    assert caught.value.code == "outlet_closed"
    with pytest.raises(ValidationError) as caught:
        services.outlet_close(outlet=outlet, reason="again", actor=head)
    assert caught.value.code == "already_closed"

    services.outlet_open(outlet=outlet, actor=head)
    assert pay(world).status == PaymentStatus.SUCCEEDED
    events = AuditEvent.objects.for_target(outlet).order_by("id")
    assert [(e.action, e.data.get("reason"), e.data.get("reopened")) for e in events] == [
        ("outlet_close", "نقل المنفذ إلى بناية جديدة", None),
        ("outlet_open", None, True),
    ]


def test_changing_the_details_records_each_change_and_nothing_when_nothing_changed(world, head):
    outlet = services.outlet_create(entity=world["fund"], code="IHF-BSR-01", details=DETAILS, actor=head)
    services.outlet_update(outlet=outlet, details=DETAILS, actor=head)
    assert actions(outlet) == ["outlet_create"]
    later = services.OutletDetails(**{**DETAILS.__dict__, "closes_at": dt.time(15, 0), "phone": " 0780 000 0102 "})
    services.outlet_update(outlet=outlet, details=later, actor=head)
    outlet.refresh_from_db()
    assert (outlet.code, outlet.closes_at, outlet.phone) == ("IHF-BSR-01", dt.time(15, 0), "0780 000 0102")
    change = AuditEvent.objects.for_target(outlet).get(action="outlet_update")
    assert change.data == {"phone": ["07800000102", "0780 000 0102"], "closes_at": ["14:00:00", "15:00:00"]}


def test_only_the_head_of_the_outlets_entity_runs_it(world, head):
    other_head = MembershipFactory(entity=world["other"], role=Role.ENTITY_HEAD).user
    terminal = Terminal.objects.get(outlet=world["outlet"])
    outlet, cashier = world["outlet"], world["cashier"]
    attempts = [
        (services.outlet_create, {"entity": world["fund"], "code": "IHF-X1", "details": DETAILS}),
        (services.outlet_update, {"outlet": outlet, "details": DETAILS}),
        (services.outlet_close, {"outlet": outlet, "reason": "x"}),
        (services.outlet_open, {"outlet": outlet}),
        (services.terminal_add, {"outlet": outlet, "terminal_id": "T-9"}),
        (services.terminal_close, {"terminal": terminal, "reason": "x"}),
        (services.terminal_reopen, {"terminal": terminal}),
        (services.cashier_assign, {"outlet": outlet, "cashier": cashier}),
        (services.cashier_unassign, {"outlet": outlet, "cashier": cashier}),
    ]
    for person in (world["officer"], cashier, other_head):
        for service, arguments in attempts:
            with pytest.raises(PermissionDenied):
                service(actor=person, **arguments)
    assert not AuditEvent.objects.filter(target_type="collection.outlet").exists()


# --- Services: terminals and cashiers --------------------------------------------------------------


def test_a_terminal_id_is_open_at_one_outlet_at_a_time(world, head):
    other = OutletFactory(entity=world["fund"], code="IHF-02", name_en="Mansour outlet")
    with pytest.raises(ValidationError) as caught:
        services.terminal_add(outlet=other, terminal_id="T-0042", actor=head)
    assert caught.value.message_dict["terminal_id"] == ["Terminal T-0042 is open at Outlet. Close it there first."]
    with pytest.raises(ValidationError) as caught:
        services.terminal_add(outlet=world["outlet"], terminal_id="T-0042", actor=head)
    assert "already has terminal T-0042" in caught.value.message_dict["terminal_id"][0]

    here = Terminal.objects.get(outlet=world["outlet"], terminal_id="T-0042")
    services.terminal_close(terminal=here, reason="نقل إلى المنصور", actor=head)
    moved = services.terminal_add(outlet=other, terminal_id="T-0042", serial_number="SN-1", actor=head)
    with pytest.raises(ValidationError) as caught:
        services.terminal_reopen(terminal=here, actor=head)
    assert caught.value.code == "open_elsewhere"
    assert Terminal.objects.open().get(terminal_id="T-0042") == moved
    assert actions(world["outlet"]) == ["terminal_close"]
    assert actions(other) == ["terminal_add"]


def test_another_entitys_terminal_is_not_named(world, head):
    elsewhere = outlet_at_work(world["other"], cashiers=[], terminals=["T-7"], code="ELEC-01")
    with pytest.raises(ValidationError) as caught:
        services.terminal_add(outlet=world["outlet"], terminal_id="T-7", actor=head)
    message = caught.value.message_dict["terminal_id"][0]
    assert message == "Terminal T-7 is open at another outlet." and elsewhere.name not in message


def test_a_closed_terminal_takes_no_slip_and_its_past_payments_keep_it(world, head, client):
    paid = pay(world)
    terminal = Terminal.objects.get(outlet=world["outlet"], terminal_id="T-0042")
    services.terminal_close(terminal=terminal, reason="عطل في القارئ", actor=head)
    with pytest.raises(ValidationError) as caught:
        pay(world, bill=1)
    assert refusal_code(caught.value) == "terminal_closed"
    paid.refresh_from_db()
    assert (paid.terminal_id, paid.outlet, paid.status) == ("T-0042", world["outlet"], PaymentStatus.SUCCEEDED)
    client.force_login(world["cashier"])
    report = client.get(
        "/collection/outlet/closing/", {"outlet": world["outlet"].pk, "day": timezone.localdate().isoformat()}
    )
    assert [group["terminal_id"] for group in report.context["report"]["groups"]] == ["T-0042"]
    services.terminal_reopen(terminal=terminal, actor=head)
    assert pay(world, bill=1).terminal_id == "T-0042"


def test_only_cashiers_of_the_outlets_entity_are_assigned(world, head):
    other_cashier = MembershipFactory(entity=world["other"], role=Role.OUTLET_CASHIER).user
    for person in (world["officer"], other_cashier):
        with pytest.raises(ValidationError) as caught:
            services.cashier_assign(outlet=world["outlet"], cashier=person, actor=head)
        assert "cashier" in caught.value.message_dict
    services.cashier_assign(outlet=world["outlet"], cashier=world["cashier"], actor=head)  # again: no change
    assert CashierAssignment.objects.filter(outlet=world["outlet"]).count() == 1
    assert actions(world["outlet"]) == []


def test_an_unassigned_cashier_is_refused_and_their_past_payments_keep_them(world, head):
    paid = pay(world)
    services.cashier_unassign(outlet=world["outlet"], cashier=world["cashier"], actor=head)
    with pytest.raises(ValidationError) as caught:
        pay(world, bill=1)
    assert caught.value.code == "not_assigned"
    paid.refresh_from_db()
    assert paid.cashier == world["cashier"]
    event = AuditEvent.objects.for_target(world["outlet"]).get()
    assert (event.action, event.data["cashier"]) == ("cashier_unassign", world["cashier"].email)


def test_a_refused_outlet_payment_leaves_an_online_payment_under_way(world, head):
    online = services.payment_start(
        payer=world["citizen"], lines=[services.Line(obligation=world["bills"][0], amount=100_000)]
    )
    services.cashier_unassign(outlet=world["outlet"], cashier=world["cashier"], actor=head)
    with pytest.raises(ValidationError):
        pay(world)
    assert Payment.objects.get(pk=online.pk).status == PaymentStatus.PENDING


# --- Pages ---------------------------------------------------------------------------------------------


def test_the_head_sees_the_outlets_and_anyone_else_gets_404(world, head, client):
    detail = f"/collection/staff/outlets/{world['outlet'].code}/"
    client.force_login(head)
    page = client.get("/collection/staff/outlets/")
    assert page.status_code == 200 and world["outlet"].name_en in page.content.decode()
    assert client.get(detail).status_code == 200

    elec_head = MembershipFactory(entity=world["other"], role=Role.ENTITY_HEAD).user
    own = outlet_at_work(world["other"], cashiers=[], terminals=["T-7"], code="ELEC-01")
    for person in (world["officer"], world["cashier"], elec_head):
        client.force_login(person)
        for url in (detail, f"{detail}edit/", f"{detail}close/", f"{detail}terminals/new/"):
            assert client.get(url).status_code == 404, (person, url)
        assert client.post(f"{detail}close/", {"reason": "x"}).status_code == 404
        assert client.post(f"{detail}cashiers/", {"cashier": world["cashier"].pk}).status_code == 404
    assert [outlet.code for outlet in client.get("/collection/staff/outlets/").context["outlets"]] == ["ELEC-01"]
    assert client.get(f"/collection/staff/outlets/{own.code}/").status_code == 200
    client.force_login(world["officer"])
    assert client.get("/collection/staff/outlets/").status_code == 404
    assert Outlet.objects.get(pk=world["outlet"].pk).status == OutletStatus.OPEN


def test_the_head_sets_up_an_outlet_with_the_form(world, head, client):
    client.force_login(head)
    assert client.get("/collection/staff/outlets/new/").status_code == 200
    refused = client.post("/collection/staff/outlets/new/", {**FORM, "closes_at": "07:00", "entity": world["fund"].pk})
    assert refused.status_code == 400
    assert "The closing time must be after the opening time." in refused.content.decode()
    assert 'value="Corniche Street, Ashar, Basra"' in refused.content.decode()
    response = client.post("/collection/staff/outlets/new/", {**FORM, "entity": world["fund"].pk})
    assert response.status_code == 302 and response["Location"] == "/collection/staff/outlets/IHF-BSR-01/"
    outlet = Outlet.objects.get(code="IHF-BSR-01")
    assert (outlet.entity, outlet.phone, outlet.opens_at, outlet.open_days_text) == (
        world["fund"],
        "07800000102",
        dt.time(8, 30),
        "Sunday to Wednesday",
    )
    page = client.get(response["Location"])
    assert "Add at least one card terminal." in page.content.decode()


def test_the_head_edits_an_outlet_but_not_its_code(world, head, client):
    client.force_login(head)
    edit = "/collection/staff/outlets/IHF-01/edit/"
    assert 'name="code"' not in client.get(edit).content.decode()
    response = client.post(edit, {**FORM, "code": "CHANGED"})
    assert response.status_code == 302
    outlet = Outlet.objects.get(pk=world["outlet"].pk)
    assert (outlet.code, outlet.name_en, outlet.governorate) == ("IHF-01", DETAILS.name_en, "basra")


def test_closing_an_outlet_goes_through_a_page_naming_the_consequences(world, head, client):
    client.force_login(head)
    close = "/collection/staff/outlets/IHF-01/close/"
    page = client.get(close).content.decode()
    assert "its cashier can no longer take card payments here" in page
    assert "the public list of outlets stops showing it" in page
    assert "Payments already taken here, their receipts and the closing reports do not change." in page
    assert client.post(close, {"reason": ""}).status_code == 400
    assert Outlet.objects.get(pk=world["outlet"].pk).status == OutletStatus.OPEN
    assert client.post(close, {"reason": "صيانة البناية"}).status_code == 302
    assert Outlet.objects.get(pk=world["outlet"].pk).status == OutletStatus.CLOSED
    assert "Haifa Street" not in client.get("/collection/outlets/").content.decode()
    assert client.post("/collection/staff/outlets/IHF-01/open/").status_code == 302
    assert Outlet.objects.get(pk=world["outlet"].pk).status == OutletStatus.OPEN


def test_the_head_adds_closes_and_reopens_terminals_and_assigns_cashiers(world, head, client):
    client.force_login(head)
    base = "/collection/staff/outlets/IHF-01/"
    refused = client.post(f"{base}terminals/new/", {"terminal_id": "T/42"})
    assert refused.status_code == 400 and "Use 2 to 32 Latin letters" in refused.content.decode()
    assert Terminal.objects.count() == 1
    assert client.post(f"{base}terminals/new/", {"terminal_id": "T-0099", "acquirer": "SandPay"}).status_code == 302
    terminal = Terminal.objects.get(terminal_id="T-0099")
    confirm = client.get(f"{base}terminals/{terminal.pk}/close/").content.decode()
    assert "cashiers can no longer record card payments taken on it" in confirm
    assert client.post(f"{base}terminals/{terminal.pk}/close/", {"reason": "عطل"}).status_code == 302
    assert not Terminal.objects.get(pk=terminal.pk).is_open
    assert client.post(f"{base}terminals/{terminal.pk}/reopen/").status_code == 302
    assert Terminal.objects.get(pk=terminal.pk).is_open

    newcomer = MembershipFactory(entity=world["fund"], role=Role.OUTLET_CASHIER, user__full_name="حسن كريم").user
    assert "حسن كريم" in client.get(base).content.decode()
    assert client.post(f"{base}cashiers/", {"cashier": world["officer"].pk}).status_code == 400  # not offered
    assert client.post(f"{base}cashiers/", {"cashier": newcomer.pk}).status_code == 302
    assert client.post(f"{base}cashiers/{world['cashier'].pk}/unassign/").status_code == 302
    assert list(CashierAssignment.objects.filter(outlet=world["outlet"]).values_list("cashier", flat=True)) == [
        newcomer.pk
    ]
    history = client.get(base).content.decode()
    for label in ("Card terminal added", "Card terminal closed", "Card terminal reopened", "Cashier assigned"):
        assert label in history


def test_the_counter_offers_only_open_terminals_of_the_cashiers_open_outlets(world, head, client):
    TerminalFactory(outlet=world["outlet"], terminal_id="T-OLD", closed=True)
    elsewhere = outlet_at_work(world["fund"], cashiers=[], terminals=["T-NOT-MINE"], code="IHF-02")
    client.force_login(world["cashier"])
    page = client.get("/collection/outlet/", {"national_id": "199012345678"}).content.decode()
    assert 'value="T-0042"' in page
    assert "T-OLD" not in page and "T-NOT-MINE" not in page and elsewhere.name not in page
    refused = client.post(
        "/collection/outlet/pay/",
        {"national_id": "199012345678", "bills": [world["bills"][0].pk], **SLIP, "terminal_id": "T-NOT-MINE"},
    )
    assert refused.status_code == 400 and not Payment.objects.exists()


def test_a_cashier_assigned_nowhere_is_told_so_and_cannot_record_a_slip(world, head, client):
    services.cashier_unassign(outlet=world["outlet"], cashier=world["cashier"], actor=head)
    client.force_login(world["cashier"])
    page = client.get("/collection/outlet/")
    assert page.status_code == 200 and "You are not assigned to an open outlet" in page.content.decode()
    refused = client.post("/collection/outlet/pay/", {"national_id": "199012345678", "bills": [], **SLIP})
    assert refused.status_code == 400 and not Payment.objects.exists()


def test_the_heads_workspace_links_the_outlets_and_flags_one_that_cannot_take_payments(world, head, client):
    Terminal.objects.filter(outlet=world["outlet"]).update(closed_at=timezone.now())
    client.force_login(head)
    page = client.get(f"/workspace/{world['fund'].code}/").content.decode()
    assert 'href="/collection/staff/outlets/"' in page
    assert "open but unable to take payments" in page
