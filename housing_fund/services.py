"""Every write of the housing fund: loans and their schedules, billing installments through
collection, payments allocated oldest installment first, linking, rescheduling, statements."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from collection import services as collection
from collection.constants import Purpose
from collection.models import Payment
from collection.selectors import payments_for_bills
from govportal.accounts.constants import Role
from govportal.accounts.models import CitizenProfile, User
from govportal.accounts.selectors import roles_in
from govportal.accounts.validators import validate_national_id
from govportal.audit.services import audit_record
from govportal.entities.models import Entity
from govportal.notifications.services import notify
from govportal.numbering.services import counter_next
from govportal.pdf.services import pdf_queue
from govportal.verification import display
from govportal.verification.constants import ArtifactKind
from govportal.verification.services import Signer, canonical_bytes, mask_id, mask_name, verify_url
from housing_fund.constants import BILLING_DAYS_AHEAD, STATEMENT_REGISTER, LoanPurpose, LoanStatus, RescheduleStatus
from housing_fund.models import Installment, Loan, Reschedule, Schedule, Statement
from housing_fund.schedule import due_dates, installment_amounts

logger = logging.getLogger(__name__)
OFFICER_ROLES = (Role.FUND_OFFICER,)
HEAD_ROLES = (Role.ENTITY_HEAD,)


def _require_role(user: User, entity: Entity, roles: Sequence[str]) -> None:
    if not roles_in(user, entity) & {str(role) for role in roles}:
        raise PermissionDenied


# --- Loans and schedules ---------------------------------------------------------------


def loan_errors(
    *, number: str, national_id: str, purpose: str, principal: int, admin_fee: int, term_months: int
) -> dict[str, str]:
    """What is wrong with a loan's figures (shared by the form, the service and the importer)."""
    errors: dict[str, str] = {}
    if not number.strip() or len(number) > 32:
        errors["number"] = _("Enter the loan number (at most 32 characters).")
    try:
        validate_national_id(national_id)
    except ValidationError as error:
        errors["borrower_national_id"] = error.messages[0]
    if purpose not in LoanPurpose.values:
        errors["purpose"] = _("The purpose must be build, buy or renovate.")
    if principal <= 0:
        errors["principal"] = _("The principal must be more than zero dinars.")
    if admin_fee < 0:
        errors["admin_fee"] = _("The administrative fee cannot be negative.")
    if not 1 <= term_months <= 360:
        errors["term_months"] = _("The term must be between 1 and 360 months.")
    elif principal + admin_fee < term_months:
        errors["term_months"] = _("The term is too long for the amount: each installment must be at least 1 dinar.")
    return errors


def _schedule_make(*, loan: Loan, version: int, total: int, term: int, start: dt.date, reason: str = "") -> Schedule:
    schedule = Schedule.objects.create(loan=loan, version=version, total=total, reason=reason)
    Installment.objects.bulk_create(
        Installment(schedule=schedule, loan=loan, number=number, due_date=due, amount=amount)
        for number, (due, amount) in enumerate(
            zip(due_dates(start, term), installment_amounts(total, term), strict=True), 1
        )
    )
    return schedule


@transaction.atomic
def loan_create(
    *,
    number: str,
    borrower_name: str,
    borrower_national_id: str,
    borrower_birth_date: dt.date,
    purpose: str,
    principal: int,
    admin_fee: int,
    term_months: int,
    start_date: dt.date,
    branch: Entity,
    actor: Any = None,
) -> Loan:
    """A loan and its first schedule: ``term_months`` installments summing to principal + fee."""
    errors = loan_errors(
        number=number, national_id=borrower_national_id, purpose=purpose, principal=principal,
        admin_fee=admin_fee, term_months=term_months,
    )  # fmt: skip
    if Loan.objects.filter(number=number).exists():
        errors["number"] = _("A loan with number %(number)s already exists.") % {"number": number}
    if errors:
        raise ValidationError(errors)
    loan = Loan.objects.create(
        number=number.strip(),
        borrower_name=borrower_name.strip(),
        borrower_national_id=borrower_national_id,
        borrower_birth_date=borrower_birth_date,
        purpose=purpose,
        principal=principal,
        admin_fee=admin_fee,
        term_months=term_months,
        start_date=start_date,
        branch=branch,
    )
    _schedule_make(loan=loan, version=1, total=loan.total, term=term_months, start=start_date)
    audit_record(action="loan_create", actor=actor, entity=branch, target=loan, data={"number": loan.number})
    return loan


