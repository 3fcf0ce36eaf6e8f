"""The production shape, started natively for one test run and torn down after it.

Two gunicorn instances terminating TLS themselves (a self-signed certificate), one Celery worker per
queue and beat, all with production settings (``DJANGO_DEBUG=0``) on a fresh PostgreSQL database,
Redis, RabbitMQ and an S3 server (moto). Everything lives in one temporary directory; every process
writes its log there (printed when a test fails).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import certifi
import httpx
import psycopg
from psycopg import sql

from govportal.queues import QUEUES, queue_name

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST = "localhost"  # the certificate's name; it also names 127.0.0.1
BUCKET = "govportal-prodshape"
# Variables of the calling environment that would configure the stack: it sets its own.
OURS = ("DJANGO_", "DATABASE_", "REDIS_", "S3_", "CELERY_", "PAYMENT_", "SIGNING_", "SITE_", "EMAIL_", "FIB_")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(what: str, check: Callable[[], bool], timeout: float = 60, step: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (OSError, httpx.HTTPError) as error:
            last = error
        time.sleep(step)
    raise RuntimeError(f"{what}: not ready within {timeout:.0f} s ({last!r})")


@dataclass
class Stack:
    tmp: Path
    postgres_server: str  # postgres://user@host:port (no database)
    redis_url: str
    broker_url: str
    database: str = field(default_factory=lambda: f"govportal_prodshape_{os.getpid()}")
    prefix: str = field(default_factory=lambda: f"prodshape-{os.getpid()}-{secrets.token_hex(3)}-")
    web_ports: tuple[int, int] = field(default_factory=lambda: (free_port(), free_port()))
    s3_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    # --- addresses -----------------------------------------------------------------------------

    @property
    def urls(self) -> tuple[str, str]:
        """Instance A (the site's address: QR codes, webhooks) and instance B."""
        return (f"https://{HOST}:{self.web_ports[0]}", f"https://{HOST}:{self.web_ports[1]}")

    @property
    def s3_url(self) -> str:
        return f"http://127.0.0.1:{self.s3_port}"

    @property
    def certificate(self) -> Path:
        return self.tmp / "cert.pem"

    def client(self, instance: int) -> httpx.Client:
        """An HTTPS client of instance 0 (A) or 1 (B) that trusts the stack's certificate, and it alone."""
        context = ssl.create_default_context(cafile=str(self.certificate))
        return httpx.Client(base_url=self.urls[instance], verify=context, timeout=30)

    def s3(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.s3_url,
            aws_access_key_id="prodshape",
            aws_secret_access_key="prodshape-secret",  # noqa: S106 — moto's, local only
            region_name="us-east-1",
        )

    def node(self, queue: str) -> str:
        return f"{queue_name(queue, self.prefix)}@{socket.gethostname()}"

    # --- start ---------------------------------------------------------------------------------

    def start(self) -> None:
        self._certificate()
        self._s3()
        self._database()
        self.env = self._environment()
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        tls = ["--certfile", str(self.certificate), "--keyfile", str(self.tmp / "key.pem")]
        for number, port in enumerate(self.web_ports):
            self.spawn(
                f"web-{'ab'[number]}",
                [str(BIN / "gunicorn"), "govportal.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
                + [*tls, "--access-logfile", "-"],
            )
        for queue in QUEUES:
            self.spawn(
                f"worker-{queue}",
                [str(BIN / "celery"), "-A", "govportal", "worker", "-Q", queue_name(queue, self.prefix)]
                + ["-n", self.node(queue), "--concurrency", "1", "--loglevel", "info"],
            )
        self.spawn(
            "beat",
            [str(BIN / "celery"), "-A", "govportal", "beat", "--loglevel", "info"]
            + ["--schedule", str(self.tmp / "celerybeat-schedule")],
        )
        for number in (0, 1):
            with self.client(number) as client:
                wait_for(f"web {'ab'[number]}", lambda c=client: c.get("/healthz").status_code == 200, timeout=90)
        from govportal.celery import app

        nodes = [self.node(queue) for queue in QUEUES]
        wait_for("the workers", lambda: len(app.control.ping(destination=nodes, timeout=1)) == len(nodes), timeout=90)

    def _certificate(self) -> None:
        """A self-signed certificate for localhost and 127.0.0.1, and a CA bundle that adds it to the usual ones."""
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
            + ["-keyout", str(self.tmp / "key.pem"), "-out", str(self.certificate), "-days", "2"]
            + ["-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST},IP:127.0.0.1"],
            check=True,
            capture_output=True,
        )
        bundle = Path(certifi.where()).read_text() + self.certificate.read_text()
        (self.tmp / "ca-bundle.pem").write_text(bundle)

    def _s3(self) -> None:
        self.spawn("s3", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.s3_port)], env=dict(os.environ))
        wait_for("the S3 server", lambda: httpx.get(self.s3_url, timeout=2).status_code < 500)
        self.s3().create_bucket(Bucket=BUCKET)

    def _database(self, *, create: bool = True) -> None:
        name = sql.Identifier(self.database)
        with psycopg.connect(f"{self.postgres_server}/postgres", autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            if create:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(name))

    def _environment(self) -> dict[str, str]:
        env = {name: value for name, value in os.environ.items() if not name.startswith(OURS)}
        env.update(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(48),
            DJANGO_ALLOWED_HOSTS=HOST,
            # gunicorn terminates TLS itself: no proxy header to trust; the https redirect and HSTS stay on.
            DJANGO_BEHIND_TLS_PROXY="0",
            SITE_URL=self.urls[0],
            DATABASE_URL=f"{self.postgres_server}/{self.database}",
            REDIS_URL=self.redis_url,
            CELERY_BROKER_URL=self.broker_url,
            CELERY_QUEUE_PREFIX=self.prefix,
            S3_BUCKET=BUCKET,
            S3_ENDPOINT_URL=self.s3_url,
            S3_ACCESS_KEY_ID="prodshape",
            S3_SECRET_ACCESS_KEY="prodshape-secret",  # noqa: S106 — moto's, local only
            SIGNING_KEK=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            PAYMENT_SANDBOX="1",
            PAYMENT_SANDBOX_SECRET=secrets.token_urlsafe(32),
            PAYMENT_SANDBOX_MAX_DELAY="1",
            EMAIL_URL=f"file://{self.tmp / 'mail'}",
            GOVPORTAL_VAR_DIR=str(self.tmp / "var"),
            # Whoever calls the portal over HTTPS (the sandbox company's webhooks, from the payments
            # worker) trusts its certificate through the usual trust store plus this one, by configuration.
            SSL_CERT_FILE=str(self.tmp / "ca-bundle.pem"),
            LOG_LEVEL="WARNING",
        )
        return env

    def spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        log = (self.tmp / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=env or self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def manage(self, *args: str) -> str:
        """``manage.py`` with the stack's production settings; its standard output."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args[:1])} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def shell(self, script: str) -> dict[str, object]:
        """Run ``script`` in ``manage.py shell`` (production settings); it prints one JSON line last."""
        return json.loads(self.manage("shell", "--no-imports", "-c", script).strip().splitlines()[-1])

    # --- stop ----------------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop every process (their whole process groups), then drop the database and the queues."""
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        with contextlib.suppress(Exception):
            from tests.workers import queues_delete

            queues_delete(self.prefix)
        with contextlib.suppress(psycopg.Error):
            self._database(create=False)

    def logs(self, lines: int = 40) -> str:
        out = []
        for path in sorted(self.tmp.glob("*.log")):
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {path.name} (last {len(tail)} lines)\n" + "\n".join(tail))
        return "\n".join(out)


def tool(name: str) -> str:
    """A program the production shape needs, or the reason it cannot run."""
    found = shutil.which(name) or (str(BIN / name) if (BIN / name).exists() else None)
    if found is None:
        raise RuntimeError(f"the production shape needs {name} (scripts/bootstrap.sh test installs it)")
    return found
