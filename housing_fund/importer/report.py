"""The report of an import: counts, bad rows and their reasons in every language of the site."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import translation

from govportal.importing import more_bad_rows

MAX_ERRORS = 1000  # bad rows kept with their reasons; beyond that only their number


# --- The report ---------------------------------------------------------------------------------


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    skipped: int = 0
    bad_rows: int = 0
    installments: int = 0
    # {"line", "loan_number", "messages": {language: [reasons]}} for the first MAX_ERRORS bad rows
    errors: list[dict[str, Any]] = field(default_factory=list)
    refused: bool = False  # the file as a whole (not UTF-8, not CSV, not ours, no rows)

    @property
    def ok(self) -> bool:
        return not self.bad_rows and not self.refused

    def refuse(self, line: int, number: str, messages: dict[str, list[str]]) -> None:
        self.bad_rows += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"line": line, "loan_number": number, "messages": messages})

    def refuse_file(self, line: int | None, messages: dict[str, list[str]]) -> None:
        """The file as a whole cannot be imported: that alone is reported, not its rows."""
        self.refused, self.rows, self.bad_rows, self.imported, self.skipped = True, 0, 0, 0, 0
        self.errors = [{"line": line, "loan_number": "", "messages": messages}]

    def error_list(self) -> list[dict[str, Any]]:
        """What is stored with the import: the bad rows, and how many more there were."""
        hidden = self.bad_rows - len(self.errors)
        return self.errors + ([{"line": None, "loan_number": "", "more": hidden}] if hidden > 0 else [])

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "imported": self.imported,
            "skipped": self.skipped,
            "bad_rows": self.bad_rows,
            "installments": self.installments,
        }

    def as_dict(self) -> dict[str, Any]:
        """For ``import_loans --json``: the counts and every bad row in the active language."""
        return {
            "ok": self.ok,
            **self.counts(),
            "errors": [
                {"line": line, "loan_number": number, "errors": reasons}
                for line, number, reasons in error_messages(self.error_list())
            ],
        }


def error_messages(errors: list[dict[str, Any]]) -> list[tuple[int | None, str, list[str]]]:
    """Stored bad rows as (line, loan number, reasons) in the active language."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    shown: list[tuple[int | None, str, list[str]]] = []
    for item in errors:
        if "more" in item:
            shown.append((None, "", [more_bad_rows(item["more"])]))
            continue
        messages: dict[str, list[str]] = item.get("messages", {})
        chosen: list[str] = (
            messages.get(language) or messages.get(language.split("-")[0]) or next(iter(messages.values()), [])
        )
        shown.append((item.get("line"), item.get("loan_number", ""), list(chosen)))
    return shown


def _every_language(message: Callable[[], str]) -> dict[str, list[str]]:
    result = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            result[language] = [message()]
    return result
