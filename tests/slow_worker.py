"""The portal's Celery app for the crash test (``celery -A tests.slow_worker worker``): test-only.

Each task leaves a file as it starts and as it ends in ``GOVPORTAL_TEST_TASK_MARKS``, named
``<task id>.<started|finished>.<pid>.<time>`` and holding the task's name (and its final state),
and waits ``GOVPORTAL_TEST_TASK_DELAY`` seconds after it starts: tasks stay in flight long enough
for a worker to be killed in the middle of them.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from celery.signals import task_postrun, task_prerun

from govportal.celery import app

__all__ = ["app"]

MARKS = Path(os.environ["GOVPORTAL_TEST_TASK_MARKS"])
DELAY = float(os.environ.get("GOVPORTAL_TEST_TASK_DELAY", "0"))


def _mark(task_id: str, event: str, text: str) -> None:
    (MARKS / f"{task_id}.{event}.{os.getpid()}.{time.time_ns()}").write_text(text)


@task_prerun.connect
def _started(task_id: str, task: Any, **kwargs: Any) -> None:
    _mark(task_id, "started", task.name)
    time.sleep(DELAY)


@task_postrun.connect
def _finished(task_id: str, task: Any, state: str | None = None, **kwargs: Any) -> None:
    _mark(task_id, "finished", f"{task.name} {state}")