def current_installments(loan: Loan) -> Any:
    return Installment.objects.filter(loan=loan, replaced=False).order_by("number")


def loan_balance(loan: Loan) -> int:
    """What remains to pay on the current schedule."""
    left = current_installments(loan).aggregate(left=Sum(F("amount") - F("paid")))["left"]
    return int(left or 0)


def late_fee(loan: Loan, today: dt.date) -> int:
    """The late fee the policy charges on overdue amounts (none unless HOUSING_LATE_FEE_PERCENT is set):
    that percentage of each overdue amount per started month overdue, in whole dinars."""
    percent = settings.HOUSING_LATE_FEE_PERCENT
    if not percent:
        return 0
    fee = 0
    for item in current_installments(loan).filter(due_date__lt=today, paid__lt=F("amount")):
        months = -(-(today - item.due_date).days // 30)
        fee += item.remaining * percent * months // 100
    return fee


def settlement_quote(loan: Loan, today: dt.date | None = None) -> dict[str, int]:
    """Paying the whole loan off today: the balance (loans are interest-free) plus any late fee."""
    today = today or timezone.localdate()
    balance, fee = loan_balance(loan), late_fee(loan, today)
    return {"balance": balance, "late_fee": fee, "total": balance + fee}


# --- Billing and paying through collection ------------------------------------------------


def _bill(installment: Installment, loan: Loan) -> None:
    """Make the collection bill for an installment (what remains after legacy payments)."""
    if installment.obligation_id is not None or loan.borrower is None or installment.remaining <= 0:
        return
    installment.obligation = collection.obligation_create(
        payer=loan.borrower,
        collecting_entity=loan.branch,
        purpose=Purpose.HOUSING_INSTALLMENT,
        reference=f"{loan.number}-{installment.schedule.version}-{installment.number:03d}",
        amount=installment.amount - installment.legacy_paid,
        due_date=installment.due_date,
        # Named in each reader's language when shown (collection's Obligation.title).
        description=gettext_noop("Installment %(number)s of loan %(loan)s"),
        description_args={"number": installment.number, "loan": loan.number},
    )
    installment.save(update_fields=["obligation"])


@transaction.atomic
def installments_bill(*, loan: Loan | None = None, today: dt.date | None = None) -> int:
    """Bill every unbilled installment falling due within BILLING_DAYS_AHEAD days (linked loans)."""
    horizon = (today or timezone.localdate()) + dt.timedelta(days=BILLING_DAYS_AHEAD)
    due = (
        Installment.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(obligation__isnull=True, replaced=False, due_date__lte=horizon, paid__lt=F("amount"))
        .filter(loan__borrower__isnull=False)
        .select_related("loan__borrower", "loan__branch", "schedule")
        .order_by("loan_id", "number")
    )
    if loan is not None:
        due = due.filter(loan=loan)
    count = 0
    for installment in due:
        _bill(installment, installment.loan)
        count += 1
    return count


def payment_plan(
    *, loan: Loan, amount: int | None = None, count: int | None = None, lock: bool = False
) -> list[tuple[Installment, int]]:
    """What a payment of ``amount`` dinars (or of the next ``count`` installments) pays: each
    installment with the dinars it gets, the oldest unpaid first; an amount may end part-way through
    one. Raises a ValidationError on ``count`` or ``amount`` when it is out of range. The check page
    shows it; ``payment_lines`` takes it under the installments' locks."""
    unpaid_qs = current_installments(loan).filter(paid__lt=F("amount")).select_related("schedule", "obligation")
    unpaid = list(unpaid_qs.select_for_update(of=("self",)) if lock else unpaid_qs)
    if count is not None:
        if not 1 <= count <= len(unpaid):
            message = ngettext(
                "Choose between 1 and %(count)s installment.",
                "Choose between 1 and %(count)s installments.",
                len(unpaid),
            ) % {"count": len(unpaid)}
            raise ValidationError({"count": ValidationError(message, code="count")})
        return [(item, item.remaining) for item in unpaid[:count]]
    balance = sum(item.remaining for item in unpaid)
    if amount is None or not 1 <= amount <= balance:
        message = _("Enter an amount between 1 and %(balance)s dinars (what remains of the loan).") % {
            "balance": f"{balance:,}"
        }
        raise ValidationError({"amount": ValidationError(message, code="amount")})
    chosen, left = [], amount
    for item in unpaid:
        if not left:
            break
        take = min(item.remaining, left)
        chosen.append((item, take))
        left -= take
    return chosen


def payment_lines(*, loan: Loan, amount: int | None = None, count: int | None = None) -> list[collection.Line]:
    """The lines of a payment on the loan (``payment_plan``): installments not yet billed are billed
    early for it. Runs inside the caller's transaction."""
    lines = []
    for item, take in payment_plan(loan=loan, amount=amount, count=count, lock=True):
        _bill(item, loan)
        assert item.obligation is not None  # noqa: S101 — billed just above
        lines.append(collection.Line(obligation=item.obligation, amount=take))
    return lines


def loan_pay_start(
    *,
    loan: Loan,
    payer: User,
    amount: int | None = None,
    count: int | None = None,
    base_url: str | None = None,
    request: HttpRequest | None = None,
) -> Payment:
    """Start an online payment on the loan through collection's checkout."""
    if loan.borrower_id != payer.pk:
        raise PermissionDenied
    with transaction.atomic():
        lines = payment_lines(loan=loan, amount=amount, count=count)
    return collection.payment_start(payer=payer, lines=lines, base_url=base_url, request=request)


def installments_sync(obligation_ids: list[Any]) -> None:
    """Collection's listener: copy what was paid on these bills onto their installments, and mark
    loans settled when nothing remains (inside collection's transaction)."""
    installments = list(
        Installment.objects.filter(obligation_id__in=obligation_ids).select_related("obligation", "loan")
    )
    for item in installments:
        item.paid = min(item.amount, item.legacy_paid + item.obligation.amount_paid)  # type: ignore[union-attr]
        item.save(update_fields=["paid"])
    for loan in {item.loan for item in installments}:
        settled = not current_installments(loan).filter(paid__lt=F("amount")).exists()
        if settled and loan.status != LoanStatus.SETTLED:
            Loan.objects.filter(pk=loan.pk).update(status=LoanStatus.SETTLED)
            audit_record(action="loan_settle", entity=loan.branch, target=loan, data={"number": loan.number})
        elif not settled and loan.status == LoanStatus.SETTLED:  # a refund reopened it
            Loan.objects.filter(pk=loan.pk).update(status=LoanStatus.ACTIVE)


# --- Citizens linking their loan -------------------------------------------------------------


def loan_link(
    *, user: User, number: str, national_id: str, birth_date: dt.date, request: HttpRequest | None = None
) -> Loan:
    """Link a citizen's account to their loan when the three facts match (and the national ID is the
    citizen's own). The answer never says which one was wrong; every attempt is audited, failures
    included (the view limits how many are allowed)."""
    profile_id = getattr(getattr(user, "citizen_profile", None), "national_id", None)
    with transaction.atomic():
        loan = (
            Loan.objects.select_for_update()
            .filter(number=number.strip(), borrower_national_id=national_id, borrower_birth_date=birth_date)
            .first()
        )
        matches = loan is not None and profile_id == national_id and loan.borrower_id in (None, user.pk)
        if matches and loan is not None:
            if loan.borrower_id is None:
                loan.borrower = user
                loan.save(update_fields=["borrower"])
                audit_record(
                    action="loan_link", actor=user, entity=loan.branch, target=loan, data={"number": loan.number},
                    request=request,
                )  # fmt: skip
            installments_bill(loan=loan)
            return loan
    audit_record(
        action="loan_link_fail", actor=user, request=request,
        data={"number": number.strip()[:32], "national_id": mask_id(national_id)},
    )  # fmt: skip
    raise ValidationError(
        _(
            "No loan matches these details. Check the loan number, your national ID number and your date "
            "of birth as they appear on your loan contract."
        ),
        code="no_match",
    )


def loans_claim_verified(user: User, national_id: str, request: HttpRequest | None = None) -> None:
    """A citizen whose national ID the national identity platform confirmed: every loan of that
    borrower not yet linked joins their account, without the loan number or date of birth
    (accounts' national-ID listener; each link audited)."""
    if not CitizenProfile.objects.filter(
        user=user, national_id=national_id, national_id_verified_at__isnull=False
    ).exists():
        return
    claimed = []
    with transaction.atomic():
        for loan in Loan.objects.select_for_update().filter(borrower_national_id=national_id, borrower__isnull=True):
            loan.borrower = user
            loan.save(update_fields=["borrower"])
            audit_record(
                action="loan_link", actor=user, entity=loan.branch, target=loan,
                data={"number": loan.number, "by": "national_identity"}, request=request,
            )  # fmt: skip
            claimed.append(loan)
    for loan in claimed:
        installments_bill(loan=loan)


# --- Rescheduling ----------------------------------------------------------------------------


@transaction.atomic
def reschedule_propose(
    *, loan: Loan, term_months: int, reason: str, actor: User, request: HttpRequest | None = None
) -> Reschedule:
    _require_role(actor, loan.branch, OFFICER_ROLES)
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = _("Give the reason for rescheduling.")
    balance = loan_balance(loan)
    if balance <= 0:
        errors["term_months"] = _("Nothing remains to pay on this loan.")
    elif not 1 <= term_months <= 360 or balance < term_months:
        errors["term_months"] = _("The new term must be between 1 and 360 months (and not above the balance).")
    if Reschedule.objects.filter(loan=loan, status=RescheduleStatus.PROPOSED).exists():
        errors["term_months"] = _("A rescheduling of this loan is already awaiting approval.")
    if errors:
        raise ValidationError(errors)
    proposal = Reschedule.objects.create(loan=loan, term_months=term_months, reason=reason.strip(), proposed_by=actor)
    audit_record(
        action="reschedule_propose", actor=actor, entity=loan.branch, target=loan,
        data={"term_months": term_months, "reason": reason.strip()}, request=request,
    )  # fmt: skip
    return proposal


@transaction.atomic
def reschedule_decide(
    *, proposal: Reschedule, approve: bool, actor: User, request: HttpRequest | None = None
) -> Reschedule:
    """The head approves (a new schedule spreads what remains over the new term, from next month;
    the old schedule is kept, its unpaid installments marked replaced) or rejects."""
    proposal = Reschedule.objects.select_for_update(of=("self",)).select_related("loan__branch").get(pk=proposal.pk)
    loan = proposal.loan
    _require_role(actor, loan.branch, HEAD_ROLES)
    if proposal.status != RescheduleStatus.PROPOSED:
        raise ValidationError(_("This rescheduling has already been decided."), code="decided")
    proposal.decided_by, proposal.decided_at = actor, timezone.now()
    if not approve:
        proposal.status = RescheduleStatus.REJECTED
        proposal.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(action="reschedule_reject", actor=actor, entity=loan.branch, target=loan, request=request)
        return proposal
    old = Schedule.objects.select_for_update().get(loan=loan, is_current=True)
    remaining = list(current_installments(loan).select_for_update().filter(paid__lt=F("amount")))
    for item in remaining:
        if item.obligation is not None:
            collection.obligation_close(obligation=item.obligation, reason="rescheduled", actor=actor)
    balance = sum(item.amount - item.paid for item in remaining)
    # Partly paid installments keep what was paid; the rest of every unpaid one moves to the new schedule.
    for item in remaining:
        if item.paid:
            item.amount = item.paid
            item.save(update_fields=["amount"])
        else:
            item.replaced = True
            item.save(update_fields=["replaced"])
    old.is_current = False
    old.save(update_fields=["is_current"])
    today = timezone.localdate()
    schedule = _schedule_make(
        loan=loan, version=old.version + 1, total=balance, term=proposal.term_months, start=today,
        reason=proposal.reason,
    )  # fmt: skip
    # The installments of the old schedule that were paid stay part of the loan's history.
    proposal.status, proposal.schedule = RescheduleStatus.APPROVED, schedule
    proposal.save(update_fields=["status", "decided_by", "decided_at", "schedule"])
    Loan.objects.filter(pk=loan.pk).update(status=LoanStatus.RESCHEDULED)
    audit_record(
        action="reschedule_approve", actor=actor, entity=loan.branch, target=loan,
        data={"term_months": proposal.term_months, "balance": balance, "version": schedule.version},
        request=request,
    )  # fmt: skip
    installments_bill(loan=loan)
    return proposal


# --- Statements ------------------------------------------------------------------------------


def statement_context(loan: Loan, statement: Statement | None = None) -> dict[str, Any]:
    installments = list(
        Installment.objects.filter(loan=loan).select_related("schedule").order_by("schedule__version", "number")
    )
    payments = payments_for_bills(Installment.objects.filter(loan=loan).values("obligation"))
    return {
        "loan": loan,
        "entity": loan.branch,
        "installments": installments,
        "payments": list(payments),
        "balance": loan_balance(loan),
        "paid_total": sum(item.paid for item in installments),
        "statement": statement,
        "serial": statement.serial if statement else "",
        "verify_url": verify_url(statement.artifact) if statement else "",
        "issued_at": statement.issued_at if statement else timezone.now(),
        "site_url": settings.SITE_URL,
    }


@transaction.atomic
def statement_issue(*, loan: Loan, actor: Any = None) -> Statement:
    """A signed, numbered account statement as of now; the worker renders its PDF after commit."""
    now = timezone.now()
    number = counter_next(entity=loan.branch, register=STATEMENT_REGISTER, year=now.year)
    balance = loan_balance(loan)
    statement = Statement(
        loan=loan, serial=f"{loan.branch.code}-ST-{now.year}-{number:06d}", issued_at=now, balance=balance
    )
    facts = {
        "serial": statement.serial,
        "loan": loan.number,
        "borrower": loan.borrower_name,
        "balance": balance,
        "paid": sum(current_installments(loan).values_list("paid", flat=True)),
        "issued_at": now.isoformat(),
    }
    # The borrower's initials, as the verify page shows them and the token carries them.
    borrower = mask_name(loan.borrower_name)
    artifact = Signer(loan.branch).artifact(
        kind=ArtifactKind.STATEMENT,
        serial=statement.serial,
        issued_at=now,
        content=canonical_bytes(facts),
        display=[
            (gettext_noop("Loan number"), display.ltr(loan.number)),
            (gettext_noop("Borrower"), borrower),
            (gettext_noop("Balance on the statement date"), display.amount(balance)),
        ],
        holder=borrower,
    )
    artifact.save(force_insert=True)
    statement.artifact = artifact
    statement.save(force_insert=True)
    audit_record(
        action="statement_issue", actor=actor, entity=loan.branch, target=loan, data={"serial": statement.serial}
    )
    pdf_queue(statement)
    return statement


def statement_pdf_context(statement: Statement) -> dict[str, Any]:
    """What the statement's PDF shows. The worker renders it after issue (seconds, or longer behind
    a backlog): the balance is the one signed and payments made since are left out, so the page
    states what its QR vouches for. The installment rows are read as they are when rendered."""
    context = statement_context(statement.loan, statement)
    context["balance"] = statement.balance
    context["payments"] = [p for p in context["payments"] if p.succeeded_at and p.succeeded_at <= statement.issued_at]
    return context


# --- Reminders -------------------------------------------------------------------------------


def installments_remind(*, today: dt.date | None = None) -> dict[str, int]:
    """E-mail borrowers before an installment falls due, and once when it becomes overdue.
    Idempotent per installment: the time each notice went is recorded with it."""
    from housing_fund.constants import REMINDER_DAYS_BEFORE

    today = today or timezone.localdate()
    sent = {"reminders": 0, "overdue": 0}
    unpaid = Installment.objects.filter(replaced=False, paid__lt=F("amount"), loan__borrower__isnull=False)
    soon = unpaid.filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=REMINDER_DAYS_BEFORE))
    plans = [
        ("reminders", "reminded_at", soon, gettext_noop(
            "Installment %(number)s of your housing loan %(loan)s (%(amount)s IQD) is due on %(date)s.")),
        ("overdue", "overdue_notice_at", unpaid.filter(due_date__lt=today), gettext_noop(
            "Installment %(number)s of your housing loan %(loan)s (%(amount)s IQD) was due on %(date)s "
            "and is not paid.")),
    ]  # fmt: skip
    for key, field, queryset, message in plans:
        for item_id in queryset.filter(**{f"{field}__isnull": True}).values_list("pk", flat=True).iterator():
            with transaction.atomic():
                item = (
                    Installment.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(pk=item_id, **{f"{field}__isnull": True})
                    .select_related("loan__borrower")
                    .first()
                )
                if item is None:
                    continue
                setattr(item, field, timezone.now())
                item.save(update_fields=[field])
                notify(
                    users=[item.loan.borrower],  # type: ignore[list-item]
                    message=message,
                    params={
                        "number": item.number, "loan": item.loan.number, "amount": f"{item.remaining:,}",
                        "date": item.due_date.isoformat(),
                    },
                    url=reverse("housing_fund:my_loans"),
                )  # fmt: skip
                sent[key] += 1
    return sent


def next_due_date(loan: Loan) -> dt.date | None:
    item = current_installments(loan).filter(paid__lt=F("amount")).first()
    return item.due_date if item else None
