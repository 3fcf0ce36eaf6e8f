"""What a citizen reads about their bills: each named after what it is in their language, overdue by one
rule (Baghdad's day), the same word on the bills page and on /me/, counts with their plural forms; a
declined card keeps the choice and offers another card at once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from collection import services
from collection.constants import PaymentStatus, Purpose
from collection.models import Obligation, Payment
from collection.providers.sandbox import CARD_DECLINED
from collection.workspace import collection_citizen_cards
from govportal.audit.models import AuditEvent
from tests.collection.payments_world import paid
from tests.factories import bill

pytestmark = pytest.mark.django_db


def named(world, description: str, args: dict | None, days: int = 10) -> Obligation:
    return services.obligation_create(
        payer=world["citizen"],
        collecting_entity=world["fund"],
        purpose=Purpose.OTHER,
        reference=f"N-{Obligation.objects.count()}",
        amount=5_000,
        due_date=timezone.localdate() + dt.timedelta(days=days),
        description=description,
        description_args=args,
    )


def page(client, user, language: str, url: str = "/collection/") -> str:
    client.force_login(user)
    client.cookies["govportal_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    """The page's text as a reader sees it: no tags, one space between words."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"</?(bdi|strong)>", "", html)))


def test_a_bill_is_named_after_what_it_is_in_each_readers_language(world, client):
    Obligation.objects.filter(payer=world["citizen"]).delete()  # the world's bills have no description
    named(world, gettext_noop("Installment %(number)s of loan %(loan)s"), {"number": 15, "loan": "IHF-BGD-2024-00417"})
    named(world, gettext_noop("Property valuation fee"), {})
    named(world, "رسوم خدمة خاصة", None)  # the entity's own words, shown as they are

    english = page(client, world["citizen"], "en")
    assert "Installment <bdi>15</bdi> of loan <bdi>IHF-BGD-2024-00417</bdi>" in english
    assert "Property valuation fee" in english
    assert "رسوم خدمة خاصة" in english
    arabic = page(client, world["citizen"], "ar")
    assert "القسط <bdi>15</bdi> من القرض <bdi>IHF-BGD-2024-00417</bdi>" in arabic
    assert "رسم تقييم العقار" in arabic
    assert "Other fee" not in english and "رسم آخر" not in arabic
    bill(world["citizen"], world["fund"], reference="PLAIN-1")  # neither: its purpose names it
    assert "رسم آخر" in page(client, world["citizen"], "ar")


def test_an_overdue_bill_reads_overdue_on_the_bills_page_and_on_my_account(world, client):
    late = bill(world["citizen"], world["fund"], 7_000, days=-1, reference="LATE-1")
    arabic = text(page(client, world["citizen"], "ar"))
    assert re.search(r"LATE-1 .*? متأخرة", arabic)
    assert "مفتوحة" in arabic  # the two bills not yet due
    assert text(page(client, world["citizen"], "en")).count("Overdue") == 1
    assert Obligation.objects.overdue().get() == late

    account = text(page(client, world["citizen"], "ar", "/me/"))
    assert "3 فواتير مستحقة الدفع" in account
    assert "فاتورة واحدة متأخرة" in account


def test_overdue_follows_baghdads_day_not_utcs(world, monkeypatch):
    due = bill(world["citizen"], world["fund"], days=0)
    Obligation.objects.filter(pk=due.pk).update(due_date=dt.date(2026, 12, 7))
    due.refresh_from_db()
    # 22:30 UTC on the 7th is 01:30 on the 8th in Baghdad: the bill due on the 7th is overdue.
    late_evening = dt.datetime(2026, 12, 7, 22, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: late_evening)
    assert due.is_overdue() and due.state == "overdue"
    assert Obligation.objects.overdue().filter(pk=due.pk).exists()
    # At 20:30 UTC it is 23:30 in Baghdad, still the 7th: due today, not overdue.
    monkeypatch.setattr(timezone, "now", lambda: late_evening - dt.timedelta(hours=2))
    assert not due.is_overdue()
    assert not Obligation.objects.overdue().filter(pk=due.pk).exists()


