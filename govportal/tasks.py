"""Queue background work by task name.

Services never import a task module: tasks are leaves that import services, so a service that
imported its task would close an import circle. A service names the task instead
(``enqueue("collection.tasks.payment_event_process", event.pk)``) and this module sends it once
the transaction that asked for it commits; a transaction that rolls back sends nothing, so a
worker never looks for a row that does not exist.

Celery's ``send_task`` ignores ``task_always_eager``. In the embedded mode (and in tests) there is
no worker, so there the task is looked up in this process and run at once, as ``delay()`` would:
after the commit, in the same thread.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

from celery import Task
from django.db import transaction

from govportal.celery import app


def enqueue(name: str, /, *args: Any, countdown: int | None = None, **kwargs: Any) -> None:
    """Run task ``name`` with ``args`` and ``kwargs`` after the current transaction commits
    (at once when there is none), ``countdown`` seconds later on a worker.

    Arguments must be JSON (ids as strings, not model instances). A failure after the commit,
    to reach the broker or (without a worker) of the task itself, is logged and not raised
    (Django's robust ``on_commit``): the change is committed, and the caller's response must not
    become an error page. Jobs are idempotent, and the ones a person waits for are asked for
    again: a PDF page queues its render again, the payments sweep asks the provider about
    payments still pending.
    """
    transaction.on_commit(functools.partial(_send, name, args, kwargs, countdown), robust=True)


def _send(name: str, args: tuple[Any, ...], kwargs: dict[str, Any], countdown: int | None) -> None:
    if app.conf.task_always_eager:
        local_task(name).apply_async(args=args, kwargs=kwargs)  # eager: runs here and now
        return
    app.send_task(name, args=args, kwargs=kwargs, countdown=countdown)


def local_task(name: str) -> Task:
    """The task registered under ``name`` in this process, importing its module when needed
    (a task's name is its module and function, unless a task sets another)."""
    if name not in app.tasks:
        importlib.import_module(name.rpartition(".")[0])
    if name not in app.tasks:
        app.autodiscover_tasks(force=True)  # every installed app's tasks module, as a worker finds them
    return app.tasks[name]
