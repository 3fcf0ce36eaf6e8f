"""32 clerks of one entity dispatching at once: 1..32, no gap, no duplicate (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from documents.services import letter_approve, letter_dispatch, letter_draft, letter_submit
from tests.documents.conftest import content

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_dispatch_gives_gapless_unique_numbers(office):
    letters = []
    for _ in range(32):
        letter = letter_draft(sender=office["finance"], content=content([office["health"]]), actor=office["clerk"])
        letter_submit(letter=letter, actor=office["clerk"])
        letters.append(letter_approve(letter=letter, actor=office["head"]))
    start = threading.Barrier(len(letters))
    numbers: list[int] = []
    errors: list[BaseException] = []

    def dispatch(letter):
        try:
            start.wait()
            numbers.append(letter_dispatch(letter=letter, actor=office["clerk"]).sequence)
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatch, args=(letter,)) for letter in letters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(numbers) == list(range(1, 33))
