from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

CURRENCY = "IQD"
RECEIPT_REGISTER = "receipt"
# A pending payment older than this is polled at its provider, then expired.
PAYMENT_EXPIRY_MINUTES = 30
# A payment that succeeded with us this many days before a settlement file's last settlement
# and appears in no settlement file is reported missing.
SETTLEMENT_WINDOW_DAYS = 2


class Purpose(models.TextChoices):
    HOUSING_INSTALLMENT = "housing_installment", _("Housing loan installment")
    ELECTRICITY = "electricity", _("Electricity bill")
    TRANSPORT_FEE = "transport_fee", _("Transport fee")
    OTHER = "other", _("Other fee")


class ObligationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")
    # Its whole amount was waived after it was paid (a refund "reduced or waived"): nothing is due.
    WAIVED = "waived", _("Waived")


class Method(models.TextChoices):
    ONLINE_CARD = "online_card", _("Card, online")
    OUTLET_CARD = "outlet_card", _("Card, at an outlet")


class Provider(models.TextChoices):
    SANDBOX = "sandbox", _("Sandbox (test payments)")
    FIB = "fib", _("First Iraqi Bank")
    OUTLET = "outlet", _("Outlet card terminal")
    # Sends settlement files only: the daily report of the acquirer that settles the outlets' terminals.
    ACQUIRER = "acquirer", _("Card acquirer (outlet terminals)")


class OutletStatus(models.TextChoices):
    """An outlet is set up (details, terminals, cashiers) before it opens to citizens."""

    SETTING_UP = "setting_up", pgettext_lazy("outlet status", "Being set up")
    OPEN = "open", pgettext_lazy("outlet status", "Open")
    CLOSED = "closed", pgettext_lazy("outlet status", "Closed")


class Governorate(models.TextChoices):
    """Where an outlet is: Iraq's governorates, the Kurdistan Region's last."""

    BAGHDAD = "baghdad", _("Baghdad")
    BASRA = "basra", _("Basra")
    NINEVEH = "nineveh", _("Nineveh")
    ANBAR = "anbar", _("Anbar")
    BABIL = "babil", _("Babil")
    KARBALA = "karbala", _("Karbala")
    NAJAF = "najaf", _("Najaf")
    WASIT = "wasit", _("Wasit")
    DIYALA = "diyala", _("Diyala")
    SALAH_AL_DIN = "salah_al_din", _("Salah al-Din")
    KIRKUK = "kirkuk", _("Kirkuk")
    DHI_QAR = "dhi_qar", _("Dhi Qar")
    MAYSAN = "maysan", _("Maysan")
    MUTHANNA = "muthanna", _("Muthanna")
    QADISIYAH = "qadisiyah", _("Qadisiyah")
    ERBIL = "erbil", _("Erbil")
    SULAYMANIYAH = "sulaymaniyah", _("Sulaymaniyah")
    DUHOK = "duhok", _("Duhok")
    HALABJA = "halabja", _("Halabja")


class Weekday(models.IntegerChoices):
    """Days of the week as Python numbers them (Monday 0), declared in the Iraqi week's order
    (Saturday first). An outlet's open days are a bit mask: bit ``1 << day``."""

    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")


# Government working days: Sunday to Thursday.
WORKING_DAYS = sum(
    1 << day for day in (Weekday.SUNDAY, Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY)
)
EVERY_DAY = 0b1111111


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("Created")
    PENDING = "pending", _("Awaiting payment")
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")


S = PaymentStatus
# The payment state machine: every allowed move. Anything else raises.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.CREATED: frozenset({S.PENDING, S.FAILED, S.CANCELLED, S.EXPIRED}),
    S.PENDING: frozenset({S.SUCCEEDED, S.FAILED, S.CANCELLED, S.EXPIRED}),
    S.SUCCEEDED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.PARTIALLY_REFUNDED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.FAILED: frozenset(),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
    S.REFUNDED: frozenset(),
}
ACTIVE = (S.CREATED, S.PENDING)
# Money was taken: the payment counts toward its bills (less what was refunded).
CAPTURED = (S.SUCCEEDED, S.PARTIALLY_REFUNDED, S.REFUNDED)
# The attempt took no money: the payer may pay the same bills again (another card).
RETRYABLE = (S.FAILED, S.CANCELLED, S.EXPIRED)
# No later provider event may change these outcomes of the attempt itself.
SETTLED_OUTCOMES = (S.SUCCEEDED, S.FAILED, S.CANCELLED, S.EXPIRED, S.PARTIALLY_REFUNDED, S.REFUNDED)


