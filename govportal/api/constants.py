"""Choices of the API core: the events sent to clients' endpoints and a delivery's state."""

from django.db import models
from django.utils.translation import pgettext_lazy

from govportal.accounts.constants import Role


class NotificationEvent(models.TextChoices):
    BILL_PAID = "bill.paid", pgettext_lazy("notification event", "Bill paid")
    BILL_PARTIALLY_PAID = "bill.partially_paid", pgettext_lazy("notification event", "Bill partly paid")
    PAYMENT_REFUNDED = "payment.refunded", pgettext_lazy("notification event", "Payment refunded")
    BILL_CANCELLED = "bill.cancelled", pgettext_lazy("notification event", "Bill cancelled")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("notification delivery", "Being delivered")
    DELIVERED = "delivered", pgettext_lazy("notification delivery", "Delivered")
    FAILED = "failed", pgettext_lazy("notification delivery", "Given up")


DELIVERY_TONES = {DeliveryStatus.PENDING: "amber", DeliveryStatus.DELIVERED: "green", DeliveryStatus.FAILED: "red"}

# Who reads the delivery log of an entity's clients, and who may re-send from it. The entity's
# head alone sets a client's endpoint and its signing secret (as it manages the clients).
LOG_ROLES = (Role.ENTITY_HEAD, Role.FUND_OFFICER, Role.AUDITOR)
RESEND_ROLES = (Role.ENTITY_HEAD, Role.FUND_OFFICER)
