"""Production mode refuses unsafe settings, and passes check --deploy once they are right."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import database_url

ROOT = Path(__file__).resolve().parent.parent
SAFE = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x8#kq!2vLr9@pT6^mZ4&wN1*bH7(cF3)dJ5-gS0+eA2=uY8~iO4|lK6?nR9<tE1>",
    "DJANGO_ALLOWED_HOSTS": "portal.gov.iq",
    "DATABASE_URL": "postgres://govportal:secret@db.internal:5432/govportal",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "CELERY_BROKER_URL": "amqp://govportal:secret@rabbitmq.internal:5672/govportal",
}
OURS = ("DJANGO_", "DATABASE_", "REDIS_", "S3_", "CELERY_", "SITE_URL", "GOVPORTAL_RUN_", "PAYMENT_")


def run_django(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(OURS)}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY"),
        ("DJANGO_ALLOWED_HOSTS", "DJANGO_ALLOWED_HOSTS"),
        ("DATABASE_URL", "DATABASE_URL"),
        ("REDIS_URL", "REDIS_URL"),
        ("CELERY_BROKER_URL", "CELERY_BROKER_URL"),
    ],
)
def test_production_refuses_to_start_without(missing, named):
    env = {k: v for k, v in SAFE.items() if k != missing}
    result = run_django(env, "check")
    assert result.returncode != 0
    assert "Refusing to start in production mode" in result.stderr
    assert named in result.stderr


def test_production_refuses_sqlite_and_a_weak_key():
    result = run_django({**SAFE, "DATABASE_URL": "sqlite:///db.sqlite3", "DJANGO_SECRET_KEY": "changeme"}, "check")
    assert result.returncode != 0
    assert "DATABASE_URL must point to PostgreSQL" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_a_redis_broker():
    """Redis hands a dead worker's tasks out again only after its visibility timeout (docs/OPERATIONS.md)."""
    result = run_django({**SAFE, "CELERY_BROKER_URL": "redis://redis.internal:6379/1"}, "check")
    assert result.returncode != 0
    assert "CELERY_BROKER_URL must point to RabbitMQ" in result.stderr


def test_the_web_server_with_no_environment_is_production_and_says_how_to_develop():
    env = {k: v for k, v in os.environ.items() if not k.startswith(OURS)}
    result = subprocess.run(
        [sys.executable, "-c", "import govportal.wsgi"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "Refusing to start in production mode" in result.stderr
    assert "DJANGO_DEBUG=1" in result.stderr


def test_manage_py_in_a_bare_checkout_runs_embedded():
    """No configuration at all is a developer's checkout: management commands work out of the box."""
    result = run_django({}, "check")
    assert result.returncode == 0, result.stderr


@pytest.mark.postgres
@pytest.mark.django_db
def test_production_settings_pass_check_deploy_without_warnings():
    # The model checks ask the database server about its features, so a real one is needed.
    result = run_django({**SAFE, "DATABASE_URL": database_url()}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_seed_demo_is_refused_in_production():
    result = run_django(SAFE, "seed_demo", "--password", "whatever-long-enough")
    assert result.returncode != 0
    assert "refuses to run in production" in result.stderr


@pytest.mark.postgres
@pytest.mark.parametrize(("jit", "expected"), [(None, "off client"), ("1", None)])
def test_portal_connections_run_without_postgresqls_jit_unless_asked(jit, expected):
    env = {**SAFE, "DATABASE_URL": database_url(), **({"DATABASE_JIT": jit} if jit else {})}
    script = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute(\"SELECT setting, source FROM pg_settings WHERE name = 'jit'\")\n"
        "    print(*c.fetchone())"
    )
    result = run_django(env, "shell", "--no-imports", "-c", script)
    assert result.returncode == 0, result.stderr
    setting = result.stdout.strip()
    if expected:
        assert setting == expected
    else:  # as the server is configured, not set by the portal's connection
        assert not setting.endswith(" client")


def _development_setting(env: dict[str, str], *names: str) -> list[str]:
    script = "from django.conf import settings\n" + "".join(f"print(settings.{name})\n" for name in names)
    result = run_django({"DJANGO_DEBUG": "1", **env}, "shell", "--no-imports", "-c", script)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_site_url_follows_the_port_make_run_serves_on():
    """`make run PORT=8100` exports GOVPORTAL_RUN_PORT: QR codes, e-mail links and the sandbox's
    webhooks then point at that server, not at port 8000."""
    site, webhook = _development_setting({"GOVPORTAL_RUN_PORT": "8100"}, "SITE_URL", "PAYMENT_SANDBOX_WEBHOOK_URL")
    assert site == "http://127.0.0.1:8100"
    assert webhook == "http://127.0.0.1:8100/collection/webhooks/sandbox/"


def test_site_url_follows_the_host_and_a_server_on_every_interface_is_reached_locally():
    assert _development_setting({"GOVPORTAL_RUN_HOST": "portal.local", "GOVPORTAL_RUN_PORT": "8200"}, "SITE_URL") == [
        "http://portal.local:8200"
    ]
    assert _development_setting({"GOVPORTAL_RUN_HOST": "0.0.0.0"}, "SITE_URL") == ["http://127.0.0.1:8000"]  # noqa: S104


def test_site_url_set_explicitly_wins_over_the_port():
    env = {"GOVPORTAL_RUN_PORT": "8100", "SITE_URL": "https://portal.example.iq/"}
    assert _development_setting(env, "SITE_URL") == ["https://portal.example.iq"]


def test_make_run_passes_its_host_and_port_to_the_settings():
    """`make run PORT=8100` exports the address it serves on to every command it runs (here each
    `manage.py` command is replaced by printing what the settings would read)."""
    result = subprocess.run(
        [
            "make",
            "-s",
            "-o",
            "env",
            "-o",
            "messages",
            "run",
            "HOST=portal.local",
            "PORT=8100",
            "MANAGE=printenv GOVPORTAL_RUN_HOST GOVPORTAL_RUN_PORT #",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines.count("8100") == 3 and lines.count("portal.local") == 3  # migrate, seed_demo, runserver
