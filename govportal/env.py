"""Typed readers for environment variables.

Every setting that comes from the environment goes through one of these, so that a
bad value fails loudly at start-up with the variable's name, never later with a
confusing error deep inside a request.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """The variable as text, or ``default`` when it is not set."""
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    """``1/true/yes/on`` or ``0/false/no/off`` (any case); anything else is an error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated list with blanks removed."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, default: str = "") -> str:
    """A secret, read from ``NAME`` or from the file named by ``NAME_FILE`` (Docker/K8s secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE points to {path!r}, which cannot be read: {exc}.") from exc
    return env_str(name, default)


def parse_email_url(url: str) -> dict[str, object]:
    """Turn ``EMAIL_URL`` into a ``MAILERS`` entry (Django 6.1).

    ``smtp://user:pass@host:587?tls=1``, ``smtps://…`` (implicit TLS), ``console://``,
    ``file:///var/mail/govportal`` and ``locmem://`` are understood.
    """
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    backends = "django.core.mail.backends"
    if parts.scheme == "console":
        return {"BACKEND": "govportal.notifications.console.ReadableConsoleBackend"}
    if parts.scheme == "locmem":
        return {"BACKEND": f"{backends}.locmem.EmailBackend"}
    if parts.scheme == "file":
        return {"BACKEND": f"{backends}.filebased.EmailBackend", "OPTIONS": {"file_path": unquote(parts.path)}}
    if parts.scheme in {"smtp", "smtps"}:
        implicit_tls = parts.scheme == "smtps"
        return {
            "BACKEND": f"{backends}.smtp.EmailBackend",
            "OPTIONS": {
                "host": parts.hostname or "localhost",
                "port": parts.port or (465 if implicit_tls else 25),
                "username": unquote(parts.username or ""),
                "password": unquote(parts.password or ""),
                "use_tls": query.get("tls", "0").lower() in _TRUE,
                "use_ssl": implicit_tls,
                "timeout": 20,
            },
        }
    raise ImproperlyConfigured(
        f"EMAIL_URL has an unknown scheme {parts.scheme!r}; use smtp://, smtps://, console://, file:// or locmem://."
    )


def run_host_url(host: str) -> str:
    """The host part of a URL for a server listening on ``host``: a server on every interface
    (``0.0.0.0``, ``::``) is reached on this machine at 127.0.0.1; IPv6 addresses take brackets."""
    if host in {"0.0.0.0", "::", ""}:  # noqa: S104 — naming the wildcard, not binding to it
        return "127.0.0.1"
    if ":" in host and not host.startswith("["):
        return f"[{host}]"
    return host
