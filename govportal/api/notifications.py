"""Payment notifications posted to API clients' own endpoints, signed as SandPay signs ours.

A client registers one endpoint (``notify_url``) and gets a signing secret, shown once and kept
sealed under the key-encryption key (we must sign with it, so a hash would not do). Domain apps
call ``notification_send`` where a bill is paid, partly paid, refunded or cancelled: the event is
stored in their transaction and posted after commit by the payments queue, never inside it.

Each post is ``{"id", "type", "created_at", "data"}`` with headers ``X-Event-Id`` and
``X-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``. A 2xx answer within
``API_NOTIFICATION_TIMEOUT`` seconds delivers it; anything else is retried after 1 min, 2, 4…
(capped, with jitter) by a sweep every minute, for ``API_NOTIFICATION_GIVE_UP_AFTER`` seconds;
then it is given up, flagged in the log and the entity's head told. Delivery is at least once:
receivers skip an ``id`` they have seen.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import secrets
from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govportal.accounts.constants import Role
from govportal.accounts.models import Membership, User
from govportal.accounts.selectors import roles_in
from govportal.api.constants import RESEND_ROLES, DeliveryStatus, NotificationEvent
from govportal.api.models import ApiClient, NotificationDelivery
from govportal.api.outbound import public_transport
from govportal.api.services import require_head
from govportal.api.signature import signature_header
from govportal.audit.services import audit_record
from govportal.notifications.services import notify
from govportal.tasks import enqueue
from govportal.verification.crypto import seal, unseal

logger = logging.getLogger(__name__)

DELIVER_TASK = "govportal.api.tasks.notification_deliver"
USER_AGENT = "govportal-notifications/1"

# Outcomes of one delivery attempt.
DELIVERED, RETRY, GIVEN_UP, SKIPPED = "delivered", "retry", "given_up", "skipped"


# --- The endpoint and its secret ---------------------------------------------------------------


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint_url_problem(url: str) -> str:
    """Why ``url`` cannot be a notification endpoint ("" if it can): HTTPS only, with a host name
    or public address; plain HTTP only to loopback, and only where ``API_NOTIFICATION_HTTP_LOOPBACK``
    (development, tests)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")  # "localhost." is localhost
        parts.port  # noqa: B018 — raises ValueError on a port out of range
    except ValueError:
        return _("Enter a valid address, such as https://billing.example.iq/notifications.")
    if not host or parts.scheme not in ("https", "http") or parts.username or parts.password:
        return _("Enter a valid address, such as https://billing.example.iq/notifications.")
    if parts.scheme == "http" and not (settings.API_NOTIFICATION_HTTP_LOOPBACK and _loopback(host)):
        return _("The address must start with https:// — notifications are not sent unencrypted.")
    if not settings.API_NOTIFICATION_HTTP_LOOPBACK:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            address = None
        if host == "localhost" or (address is not None and not address.is_global):
            return _("The address must be reachable from the internet, not a private or local one.")
    return ""


def _new_signing_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _seal_secret(client: ApiClient, secret: str) -> None:
    client.notify_secret_sealed = seal(secret.encode(), context=f"api-notify:{client.pk}")
    client.notify_secret_set_at = timezone.now()


def signing_secret(client: ApiClient) -> str:
    """The client's signing secret, unsealed (only to sign a delivery)."""
    try:
        return unseal(client.notify_secret_sealed, context=f"api-notify:{client.pk}").decode()
    except InvalidTag as error:  # the KEK changed without re-sealing: a configuration fault
        raise RuntimeError(f"the signing secret of API client {client.pk} cannot be unsealed") from error


@transaction.atomic
def notification_endpoint_set(
    *, client: ApiClient, url: str, actor: User | None, request: HttpRequest | None = None
) -> str | None:
    """Register, change or (``url=""``) remove the client's endpoint; the entity's head does it.
    Returns a new signing secret when the client had none (to be shown once), else None: changing
    the address keeps the secret."""
    require_head(actor, client.entity)
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if not client.is_active:
        raise ValidationError(_("This client is revoked."))
    url = url.strip()
    if url and (problem := endpoint_url_problem(url)):
        raise ValidationError({"notify_url": problem})
    secret = None
    if url and not client.notify_secret_sealed:
        secret = _new_signing_secret()
        _seal_secret(client, secret)
    previous, client.notify_url = client.notify_url, url
    client.save(update_fields=["notify_url", "notify_secret_sealed", "notify_secret_set_at"])
    audit_record(
        action="api_notify_endpoint_set",
        actor=actor,
        entity=client.entity,
        target=client,
        data={"url": url, "previous": previous, "new_secret": secret is not None},
        request=request,
    )
    return secret


