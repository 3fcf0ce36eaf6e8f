"""The borrower's loan page and payment: what is due and the next installments (the whole schedule
paged), installment states in words that are states, a check page before the card, the result
leading back to the loan, and counts with Arabic's plural forms on /me/."""

from __future__ import annotations

import re

import pytest
from django.db.models import F
from django.utils import translation

from collection.constants import PaymentStatus
from collection.models import Obligation, Payment
from collection.providers import sandbox
from collection.services import payment_sync
from housing_fund.models import Installment
from housing_fund.workspace import housing_citizen_cards
from tests.housing_fund.conftest import make_loan

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    """What a reader sees: no tags, no direction marks, one space between words."""
    html = re.sub(r"[\u2068\u2069]", "", re.sub(r"</?(bdi|strong)>", "", html))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def get(client, user, url: str, language: str = "ar"):
    client.force_login(user)
    client.cookies["govportal_language"] = language
    return client.get(url)


def test_the_loan_page_shows_what_is_due_and_the_next_three_not_the_whole_schedule(fund, linked, client):
    response = get(client, fund["citizen"], f"/housing/loans/{linked.pk}/")
    numbers = [item.number for item, _state in response.context["rows"]]
    assert numbers == [1, 2, 3, 4, 5, 6]  # two overdue, one due, the next three
    page = text(response.content.decode())
    assert "اطّلع على الجدول كاملًا: 12 قسطًا، دُفع منها 0" in page
    assert page.count("متأخر ") >= 2 and "مستحق" in page and "قادم" in page
    assert "تاريخ الاستحقاق تاريخ الاستحقاق" not in page  # "Due" as a status is not the column's name
    english = text(get(client, fund["citizen"], f"/housing/loans/{linked.pk}/", "en").content.decode())
    assert "See the whole schedule: 12 installments, 0 paid" in english
    assert re.search(r"Installment 3 .*? Due ", english)


def test_the_whole_schedule_is_paged_and_opens_where_payment_is_due(fund, client):
    loan = make_loan(fund, number="L-240", total=24_000_000, term=240)
    loan.borrower = fund["citizen"]
    loan.save(update_fields=["borrower"])
    Installment.objects.filter(loan=loan, number__lte=30).update(paid=F("amount"))
    response = get(client, fund["citizen"], f"/housing/loans/{loan.pk}/schedule/")
    assert response.status_code == 200
    assert [item.number for item, _state in response.context["rows"]] == list(range(25, 37))  # a year a page
    page = text(response.content.decode())
    assert "الأقساط من 25 إلى 36 من أصل 240." in page
    assert "الصفحة 3 من 20" in page
    first = get(client, fund["citizen"], f"/housing/loans/{loan.pk}/schedule/?page=1")
    assert [item.number for item, _state in first.context["rows"]][:2] == [1, 2]
    loan_page = get(client, fund["citizen"], f"/housing/loans/{loan.pk}/")
    assert len(loan_page.context["rows"]) <= 6  # not 240 rows on a phone


def test_paying_installments_is_checked_before_the_card(fund, linked, client):
    response = get(client, fund["citizen"], f"/housing/loans/{linked.pk}/pay/?how=count&count=2&amount=")
    assert response.status_code == 200
    page = text(response.content.decode())
    assert "المراجعة والدفع" in page
    assert re.search(r"القسط 1 .*? القسط 2 ", page) and "القسط 3 " not in page
    assert "200,000 د.ع" in page
    assert "القسطان التاليان" in page
    assert not Payment.objects.exists()  # nothing started by looking

    paying = client.post(f"/housing/loans/{linked.pk}/pay/", {"how": "count", "count": "2"})
    payment = Payment.objects.get()
    assert paying["Location"] == f"/sandbox-gateway/pay/{payment.provider_ref}/"
    assert payment.amount == 200_000


def test_an_amount_is_checked_with_the_installment_it_ends_in(fund, linked, client):
    response = get(client, fund["citizen"], f"/housing/loans/{linked.pk}/pay/?how=amount&count=9&amount=150000", "en")
    page = text(response.content.decode())
    assert [(item.number, take) for item, take, _state in response.context["plan"]] == [(1, 100_000), (2, 50_000)]
    assert "(of 100,000 IQD left to pay)" in page
    assert "An amount of 150,000 IQD, to the oldest installments first" in page


