"""A borrower links the loan, pays installments through collection (oldest first, partial, over,
several, after a refund), gets statements and reminders."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from collection import services as collection
from collection.providers import sandbox
from govportal.audit.models import AuditEvent
from govportal.notifications.models import Notification
from govportal.verification.services import token_verify
from housing_fund import services
from housing_fund.constants import LoanStatus
from housing_fund.models import Installment, Loan
from tests.factories import CitizenProfileFactory
from tests.housing_fund.conftest import BIRTH, make_loan


def paid_through_sandbox(loan, payer, **how):
    payment = services.loan_pay_start(loan=loan, payer=payer, **how)
    sandbox.charge_pay(charge_id=payment.provider_ref, card_number=sandbox.CARD_SUCCEEDS)
    return collection.payment_sync(payment=payment)


def paid(loan):
    return list(Installment.objects.filter(loan=loan, replaced=False).order_by("number").values_list("paid", flat=True))


def test_linking_bills_what_falls_due_soon(fund, linked):
    assert linked.borrower == fund["citizen"]
    billed = Installment.objects.filter(loan=linked, obligation__isnull=False).order_by("number")
    # 75 days in: installments 1-2 are overdue, 3 falls due within the 45-day billing window.
    assert [item.number for item in billed] == [1, 2, 3]
    assert {item.obligation.payer for item in billed} == {fund["citizen"]}
    assert AuditEvent.objects.filter(action="loan_link", target_id=str(linked.pk)).count() == 1


@pytest.mark.parametrize(
    "number, national_id, birth",
    [("L-9", "199012345678", BIRTH), ("L-1", "199012345679", BIRTH), ("L-1", "199012345678", dt.date(1991, 3, 14))],
)
def test_linking_with_wrong_data_is_refused_and_audited(fund, number, national_id, birth):
    make_loan(fund)
    with pytest.raises(ValidationError) as caught:
        services.loan_link(user=fund["citizen"], number=number, national_id=national_id, birth_date=birth)
    assert caught.value.code == "no_match"
    assert Loan.objects.get(number="L-1").borrower is None
    assert AuditEvent.objects.filter(action="loan_link_fail").count() == 1


def test_someone_else_cannot_link_my_loan_with_my_details(fund, client):
    make_loan(fund)
    intruder = CitizenProfileFactory().user  # their own profile's national ID differs
    client.force_login(intruder)
    response = client.post(
        "/housing/link/", {"number": "L-1", "national_id": "199012345678", "birth_date": BIRTH.isoformat()}
    )
    assert response.status_code == 400
    assert Loan.objects.get(number="L-1").borrower is None


def test_linking_attempts_are_rate_limited(fund, client):
    make_loan(fund)
    client.force_login(fund["citizen"])
    wrong = {"number": "L-1", "national_id": "199012345678", "birth_date": "2000-01-01"}
    codes = [client.post("/housing/link/", wrong).status_code for _ in range(6)]
    assert codes == [400] * 5 + [429]
    right = {**wrong, "birth_date": BIRTH.isoformat()}
    assert client.post("/housing/link/", right).status_code == 429  # even the right answer, for an hour
    assert Loan.objects.get(number="L-1").borrower is None


def test_a_partial_payment_goes_to_the_oldest_installment(fund, linked):
    paid_through_sandbox(linked, fund["citizen"], amount=60_000)
    assert paid(linked)[:3] == [60_000, 0, 0]


def test_an_exact_payment_pays_the_oldest_installment(fund, linked):
    paid_through_sandbox(linked, fund["citizen"], amount=100_000)
    assert paid(linked)[:3] == [100_000, 0, 0]


def test_paying_several_installments(fund, linked):
    paid_through_sandbox(linked, fund["citizen"], count=2)
    assert paid(linked)[:3] == [100_000, 100_000, 0]


def test_an_overpayment_is_credited_to_the_next_installments_billed_early(fund, linked):
    paid_through_sandbox(linked, fund["citizen"], amount=450_000)
    assert paid(linked)[:6] == [100_000, 100_000, 100_000, 100_000, 50_000, 0]
    assert Installment.objects.get(loan=linked, number=5).obligation is not None  # billed ahead of time


def test_more_than_the_balance_is_refused(fund, linked):
    with pytest.raises(ValidationError) as caught:
        services.loan_pay_start(loan=linked, payer=fund["citizen"], amount=1_200_001)
    assert caught.value.error_dict["amount"][0].code == "amount"
    assert sum(paid(linked)) == 0


def test_a_refund_reopens_the_latest_installments_first(fund, linked):
    payment = paid_through_sandbox(linked, fund["citizen"], amount=250_000)
    collection.refund_create(payment=payment, amount=120_000, reason="error", note="paid twice", actor=fund["officer"])
    assert paid(linked)[:3] == [100_000, 30_000, 0]


def test_a_refund_cannot_reduce_an_installment_which_the_schedule_sets(fund, linked):
    """Lowering what a borrower owes is a rescheduling, not a refund: nothing is sent or changed."""
    from collection.models import Refund

    payment = paid_through_sandbox(linked, fund["citizen"], amount=250_000)
    with pytest.raises(ValidationError) as caught:
        collection.refund_create(
            payment=payment, amount=50_000, reason="reduced", note="forgiven", actor=fund["officer"]
        )
    assert caught.value.error_dict["reason"][0].code == "installment_not_reduced"
    assert not Refund.objects.exists()
    assert paid(linked)[:3] == [100_000, 100_000, 50_000]
    assert services.loan_balance(linked) == 1_200_000 - 250_000


def test_paying_everything_settles_the_loan_and_a_full_refund_reopens_it(fund, linked):
    payment = paid_through_sandbox(linked, fund["citizen"], amount=1_200_000)
    assert Loan.objects.get(pk=linked.pk).status == LoanStatus.SETTLED
    assert services.settlement_quote(linked)["total"] == 0
    collection.refund_create(
        payment=payment, amount=1_200_000, reason="error", note="loan cancelled", actor=fund["officer"]
    )
    assert Loan.objects.get(pk=linked.pk).status == LoanStatus.ACTIVE
    assert services.loan_balance(linked) == 1_200_000


def test_the_loan_page_shows_the_schedule_and_pays_through_the_checkout(fund, linked, client):
    client.force_login(fund["citizen"])
    page = client.get(f"/housing/loans/{linked.pk}/")
    assert page.status_code == 200
    states = [state for _item, state in page.context["rows"]]
    assert states[:3] == ["overdue", "overdue", "due"] and page.context["overdue"] == 200_000
    response = client.post(f"/housing/loans/{linked.pk}/pay/", {"how": "count", "count": "2"})
    assert response.status_code == 302 and response["Location"].startswith("/sandbox-gateway/pay/")
    bad = client.post(f"/housing/loans/{linked.pk}/pay/", {"how": "count", "count": "99"})
    assert bad.status_code == 400
    assert bad.context["form"].has_error("count", "count")  # beside the field, the service's rule


def test_another_citizen_gets_404(fund, linked, client):
    client.force_login(CitizenProfileFactory().user)
    assert client.get(f"/housing/loans/{linked.pk}/").status_code == 404


def test_late_fee_policy_is_off_by_default_and_configurable(fund, linked, settings):
    today = timezone.localdate()
    assert services.settlement_quote(linked, today)["late_fee"] == 0
    settings.HOUSING_LATE_FEE_PERCENT = 1
    quote = services.settlement_quote(linked, today)
    # Installment 1 is 45 days overdue (2 started months), installment 2 is 15 days (1 month): 1% each month.
    overdue = Installment.objects.filter(loan=linked, due_date__lt=today).order_by("number")
    expected = sum(item.amount * -(-(today - item.due_date).days // 30) // 100 for item in overdue)
    assert quote["late_fee"] == expected > 0 and quote["total"] == 1_200_000 + expected


def test_statement_pdf_carries_a_qr_that_verifies(fund, linked, client, tmp_path, django_capture_on_commit_callbacks):
    paid_through_sandbox(linked, fund["citizen"], count=1)
    client.force_login(fund["citizen"])
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(f"/housing/loans/{linked.pk}/statement/")
    assert response.status_code == 302
    waiting = client.get(response["Location"])  # the worker has not rendered it yet
    assert waiting.status_code == 202
    assert gettext("The account statement is being prepared") in waiting.content.decode()
    for job in queued:
        job()
    pdf = client.get(response["Location"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    path = tmp_path / "statement.pdf"
    path.write_bytes(b"".join(pdf.streaming_content))
    subprocess.run(["pdftoppm", "-png", "-r", "110", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(str(page) for page in tmp_path.glob("page-*.png"))
    decoded = subprocess.run(
        ["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", *pages], capture_output=True, text=True
    ).stdout.strip()
    token = decoded.rsplit("/v/", 1)[1]
    assert token_verify(token).genuine
    client.logout()
    assert linked.number in client.get(f"/v/{token}").content.decode()


def test_reminders_and_overdue_notices_go_once_per_installment(fund, linked):
    today = timezone.localdate()
    first = services.installments_remind(today=today)
    second = services.installments_remind(today=today)
    upcoming = Installment.objects.filter(
        loan=linked, due_date__gte=today, due_date__lte=today + dt.timedelta(days=5), paid__lt=F("amount")
    ).count()
    assert first == {"reminders": upcoming, "overdue": 2}
    assert second == {"reminders": 0, "overdue": 0}
    assert Notification.objects.filter(user=fund["citizen"]).count() == upcoming + 2


def test_arrears_report_ages_only_loans_still_being_repaid(fund, linked):
    from housing_fund.selectors import arrears_aging

    today = timezone.localdate()
    before = {row["code"]: row["count"] for row in arrears_aging(Loan.objects.all(), today)}
    assert sum(before.values()) == 1 and before["current"] == 0
    Loan.objects.filter(pk=linked.pk).update(status=LoanStatus.DEFAULTED)
    after = {row["code"]: row["count"] for row in arrears_aging(Loan.objects.all(), today)}
    assert sum(after.values()) == 0
