"""Joining translated pieces into one sentence with the reader's punctuation, and choosing the
text of something named in several languages.

Arabic separates list items with "،" and clauses with "؛"; a Latin "," or ";" between Arabic words is
a typo a reader sees. A join written in code takes its separator from the catalogue, like any word.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import get_language, pgettext


def items_joined(items: Iterable[str]) -> str:
    """ "a, b, c" in English, "a، b، c" in Arabic."""
    return pgettext("separator between the items of a list", ", ").join(items)


def clauses_joined(clauses: Iterable[str]) -> str:
    """ "reason; reason" in English, "reason؛ reason" in Arabic."""
    return pgettext("separator between clauses", "; ").join(clauses)


def in_reader_language(*, ar: str, en: str = "", ckb: str = "") -> str:
    """A name or text given per language, as the reader's language wants it.

    English readers get the English text; Kurdish readers the Kurdish text. Where either is
    missing (many things are named only in Arabic and English), the Arabic, the official language
    that every reader of these pages in Iraq can read, stands in for it.
    """
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if language == "en":
        return en or ar
    if language == "ckb":
        return ckb or ar
    return ar
