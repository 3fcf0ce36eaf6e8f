"""Fund officers', heads' and auditors' pages: the portfolio, a loan's history, rescheduling and the
arrears aging report."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from govportal.accounts.constants import Role
from govportal.audit.models import AuditEvent
from govportal.entities.models import Entity
from housing_fund import selectors
from housing_fund.constants import LoanStatus, RescheduleStatus
from housing_fund.models import Installment, Loan, Reschedule, Schedule
from housing_fund.services import loan_create, reschedule_propose
from tests.factories import EntityFactory, MembershipFactory

TODAY = timezone.localdate()
_numbers = iter(range(100_000))


def make_loan(branch: Entity, *, number: str = "", start: dt.date | None = None, total: int = 1_200_000,
              term: int = 12, name: str = "أحمد كريم العبيدي", national_id: str = "") -> Loan:  # fmt: skip
    """A loan of ``term`` equal installments of ``total / term``, the first due a month after ``start``."""
    serial = next(_numbers)
    return loan_create(
        number=number or f"HL-{serial:05d}",
        borrower_name=name,
        borrower_national_id=national_id or f"1990{serial:08d}",
        borrower_birth_date=dt.date(1990, 3, 14),
        purpose="build",
        principal=total,
        admin_fee=0,
        term_months=term,
        start_date=start or TODAY - dt.timedelta(days=10),
        branch=branch,
    )


def pay(loan: Loan, *amounts: int) -> None:
    """Record what was paid on the first installments (as the legacy system or collection would)."""
    for item, amount in zip(Installment.objects.filter(loan=loan).order_by("number"), amounts, strict=False):
        item.paid = amount
        item.save(update_fields=["paid"])


@pytest.fixture
def branch(db: Any) -> Any:
    return EntityFactory(code="IHF-BGD")


@pytest.fixture
def staff(branch: Entity) -> dict[str, Any]:
    return {
        role: MembershipFactory(entity=branch, role=role)
        for role in (Role.FUND_OFFICER, Role.ENTITY_HEAD, Role.AUDITOR, Role.REGISTRY_CLERK)
    }


@pytest.fixture
def english(staff_client: Any) -> Any:
    """``english(membership)`` → a signed-in client that reads pages in English."""

    def make(membership: Any) -> Client:
        client = staff_client(membership)
        client.cookies["govportal_language"] = "en"
        return client

    return make


def csv_rows(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads Arabic as UTF-8 only with a BOM
    return list(csv.reader(io.StringIO(body[1:])))


# --- Access ------------------------------------------------------------------------------------


def test_portfolio_lists_only_the_loans_of_the_users_branches(branch, staff, staff_client):
    mine = make_loan(branch, number="HL-MINE")
    theirs = make_loan(EntityFactory(code="IHF-BSR"), number="HL-THEIRS")
    for role in (Role.FUND_OFFICER, Role.ENTITY_HEAD, Role.AUDITOR):
        client = staff_client(staff[role])
        page = client.get(reverse("housing_fund:portfolio")).content.decode()
        assert "HL-MINE" in page
        assert "HL-THEIRS" not in page
        assert client.get(reverse("housing_fund:loan", args=[mine.pk])).status_code == 200
        assert client.get(reverse("housing_fund:loan", args=[theirs.pk])).status_code == 404


def test_staff_without_a_housing_role_get_404(branch, staff, staff_client):
    loan = make_loan(branch)
    client = staff_client(staff[Role.REGISTRY_CLERK])
    for url in (
        reverse("housing_fund:portfolio"),
        reverse("housing_fund:arrears"),
        reverse("housing_fund:loan", args=[loan.pk]),
    ):
        assert client.get(url).status_code == 404


def test_portfolio_of_a_branch_without_loans_says_so(staff, english):
    response = english(staff[Role.FUND_OFFICER]).get(reverse("housing_fund:portfolio"))
    assert response.status_code == 200
    assert "Your branches have no housing loans yet." in response.content.decode()


# --- Portfolio filters, pages and CSV --------------------------------------------------------------


def listed(client: Client, **query: str) -> set[str]:
    response = client.get(reverse("housing_fund:portfolio"), query)
    assert response.status_code == 200
    return {loan.number for loan in response.context["page"]}


def test_portfolio_filters_by_status_arrears_search_and_pending_rescheduling(branch, staff, staff_client):
    late = make_loan(branch, number="HL-LATE", start=TODAY - dt.timedelta(days=75), name="زينب علي")
    make_loan(branch, number="HL-OK", start=TODAY - dt.timedelta(days=10), national_id="198812345678")
    settled = make_loan(branch, number="HL-DONE", total=12_000, term=1, start=TODAY - dt.timedelta(days=400))
    pay(settled, 12_000)
    Loan.objects.filter(pk=settled.pk).update(status=LoanStatus.SETTLED)
    client = staff_client(staff[Role.FUND_OFFICER])

    assert listed(client) == {"HL-LATE", "HL-OK", "HL-DONE"}
    assert listed(client, status="settled") == {"HL-DONE"}
    assert listed(client, arrears="on") == {"HL-LATE"}
    assert listed(client, q="hl-ok") == {"HL-OK"}
    assert listed(client, q="١٩٨٨١٢٣٤٥٦٧٨") == {"HL-OK"}  # the national ID typed in Arabic-Indic digits
    assert listed(client, q="زينب") == {"HL-LATE"}
    assert listed(client, reschedule="proposed") == set()
    reschedule_propose(loan=late, term_months=24, reason="Lost his job", actor=staff[Role.FUND_OFFICER].user)
    assert listed(client, reschedule="proposed") == {"HL-LATE"}


def test_portfolio_shows_balance_next_due_and_how_late(branch, staff, english):
    loan = make_loan(branch, number="HL-LATE", start=TODAY - dt.timedelta(days=75))
    pay(loan, 100_000)
    oldest_unpaid = Installment.objects.get(loan=loan, number=2).due_date
    page = english(staff[Role.AUDITOR]).get(reverse("housing_fund:portfolio")).content.decode()
    assert "1,100,000 IQD" in page  # 12 × 100,000 less the first one paid
    days = (TODAY - oldest_unpaid).days
    assert f"{days} days overdue" in page


def test_branch_filter_is_offered_to_staff_of_several_branches(branch, staff, staff_client):
    other = EntityFactory(code="IHF-NJF")
    make_loan(branch, number="HL-BGD")
    make_loan(other, number="HL-NJF")
    single = staff_client(staff[Role.FUND_OFFICER])
    assert 'name="branch"' not in single.get(reverse("housing_fund:portfolio")).content.decode()

    MembershipFactory(entity=other, role=Role.FUND_OFFICER, user=staff[Role.FUND_OFFICER].user)
    assert 'name="branch"' in single.get(reverse("housing_fund:portfolio")).content.decode()
    assert listed(single) == {"HL-BGD", "HL-NJF"}
    assert listed(single, branch=str(other.pk)) == {"HL-NJF"}
    stranger = EntityFactory(code="IHF-ERB")
    assert single.get(reverse("housing_fund:portfolio"), {"branch": str(stranger.pk)}).status_code == 400


def test_portfolio_pages_by_25(branch, staff, staff_client):
    for number in range(30):
        make_loan(branch, number=f"HL-{number:03d}", term=1, total=1_000)
    client = staff_client(staff[Role.FUND_OFFICER])
    assert len(listed(client)) == 25
    assert listed(client, page="2") == {f"HL-{number:03d}" for number in range(25, 30)}


def test_portfolio_csv_exports_the_whole_filtered_list(branch, staff, staff_client):
    for number in range(30):
        make_loan(branch, number=f"HL-{number:03d}", start=TODAY - dt.timedelta(days=75 if number < 27 else 5))
    make_loan(EntityFactory(code="IHF-BSR"), number="HL-THEIRS", start=TODAY - dt.timedelta(days=75))
    response = staff_client(staff[Role.FUND_OFFICER]).get(
        reverse("housing_fund:portfolio"), {"arrears": "on", "format": "csv"}
    )
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = csv_rows(response)
    assert len(header) == 13
    assert [row[0] for row in rows] == [f"HL-{number:03d}" for number in range(27)]
    first = rows[0]
    assert first[1] == "أحمد كريم العبيدي"
    assert first[2].endswith(Loan.objects.get(number="HL-000").borrower_national_id[-4:])
    assert first[2].startswith("•")  # the national ID masked
    assert first[10] == "1200000"  # balance


# --- The loan page ------------------------------------------------------------------------------


def test_loan_page_shows_the_schedule_with_each_installments_state(branch, staff, english):
    loan = make_loan(branch, start=TODAY - dt.timedelta(days=75))  # installments 1, 2 past due, 3 due soon
    pay(loan, 100_000, 40_000)
    page = english(staff[Role.AUDITOR]).get(reverse("housing_fund:loan", args=[loan.pk])).content.decode()
    schedule = page[page.index('id="schedule"') :]
    rows = schedule.split("<tr>")[2:]  # after the header row
    assert "Paid" in rows[0]
    assert "Overdue" in rows[1]
    assert "Due" in rows[2]
    assert "Upcoming" in rows[11]
    assert "••••••••" + loan.borrower_national_id[-4:] in page
    assert loan.borrower_national_id not in page
    assert "1,060,000 IQD" in page  # balance: 1,200,000 less 140,000 paid
    assert "Loan created" in page  # the audit timeline


def test_loan_page_lists_the_payments_on_the_loan(branch, staff, staff_client):
    from collection.services import Line, payment_start
    from housing_fund.services import installments_bill, loan_link
    from tests.factories import CitizenProfileFactory

    citizen = CitizenProfileFactory(national_id="199012345678").user
    loan = make_loan(branch, number="HL-PAY", national_id="199012345678", start=TODAY - dt.timedelta(days=20))
    loan_link(user=citizen, number="HL-PAY", national_id="199012345678", birth_date=dt.date(1990, 3, 14))
    installments_bill(loan=loan)
    bill = Installment.objects.get(loan=loan, number=1).obligation
    payment = payment_start(payer=citizen, lines=[Line(obligation=bill, amount=bill.amount)])
    page = staff_client(staff[Role.FUND_OFFICER]).get(reverse("housing_fund:loan", args=[loan.pk])).content.decode()
    assert reverse("collection:staff_payment", args=[payment.pk]) in page
    assert payment.payment_ref in page


# --- Rescheduling -----------------------------------------------------------------------------------


def propose(client: Client, loan: Loan, **data: Any) -> Any:
    return client.post(reverse("housing_fund:reschedule", args=[loan.pk]), data)


def decide(client: Client, proposal: Reschedule, approve: str) -> Any:
    return client.post(reverse("housing_fund:reschedule_decide", args=[proposal.pk]), {"approve": approve})


def test_officer_proposes_head_approves_new_schedule_old_one_kept(branch, staff, staff_client, english):
    loan = make_loan(branch, start=TODAY - dt.timedelta(days=75))
    pay(loan, 100_000, 40_000)  # 1 paid, 2 partly paid: 1,060,000 remains
    officer, head = staff_client(staff[Role.FUND_OFFICER]), staff_client(staff[Role.ENTITY_HEAD])

    response = propose(officer, loan, term_months="20", reason="Illness in the family")
    assert response.status_code == 302
    proposal = Reschedule.objects.get(loan=loan)
    assert proposal.status == RescheduleStatus.PROPOSED
    assert 'name="approve"' in head.get(reverse("housing_fund:loan", args=[loan.pk])).content.decode()

    assert decide(head, proposal, "1").status_code == 302

    proposal.refresh_from_db()
    loan.refresh_from_db()
    assert proposal.status == RescheduleStatus.APPROVED
    assert proposal.decided_by == staff[Role.ENTITY_HEAD].user
    assert loan.status == LoanStatus.RESCHEDULED
    old, new = Schedule.objects.filter(loan=loan).order_by("version")
    assert (old.version, old.is_current, new.version, new.is_current) == (1, False, 2, True)
    assert old.installments.count() == 12  # kept whole
    first, second = old.installments.order_by("number")[:2]
    assert (first.paid, first.amount, first.replaced) == (100_000, 100_000, False)
    assert (second.paid, second.amount, second.replaced) == (40_000, 40_000, False)  # what was paid stays
    assert old.installments.filter(replaced=True).count() == 10
    new_items = list(new.installments.order_by("number"))
    assert len(new_items) == 20
    assert sum(item.amount for item in new_items) == 1_060_000
    actions = list(AuditEvent.objects.for_target(loan).values_list("action", flat=True))
    assert "reschedule_propose" in actions and "reschedule_approve" in actions

    page = english(staff[Role.AUDITOR]).get(reverse("housing_fund:loan", args=[loan.pk])).content.decode()
    assert "Earlier schedule, version <bdi>1</bdi>" in page
    assert "<details" in page
    assert "Replaced by a new schedule" in page
    assert "Rescheduling approved" in page  # the timeline


def test_head_rejects_and_the_schedule_is_unchanged(branch, staff, staff_client):
    loan = make_loan(branch)
    proposal = reschedule_propose(loan=loan, term_months=24, reason="Asked by the borrower",
                                  actor=staff[Role.FUND_OFFICER].user)  # fmt: skip
    assert decide(staff_client(staff[Role.ENTITY_HEAD]), proposal, "0").status_code == 302
    proposal.refresh_from_db()
    loan.refresh_from_db()
    assert proposal.status == RescheduleStatus.REJECTED
    assert loan.status == LoanStatus.ACTIVE
    assert Schedule.objects.filter(loan=loan).count() == 1
    assert not Installment.objects.filter(loan=loan, replaced=True).exists()
    assert AuditEvent.objects.for_target(loan).filter(action="reschedule_reject").exists()


def test_a_decided_rescheduling_cannot_be_decided_again(branch, staff, staff_client):
    loan = make_loan(branch)
    proposal = reschedule_propose(loan=loan, term_months=24, reason="r", actor=staff[Role.FUND_OFFICER].user)
    head = staff_client(staff[Role.ENTITY_HEAD])
    decide(head, proposal, "0")
    response = decide(head, proposal, "1")
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == RescheduleStatus.REJECTED
    assert Schedule.objects.filter(loan=loan).count() == 1


def test_officer_cannot_decide_and_head_or_auditor_cannot_propose(branch, staff, staff_client):
    loan = make_loan(branch)
    clients = {role: staff_client(staff[role]) for role in (Role.FUND_OFFICER, Role.ENTITY_HEAD, Role.AUDITOR)}
    for role in (Role.ENTITY_HEAD, Role.AUDITOR):
        client = clients[role]
        assert 'name="term_months"' not in client.get(reverse("housing_fund:loan", args=[loan.pk])).content.decode()
        assert propose(client, loan, term_months="24", reason="r").status_code == 403
    assert not Reschedule.objects.exists()

    proposal = reschedule_propose(loan=loan, term_months=24, reason="r", actor=staff[Role.FUND_OFFICER].user)
    for role in (Role.FUND_OFFICER, Role.AUDITOR):
        client = clients[role]
        assert 'name="approve"' not in client.get(reverse("housing_fund:loan", args=[loan.pk])).content.decode()
        assert decide(client, proposal, "1").status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == RescheduleStatus.PROPOSED


def test_another_branchs_rescheduling_answers_404(branch, staff, staff_client):
    other = EntityFactory(code="IHF-BSR")
    officer = MembershipFactory(entity=other, role=Role.FUND_OFFICER).user
    proposal = reschedule_propose(loan=make_loan(other), term_months=24, reason="r", actor=officer)
    assert decide(staff_client(staff[Role.ENTITY_HEAD]), proposal, "1").status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == RescheduleStatus.PROPOSED


def test_a_wrong_proposal_shows_the_errors_and_keeps_the_input(branch, staff, staff_client):
    loan = make_loan(branch)
    response = propose(staff_client(staff[Role.FUND_OFFICER]), loan, term_months="500", reason="Kept reason")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert 'href="#id_term_months"' in page
    assert "Kept reason" in page
    assert not Reschedule.objects.exists()


def test_a_second_proposal_while_one_awaits_is_refused(branch, staff, staff_client):
    loan = make_loan(branch)
    reschedule_propose(loan=loan, term_months=24, reason="r", actor=staff[Role.FUND_OFFICER].user)
    response = propose(staff_client(staff[Role.FUND_OFFICER]), loan, term_months="30", reason="again")
    assert response.status_code == 400
    with translation.override("ar"):
        assert _("A rescheduling of this loan is already awaiting approval.") in response.content.decode()
    assert Reschedule.objects.count() == 1


# --- Arrears aging -------------------------------------------------------------------------------

AS_OF = dt.date(2026, 6, 15)


@pytest.fixture
def aging_book(branch: Entity) -> None:
    """Loans of 12 × 100,000 IQD in every bucket on 15 June 2026 (the comment gives the oldest unpaid due date)."""
    make_loan(branch, number="A", start=dt.date(2026, 5, 1))  # 1 June: 14 days → 1–30, 100,000
    pay(make_loan(branch, number="D", start=dt.date(2026, 4, 20)), 40_000)  # 20 May: 26 days → 1–30, 60,000
    make_loan(branch, number="G", start=dt.date(2026, 4, 10))  # 10 May and 10 June: 36 days → 31–60, 200,000
    make_loan(branch, number="B", start=dt.date(2026, 3, 10))  # 10 Apr, May, June: 66 days → 61–90, 300,000
    pay(make_loan(branch, number="C", start=dt.date(2026, 1, 1)), 100_000)  # 1 Mar to 1 June: 106 days → 90+
    make_loan(branch, number="E", start=dt.date(2026, 6, 1))  # first due 1 July → current
    pay(make_loan(branch, number="F", start=dt.date(2026, 4, 1)), 100_000, 100_000)  # paid up → current
    settled = make_loan(branch, number="S", total=1_000, term=1, start=dt.date(2025, 1, 1))
    pay(settled, 1_000)
    Loan.objects.filter(pk=settled.pk).update(status=LoanStatus.SETTLED)  # not counted at all
    make_loan(EntityFactory(code="IHF-BSR"), number="X", start=dt.date(2026, 1, 1))  # another branch


EXPECTED = [
    ["current", 2, 0],
    ["1_30", 2, 160_000],
    ["31_60", 1, 200_000],
    ["61_90", 1, 300_000],
    ["90_plus", 1, 400_000],
]


def test_arrears_report_buckets_loans_by_days_overdue(aging_book, staff, english):
    response = english(staff[Role.AUDITOR]).get(reverse("housing_fund:arrears"), {"as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    assert [[row["code"], row["count"], row["amount"]] for row in response.context["rows"]] == EXPECTED
    page = response.content.decode()
    assert 'class="bar-chart"' in page
    assert "1,060,000 IQD" in page  # the total overdue
    assert "15 June 2026" in page


def test_arrears_csv_has_each_bucket_and_the_total(aging_book, staff, staff_client):
    response = staff_client(staff[Role.FUND_OFFICER]).get(
        reverse("housing_fund:arrears"), {"as_of": AS_OF.isoformat(), "format": "csv"}
    )
    assert response.status_code == 200
    assert "2026-06-15" in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert [[int(count), int(amount)] for _label, count, amount in rows] == [
        *[[count, amount] for _code, count, amount in EXPECTED],
        [7, 1_060_000],
    ]


@pytest.mark.parametrize(
    ("days", "bucket"), [(0, "current"), (1, "1_30"), (30, "1_30"), (31, "31_60"), (60, "31_60"),
                         (61, "61_90"), (90, "61_90"), (91, "90_plus")],
)  # fmt: skip
def test_bucket_edges(branch, days, bucket):
    loan = make_loan(branch, start=dt.date(2026, 1, 15))  # first installment due 15 February 2026
    as_of = dt.date(2026, 2, 15) + dt.timedelta(days=days)
    counts = {row["code"]: row["count"] for row in selectors.arrears_aging(Loan.objects.filter(pk=loan.pk), as_of)}
    assert counts[bucket] == 1
    assert sum(counts.values()) == 1


def test_arrears_report_by_branch(aging_book, branch, staff, staff_client):
    other = Entity.objects.get(code="IHF-BSR")
    user = staff[Role.ENTITY_HEAD].user
    MembershipFactory(entity=other, role=Role.ENTITY_HEAD, user=user)
    client = staff_client(staff[Role.ENTITY_HEAD])
    every = client.get(reverse("housing_fund:arrears"), {"as_of": AS_OF.isoformat()}).context["rows"]
    assert every[-1]["count"] == 2  # C and X
    only = client.get(reverse("housing_fund:arrears"), {"as_of": AS_OF.isoformat(), "branch": str(other.pk)})
    assert [row["count"] for row in only.context["rows"]] == [0, 0, 0, 0, 1]


def test_arrears_report_defaults_to_today(branch, staff, staff_client):
    make_loan(branch, start=TODAY - dt.timedelta(days=45))  # first due about 15 days ago
    response = staff_client(staff[Role.FUND_OFFICER]).get(reverse("housing_fund:arrears"))
    assert response.status_code == 200
    assert response.context["as_of"] == TODAY
    assert [row["count"] for row in response.context["rows"]] == [0, 1, 0, 0, 0]
