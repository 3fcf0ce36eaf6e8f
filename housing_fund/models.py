"""Housing loans, their installment schedules (the old ones kept when rescheduled), statements
and legacy imports. Money is integer IQD."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from govportal.accounts.validators import validate_national_id
from housing_fund.constants import ImportStatus, LoanPurpose, LoanStatus, RescheduleStatus


class Loan(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.CharField(_("loan number"), max_length=32, unique=True)
    borrower_name = models.CharField(_("borrower's full name"), max_length=200)
    borrower_national_id = models.CharField(
        _("borrower's national ID number"), max_length=12, validators=[validate_national_id], db_index=True
    )
    borrower_birth_date = models.DateField(_("borrower's date of birth"))
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("linked account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loans",
        help_text=_("The citizen's portal account, once they have linked the loan."),
    )
    purpose = models.CharField(_("purpose"), max_length=12, choices=LoanPurpose.choices)
    principal = models.BigIntegerField(_("principal (IQD)"))
    admin_fee = models.BigIntegerField(_("administrative fee (IQD)"), default=0)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    start_date = models.DateField(_("start date"), help_text=_("The first installment falls due a month later."))
    branch = models.ForeignKey("entities.Entity", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=LoanStatus.choices, default=LoanStatus.ACTIVE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("housing loan")
        verbose_name_plural = _("housing loans")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=Q(principal__gt=0), name="loan_principal_positive"),
            models.CheckConstraint(condition=Q(admin_fee__gte=0), name="loan_fee_not_negative"),
            models.CheckConstraint(condition=Q(term_months__gte=1, term_months__lte=360), name="loan_term_range"),
        ]
        indexes = [models.Index(fields=["branch", "status"])]

    def __str__(self) -> str:
        return self.number

    @property
    def total(self) -> int:
        return self.principal + self.admin_fee


class Schedule(models.Model):
    """One version of a loan's installment plan; a rescheduling adds a new one and keeps the old."""

    loan = models.ForeignKey(Loan, verbose_name=_("loan"), on_delete=models.CASCADE, related_name="schedules")
    version = models.PositiveSmallIntegerField(_("version"))
    is_current = models.BooleanField(_("current"), default=True)
    total = models.BigIntegerField(_("total (IQD)"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("installment schedule")
        verbose_name_plural = _("installment schedules")
        ordering = ["loan", "version"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "version"], name="schedule_unique_version"),
            models.UniqueConstraint(fields=["loan"], condition=Q(is_current=True), name="schedule_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.loan_id} v{self.version}"


class Installment(models.Model):
    schedule = models.ForeignKey(
        Schedule, verbose_name=_("schedule"), on_delete=models.CASCADE, related_name="installments"
    )
    loan = models.ForeignKey(Loan, verbose_name=_("loan"), on_delete=models.CASCADE, related_name="installments")
    number = models.PositiveSmallIntegerField(_("number"))
    due_date = models.DateField(_("due date"))
    amount = models.BigIntegerField(_("amount (IQD)"))
    paid = models.BigIntegerField(
        _("paid (IQD)"), default=0, help_text=_("Kept equal to what was paid on its bill (or in the legacy system).")
    )
    obligation = models.OneToOneField(
        "collection.Obligation",
        verbose_name=_("bill"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="installment",
    )
    legacy_paid = models.BigIntegerField(_("paid before the portal (IQD)"), default=0)
    replaced = models.BooleanField(_("replaced by a new schedule"), default=False)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    overdue_notice_at = models.DateTimeField(_("overdue notice sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("installment")
        verbose_name_plural = _("installments")
        ordering = ["schedule", "number"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "number"], name="installment_unique_number"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="installment_amount_positive"),
            models.CheckConstraint(
                condition=Q(paid__gte=0) & Q(paid__lte=F("amount")), name="installment_paid_within_amount"
            ),
        ]
        indexes = [
            # Arrears and "what is due" read only installments not fully paid: a small part of the table.
            models.Index(
                fields=["loan", "due_date"],
                name="installment_unpaid_idx",
                condition=Q(paid__lt=F("amount"), replaced=False),
            ),
            models.Index(fields=["due_date"], name="installment_due_unpaid_idx", condition=Q(paid__lt=F("amount"))),
        ]

    def __str__(self) -> str:
        return f"{self.loan_id} #{self.number}"

    @property
    def remaining(self) -> int:
        return self.amount - self.paid


class Reschedule(models.Model):
    """A fund officer proposes a new term for what remains; the entity head approves or rejects."""

    loan = models.ForeignKey(Loan, verbose_name=_("loan"), on_delete=models.PROTECT, related_name="reschedules")
    term_months = models.PositiveSmallIntegerField(_("new term (months)"))
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(
        _("status"), max_length=12, choices=RescheduleStatus.choices, default=RescheduleStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    schedule = models.OneToOneField(
        Schedule, verbose_name=_("new schedule"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("rescheduling")
        verbose_name_plural = _("reschedulings")
        ordering = ["-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["loan"], condition=Q(status=RescheduleStatus.PROPOSED), name="reschedule_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.loan_id}: {self.term_months}"


def statement_pdf_path(instance: Statement, filename: str) -> str:
    return f"housing_fund/statements/{instance.issued_at:%Y}/{instance.serial}.pdf"


class Statement(models.Model):
    """An account statement as issued on a given day: signed, numbered, with its PDF."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    loan = models.ForeignKey(Loan, verbose_name=_("loan"), on_delete=models.PROTECT, related_name="statements")
    serial = models.CharField(_("serial"), max_length=40, unique=True)
    issued_at = models.DateTimeField(_("issued at"))
    balance = models.BigIntegerField(_("balance (IQD)"))
    artifact = models.OneToOneField(
        "verification.Artifact", verbose_name=_("verification record"), on_delete=models.PROTECT, related_name="+"
    )
    pdf = models.FileField(_("PDF"), upload_to=statement_pdf_path, blank=True)

    class Meta:
        verbose_name = _("account statement")
        verbose_name_plural = _("account statements")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.serial


def import_upload_path(instance: LoanImport, filename: str) -> str:
    return f"housing_fund/imports/{instance.created_at:%Y/%m}/{instance.sha256}.csv"


class LoanImport(models.Model):
    """A legacy loans file imported from the upload page (the command does the same in one go)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    upload = models.FileField(_("file"), upload_to=import_upload_path, blank=True)
    branch = models.ForeignKey("entities.Entity", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    counts = models.JSONField(_("result"), default=dict)
    errors = models.JSONField(_("errors"), default=list)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("loan import")
        verbose_name_plural = _("loan imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name
