"""Every task lands on a queue that a worker consumes, and payments never share one with PDFs."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings

from govportal.celery import app
from govportal.queues import BULK, DEFAULT, DOCUMENTS, PAYMENTS, QUEUE_OF_TASK, QUEUES

ROOT = Path(__file__).resolve().parent.parent


def registered_tasks() -> list[str]:
    # Every installed app's tasks module, as a worker finds them (without the worker's start-up
    # checks, which read the database's version).
    app.autodiscover_tasks(force=True)
    return sorted(name for name in app.tasks if not name.startswith("celery."))


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_every_task_of_the_portal_is_placed_on_a_queue_by_name():
    tasks = registered_tasks()
    assert len(tasks) >= 10
    assert [name for name in tasks if name not in QUEUE_OF_TASK] == []


def test_every_task_goes_to_one_of_the_declared_durable_queues():
    declared = {queue.name: queue for queue in settings.CELERY_TASK_QUEUES}
    assert set(declared) == set(QUEUES)
    assert all(queue.durable and queue.exchange.durable for queue in declared.values())
    for name in [*registered_tasks(), *QUEUE_OF_TASK]:
        assert queue_of(name) in declared, name
    assert queue_of("a.task.nobody.listed") == DEFAULT


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("collection.tasks.payment_event_process", PAYMENTS),
        ("collection.tasks.payments_expire_sweep", PAYMENTS),
        ("collection.tasks.sandbox_webhook_deliver", PAYMENTS),
        ("collection.tasks.refunds_pending_sync", PAYMENTS),
        ("govportal.pdf.tasks.pdf_render", DOCUMENTS),
        ("govportal.pdf.tasks.pdf_render_missing_sweep", DOCUMENTS),
        ("housing_fund.tasks.loans_import_task", BULK),
        ("collection.reconciliation.settlement_reconcile", BULK),
        ("training.tasks.training_reminders_send", BULK),
        ("govportal.accounts.tasks.email_send", DEFAULT),
    ],
)
def test_payments_pdfs_and_bulk_work_each_have_their_queue(task_name, queue):
    assert queue_of(task_name) == queue


def test_every_scheduled_task_is_a_registered_one():
    tasks = set(registered_tasks())
    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} <= tasks


def test_compose_runs_one_worker_per_queue_and_one_beat():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    consumed = {}
    for name, service in services.items():
        command = service.get("command") or []
        if command[:4] == ["celery", "-A", "govportal", "worker"]:
            consumed[name] = command[command.index("-Q") + 1].split(",")
    assert sorted(queue for queues in consumed.values() for queue in queues) == sorted(QUEUES)
    assert all(len(queues) == 1 for queues in consumed.values())
    beats = [name for name, service in services.items() if (service.get("command") or [])[3:4] == ["beat"]]
    assert beats == ["beat"]
