"""Demo bills, an outlet and a paid bill with its receipt for ``seed_demo`` (idempotent)."""

from __future__ import annotations

from typing import Any


def demo_payments() -> dict[str, Any]:
    return {}
