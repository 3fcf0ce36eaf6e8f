"""Joining translated pieces into one sentence with the reader's punctuation.

Arabic separates list items with "،" and clauses with "؛"; a Latin "," or ";" between Arabic words is
a typo a reader sees. A join written in code takes its separator from the catalogue, like any word.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import pgettext


def items_joined(items: Iterable[str]) -> str:
    """ "a, b, c" in English, "a، b، c" in Arabic."""
    return pgettext("separator between the items of a list", ", ").join(items)


def clauses_joined(clauses: Iterable[str]) -> str:
    """ "reason; reason" in English, "reason؛ reason" in Arabic."""
    return pgettext("separator between clauses", "; ").join(clauses)
