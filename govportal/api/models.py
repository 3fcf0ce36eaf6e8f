from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govportal.api.constants import DELIVERY_TONES, DeliveryStatus, NotificationEvent
from govportal.api.scopes import SCOPES


class ApiClientQuerySet(models.QuerySet["ApiClient"]):
    def active(self) -> ApiClientQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiClient(models.Model):
    """Another system of a state entity that calls the API (an electricity directorate's billing, a
    bank checking certificates). It signs in with OAuth2 client credentials: its OAuth application
    (django-oauth-toolkit's, whose secret is stored hashed) is one-to-one with it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    entity = models.ForeignKey(
        "entities.Entity", verbose_name=_("entity"), on_delete=models.PROTECT, related_name="api_clients"
    )
    name = models.CharField(_("name"), max_length=120, help_text=_('The system calling, e.g. "Billing system".'))
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        verbose_name=_("OAuth application"),
        on_delete=models.PROTECT,
        related_name="api_client",
    )
    scopes = models.JSONField(_("scopes"), default=list, help_text=_("What the client may do."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # Where the portal posts its payment notifications (one endpoint a client), and the secret
    # they are signed with: sealed under the key-encryption key, since we must use it, not only check it.
    notify_url = models.URLField(
        _("notification endpoint"),
        max_length=500,
        blank=True,
        help_text=_("The HTTPS address the portal posts this client's payment notifications to."),
    )
    notify_secret_sealed = models.BinaryField(
        _("notification signing secret (encrypted)"), blank=True, default=b"", editable=False
    )
    notify_secret_set_at = models.DateTimeField(_("signing secret set at"), null=True, blank=True)

    objects = ApiClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["entity", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"

    @property
    def client_id(self) -> str:
        return str(self.application.client_id)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def scope_labels(self) -> list[str]:
        return [str(SCOPES.get(scope, scope)) for scope in self.scopes]


class NotificationDeliveryQuerySet(models.QuerySet["NotificationDelivery"]):
    def pending(self) -> NotificationDeliveryQuerySet:
        return self.filter(status=DeliveryStatus.PENDING)


class NotificationDelivery(models.Model):
    """One event for one client's endpoint. Stored in the transaction of the change it tells of (so
    it exists exactly when that change does), then posted by the payments queue until the endpoint
    answers 2xx, retried with growing pauses for a day, then given up. Its id is the event's id
    (``id`` in the body, ``X-Event-Id``): a re-send carries the same, so the receiver can skip
    what it already has."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(
        ApiClient, verbose_name=_("API client"), on_delete=models.PROTECT, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=32, choices=NotificationEvent.choices)
    subject = models.CharField(
        _("about"), max_length=64, blank=True, help_text=_("The bill's or the payment's reference.")
    )
    body = models.TextField(_("body"), help_text=_("The JSON posted, exactly as sent."))
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    retry_from = models.DateTimeField(
        _("retried since"), help_text=_("Attempts go on for a day from this time (a re-send starts another day).")
    )
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last status code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    given_up_at = models.DateTimeField(_("given up at"), null=True, blank=True)

    objects = NotificationDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification delivery")
        verbose_name_plural = _("notification deliveries")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=models.Q(status=DeliveryStatus.PENDING),
            ),
            models.Index(fields=["client", "-created_at"], name="delivery_client_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.subject} → {self.client.name}"

    @property
    def status_tone(self) -> str:
        return DELIVERY_TONES[DeliveryStatus(self.status)]


class IdempotencyKey(models.Model):
    """A client's ``Idempotency-Key`` and the answer its first request got, kept 24 hours: a retry with
    the same key and body gets that answer again (nothing is done twice), with another body a refusal.
    Unique per client, so that concurrent retries wait on one row (see ``govportal.api.idempotency``)."""

    client = models.ForeignKey(
        ApiClient, verbose_name=_("API client"), on_delete=models.CASCADE, related_name="idempotency_keys"
    )
    key = models.CharField(_("key"), max_length=255)
    request_hash = models.CharField(_("request hash"), max_length=64, help_text=_("SHA-256 of the request."))
    # None only inside the transaction of the first request; it commits with its answer.
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_body = models.JSONField(_("response body"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="idempotency_key_unique")]

    def __str__(self) -> str:
        return self.key