@transaction.atomic
def notification_secret_rotate(*, client: ApiClient, actor: User | None, request: HttpRequest | None = None) -> str:
    """A new signing secret, used from the next delivery on (the old one stops at once)."""
    require_head(actor, client.entity)
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if not client.is_active:
        raise ValidationError(_("This client is revoked."))
    secret = _new_signing_secret()
    _seal_secret(client, secret)
    client.save(update_fields=["notify_secret_sealed", "notify_secret_set_at"])
    audit_record(action="api_notify_secret_rotate", actor=actor, entity=client.entity, target=client, request=request)
    return secret


# --- Sending -------------------------------------------------------------------------------------


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def notification_send(
    *, client: ApiClient | None, event: str, data: dict[str, Any], subject: str = ""
) -> NotificationDelivery | None:
    """Tell ``client`` of ``event`` (a ``NotificationEvent``) if it has an endpoint: the delivery is
    stored in the caller's transaction and posted after it commits; nothing here waits on the
    network. ``data`` is JSON (dates allowed); ``subject`` names it in the log (a bill's reference)."""
    if event not in NotificationEvent.values:
        raise ValueError(f"unknown notification event {event!r}")
    if client is None or not client.is_active or not client.notify_url:
        return None
    now = timezone.now()
    delivery = NotificationDelivery(client=client, event=event, subject=subject[:64], retry_from=now)
    delivery.next_attempt_at = now
    payload = {"id": str(delivery.pk), "type": event, "created_at": _utc(now), "data": data}
    delivery.body = json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    delivery.save(force_insert=True)
    enqueue(DELIVER_TASK, str(delivery.pk))
    return delivery


def retry_delay(attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failure: first·2^(attempts−1), capped, less up to a
    quarter at random, so that deliveries that failed together (an endpoint down) spread out."""
    first, cap = settings.API_NOTIFICATION_RETRY_FIRST, settings.API_NOTIFICATION_RETRY_CAP
    delay = min(cap, first * 2 ** min(max(attempts - 1, 0), 32))
    return delay * (1 - secrets.randbelow(251) / 1000)


def _post(delivery: NotificationDelivery) -> tuple[int | None, str]:
    """Post the delivery to its client's endpoint, signed now: (status code or None, error)."""
    client = delivery.client
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Event-Id": str(delivery.pk),
        "X-Event-Type": delivery.event,
        "X-Signature": signature_header(body, secret=signing_secret(client)),
    }
    # Only public addresses, whatever the name resolves to now; loopback only where development and
    # tests allow it (API_NOTIFICATION_HTTP_LOOPBACK).
    transport = None if settings.API_NOTIFICATION_HTTP_LOOPBACK else public_transport()
    try:
        with httpx.Client(transport=transport, timeout=settings.API_NOTIFICATION_TIMEOUT) as session:
            response = session.post(client.notify_url, content=body, headers=headers, follow_redirects=False)
    except httpx.HTTPError as error:
        return None, f"{type(error).__name__}: {error}"[:300]
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, f"HTTP {response.status_code} {response.reason_phrase}"[:300]


def notification_deliver(*, delivery_id: str, now: dt.datetime | None = None) -> str:
    """One attempt at a due delivery; returns delivered, retry, given_up or skipped.

    Idempotent and safe to run twice at once: the attempt is claimed under the row's lock (and
    the next attempt set, so a worker dying mid-post leaves it due again then), the post is made
    outside any transaction, and its answer recorded under the lock again. A delivery already
    delivered, given up or not yet due is skipped."""
    clock = (lambda: now) if now is not None else timezone.now
    with transaction.atomic():
        delivery = (
            NotificationDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("client")
            .filter(pk=delivery_id)
            .first()
        )
        started = clock()
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return SKIPPED
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > started:
            return SKIPPED
        delivery.attempts += 1
        delivery.last_attempt_at = started
        delivery.next_attempt_at = started + dt.timedelta(seconds=retry_delay(delivery.attempts))
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
    client = delivery.client
    if not client.is_active or not client.notify_url:
        code, error = None, "the client has no endpoint now (removed or revoked)"
    else:
        code, error = _post(delivery)
    return _attempt_record(delivery.pk, code, error, clock())


