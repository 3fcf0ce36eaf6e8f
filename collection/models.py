"""Bills, payments and their allocations, provider events, refunds, receipts, outlets and
settlement files. Money is integer Iraqi dinars throughout."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from collection.constants import (
    ACTIVE,
    CURRENCY,
    EVERY_DAY,
    FETCH_UNDER_WAY,
    TRANSITIONS,
    WORKING_DAYS,
    DiscrepancyKind,
    EventOutcome,
    FetchStatus,
    Governorate,
    Method,
    ObligationStatus,
    OutletStatus,
    PaymentStatus,
    Provider,
    Purpose,
    RefundReason,
    RefundStatus,
    Resolution,
    RowOutcome,
    SettlementStatus,
    Weekday,
)
from govportal.entities.models import entity_code_validator
from govportal.text import in_reader_language

_OBLIGATION_TONES: dict[str, str] = {
    ObligationStatus.OPEN: "blue",
    ObligationStatus.PARTIALLY_PAID: "amber",
    ObligationStatus.PAID: "green",
    ObligationStatus.CANCELLED: "grey",
    ObligationStatus.WAIVED: "grey",
}
_REFUND_TONES: dict[str, str] = {
    RefundStatus.PENDING: "blue",
    RefundStatus.SUCCEEDED: "green",
    RefundStatus.FAILED: "red",
}
_PAYMENT_TONES: dict[str, str] = {
    PaymentStatus.CREATED: "grey",
    PaymentStatus.PENDING: "blue",
    PaymentStatus.SUCCEEDED: "green",
    PaymentStatus.FAILED: "red",
    PaymentStatus.CANCELLED: "grey",
    PaymentStatus.EXPIRED: "grey",
    PaymentStatus.PARTIALLY_REFUNDED: "amber",
    PaymentStatus.REFUNDED: "amber",
}


class IllegalTransition(ValidationError):
    """A payment was asked to move where the state machine does not allow."""


PAYABLE = (ObligationStatus.OPEN, ObligationStatus.PARTIALLY_PAID)
# What a bill shows where a state is read: its status, or "overdue" for a payable bill past its due day.
OVERDUE = "overdue"


def overdue_q(today: dt.date | None = None) -> Q:
    """The one rule for an overdue bill: still payable and its due day (Baghdad) has passed.
    ``Obligation.is_overdue`` says the same of one bill in hand."""
    return Q(status__in=PAYABLE, due_date__lt=today or timezone.localdate())


class ObligationQuerySet(models.QuerySet["Obligation"]):
    def payable(self) -> ObligationQuerySet:
        return self.filter(status__in=PAYABLE)

    def overdue(self, today: dt.date | None = None) -> ObligationQuerySet:
        return self.filter(overdue_q(today))


class Obligation(models.Model):
    """A bill a citizen owes a collecting entity.

    A bill another agency posts through the API names its payer by national ID: it waits, with no
    payer, until a citizen whose national ID the identity platform verified signs up or signs in
    (``obligations_claim_verified``); it is then theirs like any other bill."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("payer"),
        on_delete=models.PROTECT,
        related_name="obligations",
        null=True,
        blank=True,
        help_text=_("Empty while the bill waits for a citizen with its national ID."),
    )
    payer_national_id = models.CharField(
        _("payer's national ID"),
        max_length=12,
        blank=True,
        help_text=_("As the collecting entity gave it (bills posted through the API)."),
    )
    collecting_entity = models.ForeignKey(
        "entities.Entity", verbose_name=_("collecting entity"), on_delete=models.PROTECT, related_name="+"
    )
    api_client = models.ForeignKey(
        "api.ApiClient",
        verbose_name=_("posted by API client"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The agency's system that posted the bill: it is told of its payments and cancellation."),
    )
    purpose = models.CharField(_("purpose"), max_length=24, choices=Purpose.choices)
    reference = models.CharField(_("reference"), max_length=64, help_text=_("The collecting entity's own reference."))
    description = models.CharField(
        _("description"),
        max_length=200,
        blank=True,
        help_text=_("The collecting entity's own words; with description arguments, a text translated when shown."),
    )
    # A bill named in words each reader sees in their own language: ``description`` is then a msgid
    # (marked with gettext_noop) and these are its arguments ({} for none); None for plain words.
    description_args = models.JSONField(_("description arguments"), null=True, blank=True, default=None)
    amount = models.BigIntegerField(_("amount (IQD)"))
    amount_paid = models.BigIntegerField(_("amount paid (IQD)"), default=0)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=16, choices=ObligationStatus.choices, default=ObligationStatus.OPEN
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ObligationQuerySet.as_manager()

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        ordering = ["due_date", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["collecting_entity", "reference"], name="obligation_unique_reference"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="obligation_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0) & Q(amount_paid__lte=F("amount")), name="obligation_paid_within_amount"
            ),
            models.CheckConstraint(
                condition=Q(payer__isnull=False) | ~Q(payer_national_id=""), name="obligation_payer_or_national_id"
            ),
        ]
        indexes = [
            models.Index(fields=["payer", "status", "due_date"]),
            # The bills waiting for a national ID, found at each national sign-in: a small part of the table.
            models.Index(
                fields=["payer_national_id"], condition=Q(payer__isnull=True), name="obligation_waiting_payer_idx"
            ),
            # An agency's bills through the API, newest first.
            models.Index(fields=["collecting_entity", "-created_at", "-id"], name="obligation_entity_created_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def remaining(self) -> int:
        return self.amount - self.amount_paid

    @property
    def status_tone(self) -> str:
        return _OBLIGATION_TONES[self.status]

    @property
    def title(self) -> str:
        """What the bill is, in the reader's language: "Installment 15 of loan IHF-…", the entity's own
        description ("Property valuation fee"), or its purpose when it has neither."""
        if self.description and self.description_args is not None:
            return gettext(self.description) % self.description_args
        return self.description or str(self.get_purpose_display())

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """``overdue_q`` for this bill."""
        return self.status in PAYABLE and self.due_date < (today or timezone.localdate())

    @property
    def state(self) -> str:
        """The status a reader sees: its status, or "overdue" for a payable bill past its due day."""
        return OVERDUE if self.is_overdue() else self.status

    @property
    def state_label(self) -> str:
        if self.state == OVERDUE:
            return pgettext("bill status", "Overdue")
        return str(self.get_status_display())

    @property
    def state_tone(self) -> str:
        return "red" if self.state == OVERDUE else self.status_tone


class PaymentQuerySet(models.QuerySet["Payment"]):
    def active(self) -> PaymentQuerySet:
        return self.filter(status__in=ACTIVE)

    def unsettled(self) -> PaymentQuerySet:
        """Not (yet) confirmed by a provider's settlement file."""
        return self.exclude(Exists(Settlement.objects.filter(payment=OuterRef("pk"))))


class Payment(models.Model):
    """One attempt to pay one or more bills by card, online or at an outlet."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payment_ref = models.CharField(_("payment reference"), max_length=32, unique=True, editable=False)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("payer"), on_delete=models.PROTECT, related_name="payments"
    )
    collecting_entity = models.ForeignKey(
        "entities.Entity", verbose_name=_("collecting entity"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.BigIntegerField(_("amount (IQD)"))
    currency = models.CharField(_("currency"), max_length=3, default=CURRENCY, editable=False)
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    provider = models.CharField(_("provider"), max_length=16, choices=Provider.choices)
    provider_ref = models.CharField(_("provider reference"), max_length=80, blank=True)
    checkout_url = models.URLField(_("checkout address"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.CREATED)
    refunded_amount = models.BigIntegerField(_("refunded (IQD)"), default=0)
    # The same payer paying the same bills: one active payment (see payment_start).
    basket_key = models.CharField(_("bills paid (key)"), max_length=64, editable=False)
    failure_reason = models.CharField(_("reason for failure"), max_length=200, blank=True)
    card_last4 = models.CharField(_("card (last 4 digits)"), max_length=4, blank=True)
    # Outlet payments.
    outlet = models.ForeignKey(
        "collection.Outlet", verbose_name=_("outlet"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cashier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    terminal_id = models.CharField(_("terminal ID"), max_length=32, blank=True)
    approval_code = models.CharField(_("approval code"), max_length=12, blank=True)
    rrn = models.CharField(_("retrieval reference number (RRN)"), max_length=24, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    succeeded_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0) & Q(refunded_amount__lte=F("amount")),
                name="payment_refund_within_amount",
            ),
            models.UniqueConstraint(
                fields=["payer", "basket_key"], condition=Q(status__in=ACTIVE), name="payment_one_active_per_basket"
            ),
            models.CheckConstraint(
                condition=~Q(method=Method.OUTLET_CARD) | (Q(outlet__isnull=False) & ~Q(terminal_id="")),
                name="payment_outlet_has_terminal",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["provider", "status", "succeeded_at"]),
            models.Index(fields=["outlet", "succeeded_at"]),
            # FIB's payments and outlet slips are known to their providers by this reference: their
            # settlement lines and FIB's callbacks find the payment by it.
            models.Index(fields=["provider", "provider_ref"], name="payment_provider_ref"),
        ]

    def __str__(self) -> str:
        return self.payment_ref

    @property
    def refundable(self) -> int:
        return self.amount - self.refunded_amount

    @property
    def status_tone(self) -> str:
        return _PAYMENT_TONES[self.status]

    def transition_to(self, status: str) -> None:
        """Move along the state machine (the caller holds the row lock and saves)."""
        if status not in TRANSITIONS[self.status]:
            raise IllegalTransition(
                _("A payment cannot go from %(old)s to %(new)s.")
                % {"old": PaymentStatus(self.status).label, "new": PaymentStatus(status).label},
                code="illegal_transition",
            )
        self.status = status


class Allocation(models.Model):
    """How much of a payment goes to one bill."""

    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.CASCADE, related_name="allocations"
    )
    obligation = models.ForeignKey(
        Obligation, verbose_name=_("bill"), on_delete=models.PROTECT, related_name="allocations"
    )
    amount = models.BigIntegerField(_("amount (IQD)"))
    refunded = models.BigIntegerField(_("refunded (IQD)"), default=0)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(fields=["payment", "obligation"], name="allocation_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded__gte=0) & Q(refunded__lte=F("amount")), name="allocation_refund_within"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.obligation_id}: {self.amount}"


class PaymentEvent(models.Model):
    """A provider's notification, kept once per event id; processed by a task."""

    provider = models.CharField(_("provider"), max_length=16, choices=Provider.choices)
    event_id = models.CharField(_("event ID"), max_length=80)
    kind = models.CharField(_("type"), max_length=40)
    payment_ref = models.CharField(_("payment reference"), max_length=80, blank=True)
    payload = models.JSONField(_("payload"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=EventOutcome.choices, default=EventOutcome.RECEIVED)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("provider event")
        verbose_name_plural = _("provider events")
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="payment_event_unique")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"


class RefundQuerySet(models.QuerySet["Refund"]):
    def pending(self) -> RefundQuerySet:
        return self.filter(status=RefundStatus.PENDING)

    def pending_total(self) -> int:
        """What these refunds hold until the provider answers (counted against what remains)."""
        total = self.pending().aggregate(total=Sum("amount"))["total"]
        return int(total or 0)


class Refund(models.Model):
    """Money given back on a payment. Reserved first (pending, counted against what remains to
    refund), then confirmed or refused by the provider, called outside our transactions; only a
    confirmed refund changes the payment, its bills and its receipt (once: see ``refund_settle``).
    Its id is the idempotency key sent to the provider, so asking again never refunds twice."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="refunds")
    amount = models.BigIntegerField(_("amount (IQD)"))
    reason = models.CharField(
        _("reason"),
        max_length=16,
        choices=RefundReason.choices,
        help_text=_("Reduced or waived: the bill's amount goes down and it stays paid. In error: the bill reopens."),
    )
    note = models.CharField(_("officer's note"), max_length=300)
    status = models.CharField(_("status"), max_length=12, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    provider_ref = models.CharField(_("provider's refund reference"), max_length=80, blank=True)
    failure_reason = models.CharField(_("reason refused"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    checked_at = models.DateTimeField(_("provider last asked at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("confirmed or refused at"), null=True, blank=True)

    objects = RefundQuerySet.as_manager()

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(status=RefundStatus.PENDING, decided_at__isnull=True)
                | (~Q(status=RefundStatus.PENDING) & Q(decided_at__isnull=False)),
                name="refund_decided_unless_pending",
            ),
            # One of our refunds per refund at the provider (a refused one may be tried again).
            models.UniqueConstraint(
                fields=["payment", "provider_ref"],
                condition=~Q(provider_ref="") & ~Q(status=RefundStatus.FAILED),
                name="refund_provider_ref_once",
            ),
        ]
        indexes = [
            # The periodic check reads the few pending refunds of a large table.
            models.Index(fields=["created_at"], condition=Q(status=RefundStatus.PENDING), name="refund_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id}: {self.amount}"

    @property
    def status_tone(self) -> str:
        return _REFUND_TONES[self.status]


def receipt_pdf_path(instance: Receipt, filename: str) -> str:
    return f"collection/receipts/{instance.issued_at:%Y}/{instance.serial.replace('/', '-')}.pdf"


class Receipt(models.Model):
    """Issued once per succeeded payment, with a gapless serial per collecting entity per year."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payment = models.OneToOneField(Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="receipt")
    collecting_entity = models.ForeignKey(
        "entities.Entity", verbose_name=_("collecting entity"), on_delete=models.PROTECT, related_name="+"
    )
    serial = models.CharField(_("serial"), max_length=40)
    issued_at = models.DateTimeField(_("issued at"))
    artifact = models.OneToOneField(
        "verification.Artifact", verbose_name=_("verification record"), on_delete=models.PROTECT, related_name="+"
    )
    pdf = models.FileField(_("PDF"), upload_to=receipt_pdf_path, blank=True)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-issued_at"]
        constraints = [models.UniqueConstraint(fields=["collecting_entity", "serial"], name="receipt_unique_serial")]

    def __str__(self) -> str:
        return self.serial


terminal_id_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{1,31}$",
    _("Use 2 to 32 Latin letters, digits or hyphens, as the terminal prints its ID on the slip."),
)
phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 -]{5,18}[0-9]$", _("Enter a telephone number of digits, for example 07701234567.")
)


