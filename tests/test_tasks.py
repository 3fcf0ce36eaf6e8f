"""Queueing work by task name: after commit, never for a rolled-back change, in-process without a
worker; and tasks stay leaves (no module but a task module imports a ``tasks`` module)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction

from govportal.celery import app
from govportal.pdf.services import PDF_RENDER_TASK
from govportal.tasks import enqueue

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["govportal", "collection", "datacenter", "documents", "housing_fund", "training"]
MAIL = {"subject": "s", "body": "b", "html": "", "to": ["someone@example.iq"], "from_email": "portal@example.iq"}


def project_modules() -> list[tuple[Path, str]]:
    """Every module of the project's packages (migrations aside), with its dotted name."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found.append((path, dotted.removesuffix(".__init__")))
    return found


def imported(path: Path, dotted: str) -> set[str]:
    """The modules ``path`` imports anywhere in it (inside functions too), relative ones resolved."""
    package = dotted if path.name == "__init__.py" else dotted.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def test_only_task_modules_import_task_modules():
    """Services queue by name (``govportal.tasks.enqueue``); a service importing its app's task
    closed an import circle (the task imports the service)."""
    offenders = []
    for path, dotted in project_modules():
        if path.name == "tasks.py":
            continue
        for name in imported(path, dotted):
            if name.rsplit(".", 1)[-1] == "tasks" and name != "govportal.tasks":  # the enqueue helper
                offenders.append(f"{dotted} imports {name}")
    assert offenders == []


def test_the_import_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "receipts.py"
    module.write_text("def issue():\n    from collection.tasks import receipt_render_pdf\n")
    assert "collection.tasks" in imported(module, "collection.services.receipts")
    relative = tmp_path / "views.py"
    relative.write_text("from .tasks import something\nfrom . import tasks\n")
    assert {"documents.tasks", "documents.tasks.something"} <= imported(relative, "documents.views")


def enqueued_names() -> set[str]:
    """The task names passed to ``enqueue`` as literals anywhere in the project."""
    names = set()
    for path, _dotted in project_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "enqueue":
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    names.add(first.value)
    return names


def test_every_task_queued_by_name_is_known_to_a_worker():
    """A worker imports every installed app's tasks module; each name services queue must be
    among the tasks it then knows (a typo would be a job no worker runs)."""
    names = enqueued_names() | {PDF_RENDER_TASK}
    assert len(names) >= 6
    app.autodiscover_tasks(force=True)  # what a worker imports as it starts
    assert sorted(name for name in names if name not in app.tasks) == []


@pytest.mark.django_db
def test_nothing_is_queued_for_a_change_rolled_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            enqueue("govportal.accounts.tasks.email_send", **MAIL)
            transaction.set_rollback(True)
    assert callbacks == [] and mail.outbox == []


@pytest.mark.django_db
def test_without_a_worker_the_task_runs_here_once_the_change_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        enqueue("govportal.accounts.tasks.email_send", **MAIL)
        assert mail.outbox == []  # not before the commit
    for job in callbacks:
        job()
    assert [message.to for message in mail.outbox] == [["someone@example.iq"]]


@pytest.fixture
def broker() -> Iterator[None]:
    """As in production: a broker, no tasks run in-process."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = previous


@pytest.mark.django_db
def test_with_a_broker_the_task_is_sent_by_name(broker, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, **options: sent.append((name, options)))
    with django_capture_on_commit_callbacks(execute=True):
        enqueue("collection.tasks.sandbox_webhook_deliver", {"id": "evt_1"}, countdown=5)
        enqueue("govportal.accounts.tasks.email_send", **MAIL)
    assert sent == [
        ("collection.tasks.sandbox_webhook_deliver", {"args": ({"id": "evt_1"},), "kwargs": {}, "countdown": 5}),
        ("govportal.accounts.tasks.email_send", {"args": (), "kwargs": MAIL, "countdown": None}),
    ]
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_broker_down_after_the_commit_is_logged_not_raised(
    broker, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def refuse(name: str, **options: object) -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(app, "send_task", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        enqueue("govportal.accounts.tasks.email_send", **MAIL)
    assert "connection refused" in caplog.text