@transaction.atomic
def _attempt_record(delivery_id: Any, code: int | None, error: str, finished: dt.datetime) -> str:
    delivery = NotificationDelivery.objects.select_for_update().select_related("client__entity").get(pk=delivery_id)
    delivery.last_status_code, delivery.last_error = code, error
    fields = ["last_status_code", "last_error"]
    if not error:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED, finished, None
        delivery.save(update_fields=[*fields, "status", "delivered_at", "next_attempt_at"])
        return DELIVERED
    if delivery.status != DeliveryStatus.PENDING:  # delivered meanwhile (a re-send's attempt)
        delivery.save(update_fields=fields)
        return SKIPPED
    deadline = delivery.retry_from + dt.timedelta(seconds=settings.API_NOTIFICATION_GIVE_UP_AFTER)
    if finished >= deadline:
        delivery.status, delivery.given_up_at, delivery.next_attempt_at = DeliveryStatus.FAILED, finished, None
        delivery.save(update_fields=[*fields, "status", "given_up_at", "next_attempt_at"])
        _given_up(delivery)
        return GIVEN_UP
    if delivery.next_attempt_at is None or delivery.next_attempt_at > deadline:
        delivery.next_attempt_at = deadline  # the last try is at the deadline
    delivery.save(update_fields=[*fields, "next_attempt_at"])
    return RETRY


def _given_up(delivery: NotificationDelivery) -> None:
    """Flag a given-up delivery: audited, and the entity's head told (once a day per client, not
    once per event: an endpoint down for a day may have missed hundreds)."""
    client = delivery.client
    audit_record(
        action="api_notification_give_up",
        entity=client.entity,
        target=client,
        data={
            "delivery": str(delivery.pk),
            "event": delivery.event,
            "subject": delivery.subject,
            "attempts": delivery.attempts,
            "last_error": delivery.last_error,
        },
    )
    since = (delivery.given_up_at or timezone.now()) - dt.timedelta(days=1)
    if (
        NotificationDelivery.objects.filter(client=client, given_up_at__gte=since, status=DeliveryStatus.FAILED)
        .exclude(pk=delivery.pk)
        .exists()
    ):
        return
    heads = User.objects.filter(
        pk__in=Membership.objects.filter(entity=client.entity, role=Role.ENTITY_HEAD).values("user_id")
    )
    notify(
        users=heads,
        message=gettext_noop(
            "Payment notifications to %(client)s could not be delivered for a day and were given up. "
            "Check its endpoint, then re-send them from the delivery log."
        ),
        params={"client": client.name},
        url=reverse("api_staff:deliveries") + "?status=failed",
    )


def notifications_due_send(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Queue every delivery whose attempt is due (run every minute): the retries, and any first
    attempt whose message never reached the queue. Returns how many were queued."""
    ids = list(
        NotificationDelivery.objects.pending()
        .filter(next_attempt_at__lte=now or timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        enqueue(DELIVER_TASK, str(pk))
    return len(ids)


@transaction.atomic
def notification_resend(
    *, delivery: NotificationDelivery, actor: User | None, request: HttpRequest | None = None
) -> NotificationDelivery:
    """Post a delivery again now, whatever its state (the receiver knows an event it has by its id);
    one given up is retried for another day. Audited. Staff of the client's entity who run
    collection do it, an administrator through the admin (``actor`` None or a superuser)."""
    delivery = (
        NotificationDelivery.objects.select_for_update(of=("self",))
        .select_related("client__entity")
        .get(pk=delivery.pk)
    )
    entity = delivery.client.entity
    if (
        actor is not None
        and not actor.is_superuser
        and not roles_in(actor, entity) & {str(role) for role in RESEND_ROLES}
    ):
        raise PermissionDenied
    now = timezone.now()
    previous = delivery.status
    delivery.status, delivery.retry_from, delivery.next_attempt_at = DeliveryStatus.PENDING, now, now
    delivery.given_up_at = None
    delivery.save(update_fields=["status", "retry_from", "next_attempt_at", "given_up_at"])
    audit_record(
        action="api_notification_resend",
        actor=actor,
        entity=entity,
        target=delivery.client,
        data={"delivery": str(delivery.pk), "event": delivery.event, "subject": delivery.subject, "was": previous},
        request=request,
    )
    enqueue(DELIVER_TASK, str(delivery.pk))
    return delivery