class RefundReason(models.TextChoices):
    """Why money is given back; each reason says what happens to the bills it paid."""

    REDUCED = "reduced", _("The amount due was reduced or waived")
    ERROR = "error", _("The payment was taken in error or twice")


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the provider")
    SUCCEEDED = "succeeded", _("Refunded")
    FAILED = "failed", _("Refused by the provider")


# A refund the provider has not confirmed within this many hours goes to staff as a discrepancy
# (the periodic check goes on asking).
REFUND_UNCONFIRMED_HOURS = 24
# The periodic check leaves alone refunds younger than this: their request may still be under way.
REFUND_SYNC_AFTER_SECONDS = 120


class EventOutcome(models.TextChoices):
    RECEIVED = "received", _("Received")
    APPLIED = "applied", _("Applied")
    IGNORED = "ignored", _("Ignored (no change)")
    FLAGGED = "flagged", _("Flagged for staff")


class SettlementStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    PROCESSING = "processing", _("Processing")
    DONE = "done", _("Reconciled")
    FAILED = "failed", _("Failed")


class FetchStatus(models.TextChoices):
    """A request for a provider's settlement file of one day, from waiting to what came of it."""

    QUEUED = "queued", pgettext_lazy("settlement fetch", "Waiting to start")
    FETCHING = "fetching", pgettext_lazy("settlement fetch", "Asking the payment company")
    IMPORTED = "imported", pgettext_lazy("settlement fetch", "File received")
    DUPLICATE = "duplicate", pgettext_lazy("settlement fetch", "Already imported")
    EMPTY = "empty", pgettext_lazy("settlement fetch", "No transactions that day")
    FAILED = "failed", pgettext_lazy("settlement fetch", "Not fetched")


FETCH_UNDER_WAY = (FetchStatus.QUEUED, FetchStatus.FETCHING)


class RowOutcome(models.TextChoices):
    MATCHED = "matched", _("Matched")
    AMOUNT_MISMATCH = "amount_mismatch", _("Amount mismatch")
    UNKNOWN = "unknown", _("In the file but unknown to us")
    STATUS_MISMATCH = "status_mismatch", _("Settled but not paid with us")
    DUPLICATE = "duplicate", _("Duplicate in file")
    OTHER_ENTITY = "other_entity", _("A payment of another collecting entity")


class DiscrepancyKind(models.TextChoices):
    AMOUNT_MISMATCH = "amount_mismatch", _("Amount mismatch")
    UNKNOWN = "unknown", _("In the file but unknown to us")
    STATUS_MISMATCH = "status_mismatch", _("Settled but not paid with us")
    DUPLICATE = "duplicate", _("Duplicate in file")
    OTHER_ENTITY = "other_entity", _("A payment of another collecting entity")
    MISSING = "missing", _("Paid with us but absent from settlement")
    WEBHOOK_MISMATCH = "webhook_mismatch", _("Provider reported a different amount or currency")
    REFUND_FAILED = "refund_failed", _("Refund refused by the provider")
    REFUND_UNCONFIRMED = "refund_unconfirmed", _("Refund not confirmed by the provider")


class Resolution(models.TextChoices):
    CONFIRMED_WITH_PROVIDER = "confirmed_with_provider", _("Confirmed with the provider; no action needed")
    CREDITED = "credited", _("Credited manually after checking")
    REFUNDED = "refunded", _("Refunded to the payer")
    WRITTEN_OFF = "written_off", _("Written off with approval")
