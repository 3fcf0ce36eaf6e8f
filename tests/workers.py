"""Real Celery worker processes for tests, each test on queues of its own on the shared broker.

The queues' names carry a prefix unique to the test (``CELERY_QUEUE_PREFIX``): the test process
publishes with it (``settings``) and its workers consume with it (the environment), so tests of
several checkouts can share one RabbitMQ. The queues are deleted when the test ends.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.db import connection

from govportal.queues import QUEUES, declared_queues, queue_name
from tests.helpers import database_url

ROOT = Path(__file__).resolve().parent.parent
CELERY = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
LOG_LEVEL = os.environ.get("TEST_WORKER_LOG_LEVEL", "warning")  # info: what each worker received and did
_numbers = itertools.count(1)


def rabbitmq_configured() -> bool:
    return os.environ.get("CELERY_BROKER_URL", "").startswith(("amqp://", "amqps://"))


def worker_environment(tmp_path: Path) -> dict[str, str]:
    """The environment of a worker process on this test's database, with e-mail into files."""
    db = connection.settings_dict
    env = dict(os.environ)
    if db["ENGINE"].endswith("postgresql"):
        env["DATABASE_URL"] = database_url()
    else:
        env.pop("DATABASE_URL", None)
        env["GOVPORTAL_VAR_DIR"] = str(Path(db["NAME"]).parent) if db["NAME"] else str(tmp_path)
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir(exist_ok=True)
    env["EMAIL_URL"] = f"file://{mail_dir}"
    env["DJANGO_DEBUG"] = "1"
    return env


def queue_prefix() -> str:
    return f"test-{os.getpid()}-{uuid.uuid4().hex[:6]}-"


def queues_delete(prefix: str) -> None:
    """Remove the test's queues and their exchanges from the broker, with any message left in them."""
    from govportal.celery import app

    with app.connection_for_write() as broker:
        channel = broker.default_channel
        for queue in declared_queues(prefix):
            queue(channel).delete()
            queue.exchange(channel).delete()


class Worker:
    """One ``celery worker`` process consuming the test's four queues.

    ``app`` is the module holding the Celery app (``tests.slow_worker`` adds markers and a delay).
    """

    def __init__(
        self, *, env: dict[str, str], prefix: str, app: str = "govportal", pool: str = "solo", concurrency: int = 1
    ) -> None:
        self.env = {**env, "CELERY_QUEUE_PREFIX": prefix}
        self.prefix, self.app, self.pool, self.concurrency = prefix, app, pool, concurrency
        self.node = f"{prefix}{next(_numbers)}@{os.uname().nodename}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> Worker:
        """Start it and wait until it answers a ping (then it consumes its queues)."""
        from govportal.celery import app

        queues = ",".join(queue_name(queue, self.prefix) for queue in QUEUES)
        self.process = subprocess.Popen(
            [CELERY, "-A", self.app, "worker", f"--pool={self.pool}", f"--concurrency={self.concurrency}"]
            + [f"--loglevel={LOG_LEVEL}", "--without-gossip", "--without-mingle", "-Q", queues, "-n", self.node],
            cwd=ROOT,
            env=self.env,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if app.control.ping(destination=[self.node], timeout=0.5):
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"the Celery worker {self.node} exited at start-up")
        raise RuntimeError(f"the Celery worker {self.node} did not answer within {timeout:.0f} s")

    def kill(self) -> None:
        """``kill -9`` of the worker: no warm shutdown, nothing handed back (its pool's processes
        die with it)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=20)
