"""Fifty issuers answering at the same moment still get 1..50 with no gap and no repeat (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from datacenter.constants import Outcome
from datacenter.services import request_answer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_fifty_concurrent_answers_get_gapless_serials(world, submitted):
    items = [submitted() for _ in range(50)]
    start = threading.Barrier(len(items))
    serials: list[str] = []
    errors: list[BaseException] = []

    def answer(item):
        try:
            start.wait()
            serials.append(
                request_answer(item=item, outcome=Outcome.CONFIRMED, reason="", actor=world["issuer"]).serial
            )
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=answer, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    numbers = sorted(int(serial.rsplit("-", 1)[1]) for serial in serials)
    assert numbers == list(range(1, 51))
