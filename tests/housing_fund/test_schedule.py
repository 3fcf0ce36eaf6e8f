"""The schedule rule: equal whole-dinar installments, the last absorbing the rounding."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from housing_fund.schedule import add_months, due_dates, installment_amounts


@given(total=st.integers(min_value=1, max_value=10**12), term=st.integers(min_value=1, max_value=360))
def test_installments_sum_to_the_total_and_only_the_last_differs(total, term):
    if total < term:
        with pytest.raises(ValueError):
            installment_amounts(total, term)
        return
    amounts = installment_amounts(total, term)
    assert len(amounts) == term
    assert sum(amounts) == total
    assert all(amount >= 1 for amount in amounts)
    assert len(set(amounts[:-1])) <= 1
    assert 0 <= amounts[-1] - amounts[0] < term


def test_known_figures():
    assert installment_amounts(50_500_000, 240) == [210_416] * 239 + [50_500_000 - 210_416 * 239]
    assert installment_amounts(1000, 3) == [333, 333, 334]


@given(start=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2060, 12, 31)), months=st.integers(0, 400))
def test_add_months_keeps_the_day_or_the_month_end(start, months):
    later = add_months(start, months)
    assert (later.year - start.year) * 12 + later.month - start.month == months
    assert later.day == start.day or (later.day < start.day and (later + dt.timedelta(days=1)).day == 1)


def test_due_dates_from_a_month_end():
    assert due_dates(dt.date(2026, 1, 31), 3) == [dt.date(2026, 2, 28), dt.date(2026, 3, 31), dt.date(2026, 4, 30)]
