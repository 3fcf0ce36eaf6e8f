"""Installment arithmetic: equal monthly amounts in whole dinars, the last one absorbing the rounding."""

from __future__ import annotations

import calendar
import datetime as dt


def installment_amounts(total: int, term: int) -> list[int]:
    """``term`` amounts summing to ``total``: all equal except the last, which takes the remainder
    (so it is at least as large as the others and larger by less than ``term`` dinars)."""
    if term < 1 or total < term:
        raise ValueError("each installment must be at least 1 dinar")
    base = total // term
    return [base] * (term - 1) + [total - base * (term - 1)]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it is shorter (31 Jan → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_dates(start: dt.date, term: int) -> list[dt.date]:
    """The first installment falls due a month after the start, then monthly (from the start's day)."""
    return [add_months(start, number) for number in range(1, term + 1)]