def open_days_text(mask: int) -> str:
    """The days of ``mask`` as people say them: "Sunday to Thursday", "Saturday, Monday"."""
    if mask & EVERY_DAY == EVERY_DAY:
        return str(_("Every day"))
    runs: list[list[Weekday]] = []
    previous_open = False
    for day in Weekday:  # in the Iraqi week's order, Saturday first
        is_open = bool(mask & (1 << day))
        if is_open and previous_open:
            runs[-1].append(day)
        elif is_open:
            runs.append([day])
        previous_open = is_open
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(str(_("%(first)s to %(last)s") % {"first": run[0].label, "last": run[-1].label}))
        else:
            parts.extend(str(day.label) for day in run)
    return str(pgettext("list separator", ", ")).join(parts)


class Closable(models.Model):
    """When, by whom and why an outlet or a terminal was last closed (its history is in the audit log)."""

    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    close_reason = models.CharField(_("reason for closing"), max_length=300, blank=True, editable=False)

    class Meta:
        abstract = True


class OutletQuerySet(models.QuerySet["Outlet"]):
    def open(self) -> OutletQuerySet:
        return self.filter(status=OutletStatus.OPEN)


class Outlet(Closable):
    """A place where citizens pay in person, by card (no cash), run by a collecting entity.

    Set up first (details, card terminals, cashiers), then opened to citizens; closed and opened
    again by the entity's head (``collection.services.outlet_network``). Its code never changes: it
    names the outlet in payments, closing reports and the audit log. Only an open outlet takes
    payments and is listed for citizens.
    """

    entity = models.ForeignKey(
        "entities.Entity", verbose_name=_("collecting entity"), on_delete=models.PROTECT, related_name="outlets"
    )
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[entity_code_validator],
        help_text=_("Permanent: it names the outlet in payments and reports, e.g. IHF-BGD-01."),
    )
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    governorate = models.CharField(_("governorate"), max_length=16, choices=Governorate.choices)
    address_ar = models.CharField(_("address (Arabic)"), max_length=300)
    # Blank only on outlets from before addresses were kept in both languages (migration 0007).
    address_en = models.CharField(_("address (English)"), max_length=300)
    phone = models.CharField(_("telephone"), max_length=20, blank=True, validators=[phone_validator])
    open_days = models.PositiveSmallIntegerField(
        _("open on"), default=WORKING_DAYS, help_text=_("The days of the week it is open (a bit per day).")
    )
    opens_at = models.TimeField(_("opens at"), default=dt.time(8, 0))
    closes_at = models.TimeField(_("closes at"), default=dt.time(14, 0))
    status = models.CharField(_("status"), max_length=12, choices=OutletStatus.choices, default=OutletStatus.SETTING_UP)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    opened_at = models.DateTimeField(_("last opened at"), null=True, blank=True, editable=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last opened by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = OutletQuerySet.as_manager()

    class Meta:
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=OutletStatus.OPEN) | Q(opened_at__isnull=False), name="outlet_open_since"
            ),
            models.CheckConstraint(
                condition=~Q(status=OutletStatus.CLOSED) | Q(closed_at__isnull=False), name="outlet_closed_since"
            ),
            models.CheckConstraint(condition=Q(opens_at__lt=F("closes_at")), name="outlet_hours_in_order"),
            models.CheckConstraint(
                condition=Q(open_days__gte=1) & Q(open_days__lte=EVERY_DAY), name="outlet_open_some_day"
            ),
        ]
        indexes = [models.Index(fields=["status", "governorate"], name="outlet_status_governorate")]

    def __str__(self) -> str:
        return f"{self.code} {self.name_ar}"

    @property
    def name(self) -> str:
        """The name in the reader's language (Arabic for Kurdish readers: outlets have no Kurdish name)."""
        return in_reader_language(ar=self.name_ar, en=self.name_en)

    @property
    def address(self) -> str:
        """The address in the active language (the Arabic one where no English was given)."""
        return in_reader_language(ar=self.address_ar, en=self.address_en)

    @property
    def open_days_text(self) -> str:
        return open_days_text(self.open_days)

    @property
    def is_open(self) -> bool:
        return self.status == OutletStatus.OPEN

    @property
    def status_tone(self) -> str:
        return _OUTLET_TONES[self.status]


