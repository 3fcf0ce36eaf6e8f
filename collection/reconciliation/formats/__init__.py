"""The settlement file formats, one module per provider's file (``base`` says what each declares).

Every format is read by the same code (``reading``: UTF-8, every bad row listed with its line, the
whole file refused for one bad row) into the same staging row, and judged by the same SQL
(``matching``).
"""

from __future__ import annotations

from typing import Any

from collection.reconciliation.formats.acquirer import AcquirerFormat
from collection.reconciliation.formats.base import COMMON_COLUMNS, SettlementFormat, Staged
from collection.reconciliation.formats.fib import FibFormat
from collection.reconciliation.formats.sandbox import SandboxFormat

FORMATS: dict[str, SettlementFormat] = {f.provider: f for f in (SandboxFormat(), AcquirerFormat(), FibFormat())}

# Why a row was refused, whatever its format (codes are unique across formats, or mean the same).
ROW_PROBLEMS: dict[str, Any] = {code: text for f in FORMATS.values() for code, text in f.problems_text.items()}

__all__ = ["COMMON_COLUMNS", "FORMATS", "ROW_PROBLEMS", "SettlementFormat", "Staged"]
