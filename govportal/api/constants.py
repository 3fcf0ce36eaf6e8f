"""Choices of the API core: the events sent to clients' endpoints and a delivery's state."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NotificationEvent(models.TextChoices):
    BILL_PAID = "bill.paid", _("Bill paid")
    BILL_PARTIALLY_PAID = "bill.partially_paid", _("Bill partly paid")
    PAYMENT_REFUNDED = "payment.refunded", _("Payment refunded")
    BILL_CANCELLED = "bill.cancelled", _("Bill cancelled")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("notification delivery", "Being delivered")
    DELIVERED = "delivered", pgettext_lazy("notification delivery", "Delivered")
    FAILED = "failed", pgettext_lazy("notification delivery", "Given up")


DELIVERY_TONES = {DeliveryStatus.PENDING: "amber", DeliveryStatus.DELIVERED: "green", DeliveryStatus.FAILED: "red"}