def test_the_choice_not_taken_is_ignored_and_a_wrong_count_is_said_with_its_plural(fund, linked, client):
    ignored = get(client, fund["citizen"], f"/housing/loans/{linked.pk}/pay/?how=count&count=1&amount=-5")
    assert ignored.status_code == 200
    wrong = get(client, fund["citizen"], f"/housing/loans/{linked.pk}/pay/?how=count&count=99")
    assert wrong.status_code == 400
    assert "اختر من 1 إلى 12 قسطًا." in wrong.content.decode()
    missing = get(client, fund["citizen"], f"/housing/loans/{linked.pk}/pay/?how=amount&amount=")
    assert missing.status_code == 400
    assert missing.context["form"].has_error("amount")


def test_after_paying_the_result_leads_back_to_the_loan(fund, linked, client):
    client.force_login(fund["citizen"])
    client.post(f"/housing/loans/{linked.pk}/pay/", {"how": "count", "count": "1"})
    payment = Payment.objects.get()
    sandbox.charge_pay(charge_id=payment.provider_ref, card_number=sandbox.CARD_DECLINED)
    declined = text(client.get(f"/collection/payments/{payment.pk}/return/").content.decode())
    assert "عُد إلى قرض الإسكان L-1" in declined and "جرّب بطاقة أخرى" in declined
    retry = client.post(f"/collection/payments/{payment.pk}/retry/")
    again = Payment.objects.exclude(pk=payment.pk).get()
    assert retry["Location"] == f"/sandbox-gateway/pay/{again.provider_ref}/"
    sandbox.charge_pay(charge_id=again.provider_ref, card_number=sandbox.CARD_SUCCEEDS)
    assert payment_sync(payment=again).status == PaymentStatus.SUCCEEDED
    result = client.get(f"/collection/payments/{again.pk}/return/").content.decode()
    assert f'href="/housing/loans/{linked.pk}/"' in result
    assert "عُد إلى فواتيري" not in result


def test_installment_bills_are_named_after_their_installment(fund, linked, client):
    bill = Obligation.objects.filter(installment__number=1).get()
    with translation.override("en"):
        assert bill.title == "Installment 1 of loan L-1"
    with translation.override("ar"):
        assert bill.title == "القسط 1 من القرض L-1"
    assert "القسط <bdi>1</bdi> من القرض <bdi>L-1</bdi>" in get(client, fund["citizen"], "/collection/").content.decode()


@pytest.mark.parametrize(
    ("count", "loans", "overdue"),
    [
        (0, "", ""),
        (1, "قرض واحد", "قسطان متأخران"),
        (2, "قرضان", "4 أقساط متأخرة"),
        (3, "3 قروض", "6 أقساط متأخرة"),
        (11, "11 قرضًا", "22 قسطًا متأخرًا"),
    ],
)
def test_my_account_counts_loans_and_overdue_installments_in_arabic(fund, count, loans, overdue):
    for n in range(count):
        loan = make_loan(fund, number=f"L-{n}")
        loan.borrower = fund["citizen"]
        loan.save(update_fields=["borrower"])
    with translation.override("ar"):
        (card,) = housing_citizen_cards(fund["citizen"])
    assert (card.count_text, card.alert_text) == (loans, overdue)


def test_one_hundred_loans_read_in_the_singular_after_the_number():
    with translation.override("ar"):
        assert translation.ngettext("%(count)s loan", "%(count)s loans", 100) % {"count": 100} == "100 قرض"
        assert translation.ngettext("%(count)s loan", "%(count)s loans", 0) % {"count": 0} == "لا قروض"
    with translation.override("en"):
        assert translation.ngettext("%(count)s loan", "%(count)s loans", 1) % {"count": 1} == "1 loan"


def test_my_account_shows_one_loan_in_the_singular(fund, linked, client):
    page = text(get(client, fund["citizen"], "/me/").content.decode())
    assert "قرض واحد" in page and "1 قروض" not in page
    assert "قسطان متأخران" in page
    english = text(get(client, fund["citizen"], "/me/", "en").content.decode())
    assert "1 loan " in english and "1 loans" not in english
