"""A notification delivered by a real Celery worker on the payments queue (Redis), retried after
the endpoint's 500 by the sweep that runs every minute (skipped without REDIS_URL)."""

from __future__ import annotations

import json
import time

import pytest
from django.db import transaction
from django.utils import timezone

from govportal.api import notifications
from govportal.api.constants import DeliveryStatus
from govportal.api.models import NotificationDelivery
from govportal.api.services import api_client_create
from tests.api.notify_world import Receiver, signed_by
from tests.factories import EntityFactory

pytestmark = [pytest.mark.redis]


def wait_for(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_the_worker_posts_the_notification_and_the_sweep_retries_it_after_a_500(celery_worker, settings):
    settings.API_NOTIFICATION_HTTP_LOOPBACK = True
    receiver = Receiver(answers=[500]).start()
    try:
        client, _secret = api_client_create(entity=EntityFactory(), name="Billing", scopes=["bills:write"], actor=None)
        secret = notifications.notification_endpoint_set(client=client, url=receiver.url, actor=None)
        client.refresh_from_db()
        with transaction.atomic():
            delivery = notifications.notification_send(
                client=client, event="bill.paid", data={"bill": {"reference": "EL-9"}}, subject="EL-9"
            )
        assert delivery is not None
        rows = NotificationDelivery.objects.filter(pk=delivery.pk)
        assert wait_for(lambda: rows.filter(attempts=1, last_status_code=500).exists()), "the worker made no attempt"
        assert rows.get().status == DeliveryStatus.PENDING
        rows.update(next_attempt_at=timezone.now())  # its pause is over (a minute, in production)
        assert notifications.notifications_due_send() == 1  # what beat runs every minute
        assert wait_for(lambda: rows.filter(status=DeliveryStatus.DELIVERED).exists()), "not delivered on retry"
        assert rows.get().attempts == 2
        assert len(receiver.received) == 2
        for headers, body in receiver.received:
            assert signed_by(secret, headers, body)
            assert json.loads(body)["id"] == headers["X-Event-Id"] == str(delivery.pk)
    finally:
        receiver.stop()