_OUTLET_TONES: dict[str, str] = {
    OutletStatus.SETTING_UP: "blue",
    OutletStatus.OPEN: "green",
    OutletStatus.CLOSED: "grey",
}


class TerminalQuerySet(models.QuerySet["Terminal"]):
    def open(self) -> TerminalQuerySet:
        return self.filter(closed_at__isnull=True)


class Terminal(Closable):
    """A card terminal (POS) at an outlet. Cashiers record payments only on an open terminal of
    their outlet; a payment keeps the terminal ID printed on its slip (``Payment.terminal_id``),
    so closing or moving a terminal changes no past payment. A terminal ID is open at one outlet
    at a time; a terminal moved elsewhere is closed here and added there."""

    outlet = models.ForeignKey(Outlet, verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="terminals")
    terminal_id = models.CharField(
        _("terminal ID"),
        max_length=32,
        validators=[terminal_id_validator],
        help_text=_("As printed at the top of the terminal's card slips (TID)."),
    )
    serial_number = models.CharField(
        _("serial number"), max_length=40, blank=True, help_text=_("From the label on the device.")
    )
    acquirer = models.CharField(
        _("bank or payment company"),
        max_length=100,
        blank=True,
        help_text=_("Who supplied the terminal and settles its payments."),
    )
    created_at = models.DateTimeField(_("added at"), default=timezone.now, editable=False)

    objects = TerminalQuerySet.as_manager()

    class Meta:
        verbose_name = _("card terminal")
        verbose_name_plural = _("card terminals")
        ordering = ["outlet", "terminal_id"]
        constraints = [
            models.UniqueConstraint(fields=["outlet", "terminal_id"], name="terminal_unique_at_outlet"),
            models.UniqueConstraint(
                fields=["terminal_id"], condition=Q(closed_at__isnull=True), name="terminal_open_at_one_outlet"
            ),
        ]

    def __str__(self) -> str:
        return self.terminal_id

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class CashierAssignment(models.Model):
    """A cashier (a member of the outlet's entity with the outlet-cashier role) works at this
    outlet. Unassigning deletes the row; who was assigned when is in the audit log, and past
    payments keep their cashier."""

    outlet = models.ForeignKey(Outlet, verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="assignments")
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cashier"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now, editable=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("cashier assignment")
        verbose_name_plural = _("cashier assignments")
        ordering = ["outlet", "assigned_at"]
        constraints = [models.UniqueConstraint(fields=["outlet", "cashier"], name="cashier_assigned_once")]

    def __str__(self) -> str:
        return f"{self.outlet_id}: {self.cashier_id}"