@pytest.mark.parametrize(
    ("count", "bills_to_pay", "overdue"),
    [
        (1, "فاتورة واحدة مستحقة الدفع", "فاتورة واحدة متأخرة"),
        (2, "فاتورتان مستحقتا الدفع", "فاتورتان متأخرتان"),
        (3, "3 فواتير مستحقة الدفع", "3 فواتير متأخرة"),
        (11, "11 فاتورةً مستحقة الدفع", "11 فاتورةً متأخرة"),
        (100, "100 فاتورة مستحقة الدفع", "100 فاتورة متأخرة"),
    ],
)
def test_my_account_counts_bills_with_arabics_plural_forms(world, count, bills_to_pay, overdue):
    Obligation.objects.filter(payer=world["citizen"]).delete()
    Obligation.objects.bulk_create(
        Obligation(
            payer=world["citizen"], collecting_entity=world["fund"], purpose=Purpose.OTHER, reference=f"P-{n}",
            amount=1_000, due_date=timezone.localdate() - dt.timedelta(days=3),
        )
        for n in range(count)
    )  # fmt: skip
    with translation.override("ar"):
        card = collection_citizen_cards(world["citizen"])[0]
    assert (card.count_text, card.alert_text) == (bills_to_pay, overdue)
    with translation.override("en"):
        card = collection_citizen_cards(world["citizen"])[0]
    noun = "bill" if count == 1 else "bills"
    assert (card.count_text, card.alert_text) == (f"{count} {noun} to pay", f"{count} overdue {noun}")


def test_no_bill_to_pay_is_said_in_words(world):
    for item in world["bills"]:
        Obligation.objects.filter(pk=item.pk).update(status="paid", amount_paid=item.amount)
    with translation.override("ar"):
        card = collection_citizen_cards(world["citizen"])[0]
    assert (card.count_text, card.alert_text) == ("لا فواتير مستحقة الدفع", "")


# --- a declined card ------------------------------------------------------------------------------


def test_a_declined_payment_offers_another_card_for_the_same_bills(world, client):
    declined = paid(world, card=CARD_DECLINED)
    assert declined.status == PaymentStatus.FAILED
    client.force_login(world["citizen"])
    result = client.get(f"/collection/payments/{declined.pk}/return/").content.decode()
    assert f'action="/collection/payments/{declined.pk}/retry/"' in result
    assert "جرّب بطاقة أخرى" in result
    chosen = "&amp;".join(f"bills={item.pk}" for item in sorted(world["bills"], key=lambda b: b.due_date))
    assert f'href="/collection/?{chosen}"' in result  # "Change the bills" keeps them ticked

    response = client.post(f"/collection/payments/{declined.pk}/retry/")
    retry = Payment.objects.exclude(pk=declined.pk).get()
    assert response.status_code == 302
    assert response["Location"] == f"/sandbox-gateway/pay/{retry.provider_ref}/"  # straight to the card page
    assert sorted(retry.allocations.values_list("obligation", "amount")) == sorted(
        declined.allocations.values_list("obligation", "amount")
    )
    assert retry.status == PaymentStatus.PENDING
    # A second click while it is under way leads to the same payment, not a third.
    again = client.post(f"/collection/payments/{declined.pk}/retry/")
    assert again["Location"] == response["Location"]
    assert Payment.objects.count() == 2
    assert AuditEvent.objects.filter(action="payment_create").count() == 2


def test_back_on_the_bills_page_after_a_declined_card_the_same_bills_are_ticked(world, client):
    extra = bill(world["citizen"], world["fund"], 9_000, days=50)
    declined = paid(world, bills=[world["bills"][1]], card=CARD_DECLINED)
    html = page(client, world["citizen"], "en")
    ticked = set(re.findall(r'name="bills" value="([0-9a-f-]+)"[^>]*checked', html))
    assert ticked == {str(world["bills"][1].pk)}
    assert declined.payment_ref in html
    assert str(extra.pk) in html

    paid(world, bills=[world["bills"][0]])  # a later payment: the old choice is no longer offered
    html = page(client, world["citizen"], "en")
    assert not re.search(r'name="bills" value="[0-9a-f-]+"[^>]*checked', html)


def test_a_payment_that_went_through_cannot_be_paid_again(world, client):
    done = paid(world)
    client.force_login(world["citizen"])
    response = client.post(f"/collection/payments/{done.pk}/retry/", follow=True)
    assert "This payment went through" in response.content.decode() or "تمّت هذه الدفعة" in response.content.decode()
    assert Payment.objects.count() == 1


def test_someone_elses_payment_cannot_be_retried(world, client):
    declined = paid(world, card=CARD_DECLINED)
    client.force_login(world["officer"])
    assert client.post(f"/collection/payments/{declined.pk}/retry/").status_code == 404
    assert Payment.objects.count() == 1
