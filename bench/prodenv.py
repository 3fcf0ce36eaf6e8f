"""Production-mode environment for the feature benchmarks: a throw-away PostgreSQL database,
a Redis database of its own, a temporary var directory and fresh secrets.

Nothing here touches the developer's database or files: every benchmark creates its database
(``govportal_bench_*``), and drops it again when it is done, even when it fails.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

# The server (maintenance database) the bench databases are created on, and the Redis database
# they use. That Redis database is emptied before and after each benchmark: never point it at
# one that holds anything of value.
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
# The Celery broker production requires (RabbitMQ). No benchmark runs a worker; one that queues
# tasks gives them queues of its own (CELERY_QUEUE_PREFIX) and deletes them.
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
# BENCH_DATABASE names the database instead of ``govportal_bench_<name>`` (one set aside for this
# checkout, say); it too is dropped and created afresh. BENCH_KEEP_DATABASE=1 leaves it in place after
# the run, data and all, for looking at query plans by hand.
DATABASE = os.environ.get("BENCH_DATABASE", "")
KEEP_DATABASE = os.environ.get("BENCH_KEEP_DATABASE", "") == "1"

_CLEARED = (
    "DJANGO_SECRET_KEY_FILE",
    "SIGNING_KEK_FILE",
    "S3_BUCKET",
    "SITE_URL",
    "DJANGO_HSTS_SECONDS",
    "CELERY_BROKER_URL_FILE",
    "CELERY_QUEUE_PREFIX",
)


@dataclass
class BenchEnv:
    database: str
    database_url: str
    var_dir: Path
    env: dict[str, str]

    def apply(self) -> None:
        """Make this process run in the bench environment (call before ``django.setup()``)."""
        for name in _CLEARED:
            os.environ.pop(name, None)
        os.environ.update(self.env)


def _server_url() -> str:
    return POSTGRES_URL.rsplit("/", 1)[0]


def _redis_flush() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def database_create(name: str) -> None:
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_drop(name: str) -> None:
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def bench_env(
    name: str, *, settings_module: str = "govportal.settings", reuse: bool = False, keep: bool = False
) -> Iterator[BenchEnv]:
    """A fresh database ``govportal_bench_<name>`` and the production-mode variables that use it.

    ``reuse``: the database a previous run kept, as it is (neither created nor dropped), to measure
    again without loading it again; ``keep``: leave the database in place after the run."""
    assert name.isidentifier()
    database = DATABASE or f"govportal_bench_{name}"
    var_dir = Path(tempfile.mkdtemp(prefix=f"govportal-bench-{name}-"))
    database_url = f"{_server_url()}/{database}"
    env = {
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(45),  # 60 characters
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": BROKER_URL,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_BEHIND_TLS_PROXY": "0",
        "VERIFY_RATE_LIMIT_PER_MINUTE": "100000000",
        "SIGNING_KEK": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "GOVPORTAL_VAR_DIR": str(var_dir),
        "LOG_LEVEL": "WARNING",
    }
    if reuse:
        with psycopg.connect(POSTGRES_URL) as connection:
            found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not found:
            raise SystemExit(f"no database {database} to reuse: run once with the option to keep it")
    else:
        database_create(database)
    _redis_flush()
    try:
        yield BenchEnv(database, database_url, var_dir, env)
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 — Django may not be set up at all
            pass
        if KEEP_DATABASE or keep or reuse:
            print(f"kept the database {database} (BENCH_KEEP_DATABASE=1)", flush=True)
        else:
            database_drop(database)
        _redis_flush()
        shutil.rmtree(var_dir, ignore_errors=True)