class MerchantAccount(models.Model):
    """A collecting entity's account with a payment company: the merchant ID an acquirer's report
    names, or the FIB account a bank report is for. A settlement file belongs to the entity whose
    account it reports: only that entity's staff import it, and it settles only its payments."""

    provider = models.CharField(
        _("payment company"),
        max_length=16,
        choices=[(Provider.ACQUIRER, Provider.ACQUIRER.label), (Provider.FIB, Provider.FIB.label)],
    )
    account_id = models.CharField(
        _("merchant account"),
        max_length=40,
        validators=[RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$", _("Use Latin letters, digits or hyphens."))],
        help_text=_("As the company writes it in its reports: the merchant ID (MID) or the account ID."),
    )
    entity = models.ForeignKey(
        "entities.Entity",
        verbose_name=_("collecting entity"),
        on_delete=models.PROTECT,
        related_name="merchant_accounts",
    )
    created_at = models.DateTimeField(_("added at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("merchant account")
        verbose_name_plural = _("merchant accounts")
        ordering = ["provider", "account_id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "account_id"], name="merchant_account_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.account_id}"


def settlement_upload_path(instance: SettlementFile, filename: str) -> str:
    return f"collection/settlements/{instance.provider}/{instance.sha256}.csv"


class SettlementFile(models.Model):
    """A provider's settlement report, imported once (by content hash) and reconciled."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider = models.CharField(_("provider"), max_length=16, choices=Provider.choices)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    name = models.CharField(_("file name"), max_length=200)
    upload = models.FileField(_("file"), upload_to=settlement_upload_path, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Whose file it is: the entity of the merchant account it reports (acquirer, FIB), or of the
    # person who imported it (sandbox). None: a sandbox file the system imported for every entity.
    entity = models.ForeignKey(
        "entities.Entity",
        verbose_name=_("collecting entity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    account = models.CharField(_("merchant account"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=SettlementStatus.choices, default=SettlementStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    counts = models.JSONField(_("rows per outcome"), default=dict)
    # {"<entity pk>": {"<outcome>": n, "missing": n}}: what each collecting entity's staff may see.
    entity_counts = models.JSONField(_("rows per outcome, by collecting entity"), default=dict)
    errors = models.JSONField(_("errors"), default=list)
    settled_from = models.DateTimeField(_("first settlement"), null=True, blank=True)
    settled_to = models.DateTimeField(_("last settlement"), null=True, blank=True)
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("settlement file")
        verbose_name_plural = _("settlement files")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["provider", "sha256"], name="settlement_file_unique")]

    def __str__(self) -> str:
        return self.name


class SettlementFetch(models.Model):
    """A staff member's request for a provider's settlement file of one day: a task fetches it through
    the provider's adapter and imports it as an upload would be (``reconciliation.fetching``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider = models.CharField(_("provider"), max_length=16, choices=Provider.choices)
    day = models.DateField(_("day"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    # The requester's language: the task says what came of it in their words.
    language = models.CharField(_("language"), max_length=8, default="ar")
    status = models.CharField(_("status"), max_length=12, choices=FetchStatus.choices, default=FetchStatus.QUEUED)
    file = models.ForeignKey(
        SettlementFile,
        verbose_name=_("settlement file"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The file imported, or the one imported before with the same content."),
    )
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("settlement file request")
        verbose_name_plural = _("settlement file requests")
        ordering = ["-requested_at"]
        constraints = [
            # Asking again for a day whose file is being fetched joins that request.
            models.UniqueConstraint(
                fields=["provider", "day"],
                condition=Q(status__in=FETCH_UNDER_WAY),
                name="settlement_fetch_one_at_a_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.day}"


class Settlement(models.Model):
    """A payment's settlement: the line of a provider's settlement file that confirmed it, once.

    Written only by ``collection.reconciliation``, a million at a time, from the rows it matched:
    the provider's amount and currency were the payment's, so only what the file adds is kept
    here (the whole line stays in the stored file). Settling is this insert, keyed by the
    payment, never an update of the payment, whose many indexes a million updates would rewrite.
    The foreign keys carry no database constraint, as on ``SettlementRow``.
    """

    payment = models.OneToOneField(
        Payment,
        verbose_name=_("payment"),
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="settlement",
        db_constraint=False,
    )
    file = models.ForeignKey(
        SettlementFile,
        verbose_name=_("file"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,  # read by payment; a file's counts are kept with the file
    )
    line = models.PositiveIntegerField(_("line"))
    txn_id = models.CharField(_("transaction ID"), max_length=80)
    settled_at = models.DateTimeField(_("settled at"))
    fee = models.BigIntegerField(_("fee (IQD)"), default=0)

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")

    def __str__(self) -> str:
        return f"{self.file_id}:{self.line}"


class SettlementRow(models.Model):
    """A line of a settlement file that settled nothing, kept whole with what reconciliation made
    of it; each is in front of staff as a ``Discrepancy``. (A matched line is a ``Settlement``.)

    Written only by ``collection.reconciliation``, by an ``INSERT … SELECT`` that takes
    ``payment`` and ``collecting_entity`` from a join with the payments in the same transaction,
    under a lock on ``file``. So the three foreign keys carry no database constraint: checking
    them again would queue three deferred trigger events per row, checked one by one at commit.
    Files, payments and entities are never deleted (PROTECT).
    """

    file = models.ForeignKey(
        SettlementFile,
        verbose_name=_("file"),
        on_delete=models.CASCADE,
        related_name="rows",
        db_constraint=False,
        db_index=False,  # the index on (file, line) below
    )
    line = models.PositiveIntegerField(_("line"))
    txn_id = models.CharField(_("transaction ID"), max_length=80)
    payment_ref = models.CharField(_("payment reference"), max_length=80)
    amount = models.BigIntegerField(_("amount (IQD)"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("provider status"), max_length=20)
    settled_at = models.DateTimeField(_("settled at"))
    card_last4 = models.CharField(_("card (last 4 digits)"), max_length=4, blank=True)
    fee = models.BigIntegerField(_("fee (IQD)"), default=0)
    payment = models.ForeignKey(
        Payment,
        verbose_name=_("payment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,  # a payment's rows are found through their discrepancies
    )
    # The payment's collecting entity, copied at matching: scoping rows to staff needs no join.
    # No index of its own: rows are always read within one file or through a discrepancy.
    collecting_entity = models.ForeignKey(
        "entities.Entity",
        verbose_name=_("collecting entity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=RowOutcome.choices)

    class Meta:
        verbose_name = _("settlement row")
        verbose_name_plural = _("settlement rows")
        ordering = ["file", "line"]
        indexes = [models.Index(fields=["file", "line"], name="settlement_row_file_line")]
        constraints = [
            models.CheckConstraint(condition=~Q(outcome=RowOutcome.MATCHED), name="settlement_row_not_matched"),
        ]

    def __str__(self) -> str:
        return f"{self.file_id}:{self.line}"


class Discrepancy(models.Model):
    """Something staff must look at: money that does not add up between us and a provider.

    Reconciliation writes them ten thousand at a time, by an ``INSERT … SELECT`` that takes the
    entity, payment, row and file from the rows it has just written in the same transaction (as
    for ``SettlementRow``); the few others come from the ORM with the objects in hand. So those
    four foreign keys carry no database constraint: checking them again would lock each payment
    and queue four deferred trigger events per row, checked one by one at commit. None of them
    is ever deleted while a discrepancy points at it (PROTECT; a row goes with its file).
    """

    kind = models.CharField(_("kind"), max_length=20, choices=DiscrepancyKind.choices)
    provider = models.CharField(_("provider"), max_length=16, choices=Provider.choices)
    collecting_entity = models.ForeignKey(
        "entities.Entity",
        verbose_name=_("collecting entity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    payment = models.ForeignKey(
        Payment,
        verbose_name=_("payment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    row = models.OneToOneField(
        SettlementRow,
        verbose_name=_("settlement row"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        db_constraint=False,
    )
    file = models.ForeignKey(
        SettlementFile,
        verbose_name=_("found in settlement file"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="discrepancies",
        db_constraint=False,
    )
    expected_amount = models.BigIntegerField(_("our amount (IQD)"), null=True, blank=True)
    reported_amount = models.BigIntegerField(_("provider's amount (IQD)"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)
    resolution = models.CharField(_("resolution"), max_length=24, choices=Resolution.choices, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("discrepancy")
        verbose_name_plural = _("discrepancies")
        ordering = ["-created_at"]
        constraints = [
            # A payment is reported missing from settlement once, however many files are imported.
            models.UniqueConstraint(
                fields=["payment"], condition=Q(kind=DiscrepancyKind.MISSING), name="discrepancy_missing_once"
            ),
        ]
        indexes = [models.Index(fields=["resolved_at", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.payment_id or self.row_id}"


class SandboxCharge(models.Model):
    """The sandbox gateway's own record of a charge: it plays the e-payment company's side."""

    class State(models.TextChoices):
        OPEN = "open", _("Awaiting card")
        SUCCEEDED = "succeeded", _("Succeeded")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.CharField(_("transaction ID"), max_length=40, primary_key=True)
    payment_ref = models.CharField(_("merchant reference"), max_length=40, unique=True)
    merchant = models.CharField(_("merchant"), max_length=200)
    amount = models.BigIntegerField(_("amount (IQD)"))
    currency = models.CharField(_("currency"), max_length=3, default=CURRENCY)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.OPEN)
    decline_reason = models.CharField(_("reason declined"), max_length=40, blank=True)
    card_last4 = models.CharField(_("card (last 4 digits)"), max_length=4, blank=True)
    send_webhooks = models.BooleanField(_("sends notifications"), default=True)
    refunded = models.BigIntegerField(_("refunded (IQD)"), default=0)
    # How the company treats refunds of this charge (chosen by the test card paid with).
    refunds_behave = models.CharField(_("refunds"), max_length=12, blank=True)
    fee = models.BigIntegerField(_("fee (IQD)"), default=0)
    return_url = models.URLField(_("return address"), max_length=500)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sandbox charge")
        verbose_name_plural = _("sandbox charges")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.id


class SandboxRefund(models.Model):
    """The sandbox gateway's record of a refund, once per merchant idempotency key."""

    class State(models.TextChoices):
        PENDING = "pending", _("Processing")
        SUCCEEDED = "succeeded", _("Refunded")
        REFUSED = "refused", _("Refused")

    id = models.CharField(_("refund ID"), max_length=40, primary_key=True)
    charge = models.ForeignKey(
        SandboxCharge, verbose_name=_("charge"), on_delete=models.CASCADE, related_name="refund_records"
    )
    key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    amount = models.BigIntegerField(_("amount (IQD)"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices)
    reason = models.CharField(_("reason refused"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox refund")
        verbose_name_plural = _("sandbox refunds")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.id
