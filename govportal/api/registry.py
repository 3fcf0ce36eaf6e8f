"""Domain apps' endpoints: each app hands its ninja router here from its ``ready()``."""

from __future__ import annotations

from ninja import Router

ROUTERS: list[tuple[str, Router]] = []


def router_register(prefix: str, router: Router) -> None:
    """Serve ``router`` under ``/api/v1/<prefix>`` (idempotent)."""
    if all(registered is not router for _prefix, registered in ROUTERS):
        ROUTERS.append((prefix, router))
