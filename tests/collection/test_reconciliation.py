"""Settlement files: every reconciliation outcome, re-imports, bad files, the command and the staff pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from collection.constants import (
    SETTLEMENT_WINDOW_DAYS,
    PaymentStatus,
    Provider,
    Resolution,
    RowOutcome,
    SettlementStatus,
)
from collection.models import Discrepancy, Payment, SandboxCharge, Settlement, SettlementFile, SettlementRow
from collection.providers.sandbox import SETTLEMENT_COLUMNS
from collection.reconciliation import (
    PROBLEMS,
    error_messages,
    settlement_import,
    settlement_progress,
    settlement_reconcile_now,
)
from govportal.audit.models import AuditEvent
from tests.collection.conftest import PaymentFactory, outcomes_by_line, settlement_bytes, settlement_line
from tests.conftest import login_staff
from tests.importing import bad_byte_files, header_only, manage, refusals, refused_in_a_browser

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_settlements")]

ALL_OUTCOMES = {outcome: 0 for outcome in [*RowOutcome.values, "missing"]}


def reconcile(rows: list[dict[str, str]], **kwargs: Any) -> SettlementFile:
    return settlement_import(
        provider=Provider.SANDBOX, name="sandbox.csv", content=settlement_bytes(rows), run_now=True, **kwargs
    )


@pytest.fixture
def payments(recon: dict[str, Any]) -> dict[str, Any]:
    """One payment for each outcome a settlement file can find, and some that must not be reported."""
    now = timezone.now()
    fund, other = recon["fund"], recon["other"]
    return {
        "matched": PaymentFactory(collecting_entity=fund, amount=50_000),
        "short": PaymentFactory(collecting_entity=fund, amount=75_000),
        "dollars": PaymentFactory(collecting_entity=fund, amount=20_000),
        "failed": PaymentFactory(collecting_entity=fund, failed=True),
        "twice": PaymentFactory(collecting_entity=other, amount=30_000),
        "refunded": PaymentFactory(collecting_entity=fund, status=PaymentStatus.REFUNDED, refunded_amount=50_000),
        "other_provider": PaymentFactory(collecting_entity=fund, provider=Provider.FIB),
        "missing": PaymentFactory(collecting_entity=fund, succeeded_at=now - dt.timedelta(days=10)),
        "missing_other": PaymentFactory(collecting_entity=other, succeeded_at=now - dt.timedelta(days=9)),
        "recent": PaymentFactory(collecting_entity=fund, succeeded_at=now - dt.timedelta(hours=6)),
        "pending": PaymentFactory(collecting_entity=fund, pending=True, created_at=now - dt.timedelta(days=10)),
    }


@pytest.fixture
def every_outcome(payments: dict[str, Payment]) -> list[dict[str, str]]:
    p = payments
    last = timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return [
        settlement_line(p["matched"]),  # line 2
        settlement_line(p["short"], amount=74_000),  # 3
        settlement_line(p["dollars"], currency="USD"),  # 4
        settlement_line(None, payment_ref="P999NOBODY", txn_id="txn_nobody"),  # 5
        settlement_line(p["failed"]),  # 6
        settlement_line(p["matched"]),  # 7: the same transaction again
        settlement_line(p["twice"]),  # 8
        settlement_line(p["twice"], txn_id="txn_second_settlement"),  # 9: the same payment settled twice
        settlement_line(p["refunded"]),  # 10: refunded later; it was paid, so it is settled
        settlement_line(p["other_provider"]),  # 11: paid through another provider
        settlement_line(p["recent"], settled_at=last),  # 12
    ]


def already_imported() -> str:
    """The start of the duplicate-file message, in Arabic as the tests run."""
    with translation.override("ar"):
        return gettext("This settlement file has already been imported (%(name)s, %(when)s).").split("(")[0].strip()


def test_every_outcome_is_found_counted_and_put_in_front_of_staff(recon, payments, every_outcome):
    settlement = reconcile(every_outcome)

    assert settlement.status == SettlementStatus.DONE
    assert settlement.finished_at is not None
    assert settlement.rows_total == settlement.rows_done == 11
    assert outcomes_by_line(settlement) == {
        2: "matched",
        3: "amount_mismatch",
        4: "amount_mismatch",
        5: "unknown",
        6: "status_mismatch",
        7: "duplicate",
        8: "matched",
        9: "duplicate",
        10: "matched",
        11: "unknown",
        12: "matched",
    }
    assert settlement.counts == ALL_OUTCOMES | {
        "matched": 4,
        "amount_mismatch": 2,
        "unknown": 2,
        "status_mismatch": 1,
        "duplicate": 2,
        "missing": 2,
    }
    fund, other = str(recon["fund"].pk), str(recon["other"].pk)
    assert settlement.entity_counts[other] == ALL_OUTCOMES | {"matched": 1, "duplicate": 1, "missing": 1}
    assert settlement.entity_counts[fund]["missing"] == 1
    assert settlement.entity_counts[fund]["unknown"] == 0  # unknown rows belong to no entity

    settled = set(Payment.objects.exclude(pk__in=Payment.objects.unsettled()).values_list("payment_ref", flat=True))
    assert settled == {payments[k].payment_ref for k in ("matched", "twice", "refunded", "recent")}
    settlement_of_matched = Settlement.objects.get(payment=payments["matched"])
    assert (settlement_of_matched.file, settlement_of_matched.line) == (settlement, 2)
    row = SettlementRow.objects.get(file=settlement, line=3)
    assert (row.payment, row.collecting_entity, row.amount) == (payments["short"], recon["fund"], 74_000)

    found = {(d.kind, d.payment_id, d.row.line if d.row else None) for d in Discrepancy.objects.all()}
    assert found == {
        ("amount_mismatch", payments["short"].pk, 3),
        ("amount_mismatch", payments["dollars"].pk, 4),
        ("unknown", None, 5),
        ("status_mismatch", payments["failed"].pk, 6),
        ("duplicate", payments["matched"].pk, 7),
        ("duplicate", payments["twice"].pk, 9),
        ("unknown", None, 11),
        ("missing", payments["missing"].pk, None),
        ("missing", payments["missing_other"].pk, None),
    }
    short = Discrepancy.objects.get(payment=payments["short"])
    assert (short.expected_amount, short.reported_amount, short.collecting_entity) == (75_000, 74_000, recon["fund"])
    assert set(Discrepancy.objects.values_list("file", flat=True)) == {settlement.pk}
    assert AuditEvent.objects.filter(action="settlement_import", target_id=str(settlement.pk)).exists()
    assert AuditEvent.objects.get(action="settlement_reconcile").data["counts"] == settlement.counts


def test_missing_waits_for_the_settlement_window_and_is_reported_once(recon):
    last = timezone.now()
    just_inside = PaymentFactory(succeeded_at=last - dt.timedelta(days=SETTLEMENT_WINDOW_DAYS) + dt.timedelta(hours=1))
    outside = PaymentFactory(succeeded_at=last - dt.timedelta(days=SETTLEMENT_WINDOW_DAYS, hours=1))
    stamp = last.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    other = PaymentFactory(succeeded_at=last)
    first = reconcile([settlement_line(other, settled_at=stamp)])
    assert first.counts["missing"] == 1
    assert list(Discrepancy.objects.values_list("kind", "payment")) == [("missing", outside.pk)]
    assert not Discrepancy.objects.filter(payment=just_inside).exists()

    second = reconcile([settlement_line(PaymentFactory(succeeded_at=last), settled_at=stamp)])
    assert second.counts["missing"] == 0  # reported once, however many files come
    assert Discrepancy.objects.filter(kind="missing").count() == 1

    a_day_later = (last + dt.timedelta(days=1)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    third = reconcile([settlement_line(PaymentFactory(succeeded_at=last), settled_at=a_day_later)])
    assert third.counts["missing"] == 1
    assert Discrepancy.objects.get(kind="missing", file=third).payment == just_inside


def test_a_payment_settled_by_an_earlier_file_is_a_duplicate_in_a_later_one(recon):
    payment = PaymentFactory()
    reconcile([settlement_line(payment)])
    again = reconcile([settlement_line(payment, txn_id="txn_again"), settlement_line(PaymentFactory())])
    assert outcomes_by_line(again) == {2: "duplicate", 3: "matched"}
    assert Discrepancy.objects.get(kind="duplicate").payment == payment


def test_a_payment_is_settled_once_and_a_kept_line_never_settles(recon):
    payment = PaymentFactory()
    first = reconcile([settlement_line(payment)])
    settled = Settlement.objects.get(payment=payment)
    with pytest.raises(IntegrityError), transaction.atomic():
        Settlement.objects.create(
            payment=payment, file=first, line=3, txn_id="txn_forged", settled_at=settled.settled_at, fee=0
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        SettlementRow.objects.create(
            file=first, line=3, txn_id="txn_forged", payment_ref=payment.payment_ref, amount=payment.amount,
            currency="IQD", status="settled", settled_at=settled.settled_at, payment=payment,
            outcome=RowOutcome.MATCHED,
        )  # fmt: skip
    assert Settlement.objects.get(payment=payment).line == 2
    assert Payment.objects.unsettled().filter(pk=payment.pk).count() == 0


def test_the_payment_page_shows_the_file_and_line_that_settled_it(recon, staff, staff_client):
    payment, waiting = PaymentFactory(collecting_entity=recon["fund"]), PaymentFactory(collecting_entity=recon["fund"])
    settlement = reconcile([settlement_line(payment)])
    client = staff_client(staff["officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settled = client.get(f"/collection/staff/payments/{payment.pk}/").content.decode()
    unsettled = client.get(f"/collection/staff/payments/{waiting.pk}/").content.decode()
    assert re.search(rf"file <bdi>{re.escape(settlement.name)}</bdi>, line 2", settled)
    assert "Not yet in a settlement file" in unsettled


# Files whose reading is a corner of CSV: PostgreSQL takes plain files by COPY and leaves the
# rest to the row-by-row reading, so on both databases each file is taken or refused the same way.
def _lines(*lines: str, header: str = ",".join(SETTLEMENT_COLUMNS)) -> bytes:
    return "\n".join([header, *lines, ""]).encode()


def _row(payment: Payment | None, **changes: Any) -> str:
    # The terminator must be a real newline: Python 3.12's writer quotes only fields holding a
    # character of the terminator, so with "" a value holding "\n" would go out unquoted there.
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(settlement_line(payment, **changes).values())
    return out.getvalue().removesuffix("\n")


@pytest.mark.postgres
def test_on_postgresql_a_plain_file_goes_in_by_copy_and_an_unusual_one_row_by_row(recon, caplog):
    caplog.set_level("INFO", logger="collection.reconciliation.services")
    plain = settlement_import(
        provider="sandbox", name="a.csv", content=_lines(_row(PaymentFactory()), _row(PaymentFactory())), run_now=True
    )
    unusual = settlement_import(
        provider="sandbox", name="b.csv", content=_lines(_row(PaymentFactory(), currency="USD")), run_now=True
    )
    logged = {record.args[0]: record.getMessage() for record in caplog.records if "rows" in record.msg}
    assert "2 rows copied and checked in the database" in logged[plain.pk]
    assert "1 rows read, checked and staged" in logged[unusual.pk]
    assert outcomes_by_line(plain) == {2: "matched", 3: "matched"}
    assert outcomes_by_line(unusual) == {2: "amount_mismatch"}


def test_repeated_lines_are_duplicates_in_a_plain_file_as_in_an_unusual_one(recon, caplog):
    """A plain file is checked beside the matching on PostgreSQL (its repeats found there); the
    unusual one (a line in dollars) is read row by row: both judge repeats the same way."""
    caplog.set_level("INFO", logger="collection.reconciliation.services")
    a, b, c = PaymentFactory(), PaymentFactory(), PaymentFactory()
    repeating = [
        _row(a),  # 2
        _row(a),  # 3: the same line again
        _row(b),  # 4
        _row(b, txn_id="txn_b_again"),  # 5: the same payment under another transaction
        _row(None, payment_ref="P999NOBODY", txn_id="txn_x"),  # 6
        _row(None, payment_ref="P999NOBODY", txn_id="txn_x2"),  # 7: unknown twice stays unknown
        _row(None, payment_ref="P999OTHER", txn_id="txn_x"),  # 8: a transaction already listed
        _row(c, txn_id=a.provider_ref),  # 9: so is this one, for another payment
    ]
    expected = {2: "matched", 3: "duplicate", 4: "matched", 5: "duplicate", 6: "unknown", 7: "unknown",
                8: "duplicate", 9: "duplicate"}  # fmt: skip
    plain = settlement_import(provider="sandbox", name="plain.csv", content=_lines(*repeating), run_now=True)
    assert outcomes_by_line(plain) == expected
    assert plain.counts == ALL_OUTCOMES | {"matched": 2, "duplicate": 4, "unknown": 2}
    assert Settlement.objects.filter(file=plain).count() == 2
    assert Discrepancy.objects.filter(file=plain).count() == 6

    Settlement.objects.all().delete()  # the same payments again, for the other path
    d = PaymentFactory()
    unusual = settlement_import(
        provider="sandbox", name="unusual.csv", content=_lines(*repeating, _row(d, currency="USD")), run_now=True
    )
    assert outcomes_by_line(unusual) == expected | {10: "amount_mismatch"}
    if connection.vendor == "postgresql":
        logged = {record.args[0]: record.getMessage() for record in caplog.records if "rows" in record.msg}
        assert "8 rows copied and checked in the database" in logged[plain.pk]
        assert "9 rows read, checked and staged" in logged[unusual.pk]


def test_a_file_with_a_byte_order_mark_and_windows_line_ends_is_taken_with_its_line_numbers(recon):
    one, two = PaymentFactory(), PaymentFactory()
    short = _row(two, card_last4="", amount=str(two.amount - 1000))
    content = b"\xef\xbb\xbf" + _lines(_row(one), short).replace(b"\n", b"\r\n")
    settlement = settlement_import(provider="sandbox", name="crlf.csv", content=content, run_now=True)
    assert settlement.status == SettlementStatus.DONE
    assert outcomes_by_line(settlement) == {2: "matched", 3: "amount_mismatch"}
    assert SettlementRow.objects.get(file=settlement, line=3).card_last4 == ""


def test_a_quoted_empty_card_and_a_quoted_comma_are_read_as_written(recon):
    payment = PaymentFactory()
    line = _row(payment, txn_id="txn,with comma", amount=str(payment.amount + 1000)).replace(",1111,", ',"",')
    settlement = settlement_import(provider="sandbox", name="q.csv", content=_lines(line), run_now=True)
    assert settlement.status == SettlementStatus.DONE
    row = SettlementRow.objects.get(file=settlement)
    assert (row.txn_id, row.card_last4, row.outcome) == ("txn,with comma", "", "amount_mismatch")


def test_a_transaction_id_spanning_two_lines_keeps_the_line_numbers_of_the_file(recon):
    """A row is on the line where it starts, as an editor shows it: the first row spans lines 2
    and 3, the second is on line 4."""
    first, second = PaymentFactory(), PaymentFactory()
    content = _lines(_row(first, txn_id="txn\nsplit"), _row(second))
    assert content.split(b"\n")[1].startswith(b'"txn')  # quoted, so one field over two lines
    settlement = settlement_import(provider="sandbox", name="nl.csv", content=content, run_now=True)
    assert settlement.status == SettlementStatus.DONE
    assert outcomes_by_line(settlement) == {2: "matched", 4: "matched"}
    assert Settlement.objects.get(file=settlement, line=2).txn_id == "txn\nsplit"


@pytest.mark.parametrize(
    ("line", "codes"),
    [
        ("\\.", ["columns"]),  # PostgreSQL's end-of-data marker: the rows after it still count
        ("{row},extra", ["columns"]),
        ("{impossible_day}", ["settled_at"]),
        ("{midnight_24}", ["settled_at"]),
        ("{plus_amount}", ["amount"]),
        ("{empty_status}", ["status"]),
    ],
)
def test_a_file_with_a_bad_line_anywhere_is_refused_with_that_line(recon, line, codes):
    payment, later = PaymentFactory(), PaymentFactory()
    bad = line.format(
        row=_row(payment),
        impossible_day=_row(payment, settled_at="2026-02-30T10:00:00Z"),
        midnight_24=_row(payment, settled_at="2026-11-21T24:00:00Z"),
        plus_amount=_row(payment, amount="+50000"),
        empty_status=_row(payment, status=""),
    )
    settlement = settlement_import(
        provider="sandbox", name="bad.csv", content=_lines(_row(PaymentFactory()), bad, _row(later)), run_now=True
    )
    assert settlement.status == SettlementStatus.FAILED
    assert [(e["line"], e["codes"]) for e in settlement.errors] == [(3, codes)]
    assert not Settlement.objects.exists() and not SettlementRow.objects.exists()


def test_the_same_file_is_refused_as_a_duplicate_and_nothing_changes(recon, payments, every_outcome):
    first = reconcile(every_outcome)
    before = (Settlement.objects.count(), SettlementRow.objects.count(), Discrepancy.objects.count(),
              AuditEvent.objects.count())  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        reconcile(every_outcome)
    assert refused.value.code == "duplicate_file"
    with translation.override("en"):
        assert first.name in " ".join(refused.value.messages)
    assert list(SettlementFile.objects.all()) == [first]
    assert (Settlement.objects.count(), SettlementRow.objects.count(), Discrepancy.objects.count(),
            AuditEvent.objects.count()) == before  # fmt: skip


def test_every_bad_row_is_listed_and_nothing_is_kept(recon, payments):
    good = settlement_line(payments["matched"])
    rows = [
        good,
        settlement_line(payments["short"], amount="74,000", currency="iqd"),
        settlement_line(payments["dollars"], settled_at="2026-11-21 10:30"),  # no time zone
        settlement_line(payments["twice"], txn_id="", fee="-5"),
        settlement_line(payments["refunded"], settled_at="2026-11-21T10:30:00+03:00", card_last4="12"),
    ]
    content = settlement_bytes(rows) + b"txn_x,P1,5\n"
    settlement = settlement_import(provider="sandbox", name="bad.csv", content=content, run_now=True)

    assert settlement.status == SettlementStatus.FAILED
    assert [(e["line"], e["codes"]) for e in settlement.errors] == [
        (3, ["amount", "currency"]),
        (4, ["settled_at"]),
        (5, ["txn_id", "fee"]),
        (6, ["settled_at", "card_last4"]),
        (7, ["columns"]),
    ]
    with translation.override("en"):
        shown = dict(error_messages(settlement.errors))
    assert shown[3] == [
        "amount must be a whole number of dinars, 0 or more",
        "currency must be 3 capital letters, such as IQD",
    ]
    assert shown[7] == ["the row has 3 columns instead of 8"]
    assert not Settlement.objects.exists() and not SettlementRow.objects.exists()
    assert not Discrepancy.objects.exists()
    assert Payment.objects.unsettled().count() == Payment.objects.count()

    # Once corrected, the file goes in; the failed import of the same bytes may be repeated too.
    again = settlement_import(provider="sandbox", name="bad.csv", content=content, run_now=True)
    assert again.status == SettlementStatus.FAILED
    assert SettlementFile.objects.count() == 1
    fixed = reconcile([good])
    assert fixed.status == SettlementStatus.DONE


def test_only_the_first_thousand_bad_rows_are_kept_with_the_number_of_the_rest(recon):
    rows = [settlement_line(None, txn_id=f"t{i}", amount="x") for i in range(1_005)]
    settlement = reconcile(rows)
    assert len(settlement.errors) == 1_001
    assert settlement.errors[-1] == {"line": None, "codes": ["more"], "count": 5}
    with translation.override("en"):
        assert error_messages(settlement.errors)[-1] == (None, ["and 5 more bad rows"])


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not_csv"),
        (b"serial,issuing_entity\nNDC-1,NDC\n", "bad_header"),
        (b"\xff\xfe" + "txn_id".encode("utf-16-le"), "not_csv"),
    ],
)
def test_a_file_that_is_not_a_settlement_csv_is_refused_before_anything_is_stored(
    recon, private_settlements, content, code
):
    with pytest.raises(ValidationError) as refused:
        settlement_import(provider="sandbox", name="x.csv", content=content, run_now=True)
    assert refused.value.code == code
    assert not SettlementFile.objects.exists()
    assert not private_settlements.exists() or not any(private_settlements.rglob("*.csv"))


def settlement_row(i: int, text: str) -> list[str]:
    """A well-formed line numbered ``i`` whose transaction ID ends with ``text``."""
    return list(settlement_line(None, txn_id=f"txn_{i:06d}{text}", payment_ref=f"P{i:012d}").values())


BAD_BYTES = bad_byte_files(SETTLEMENT_COLUMNS, settlement_row)
EMPTY_FILES = header_only(SETTLEMENT_COLUMNS)


def nothing_stored(private_settlements: Path) -> None:
    assert not SettlementFile.objects.exists()
    assert not Settlement.objects.exists() and not SettlementRow.objects.exists() and not Discrepancy.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="settlement_").exists()
    assert not private_settlements.exists() or not any(private_settlements.rglob("*.csv"))


@pytest.mark.parametrize(("content", "line"), BAD_BYTES)
def test_a_byte_that_is_not_utf8_is_refused_with_its_line_before_anything_is_stored(
    recon, private_settlements, content, line
):
    with pytest.raises(ValidationError) as refused:
        settlement_import(provider="sandbox", name="x.csv", content=content, run_now=True)
    assert (refused.value.code, refused.value.params["line"]) == ("not_utf8", line)
    assert refused.value.messages[0].startswith(f"السطر {line} من الملف ليس نصاً بترميز UTF-8 ابتداءً من الحرف ")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        settlement_import(provider="sandbox", name="x.csv", content=content, run_now=True)
    assert refused.value.messages[0].startswith(f"Line {line} of the file is not UTF-8 text from character ")
    nothing_stored(private_settlements)


@pytest.mark.parametrize("content", EMPTY_FILES)
def test_a_file_without_rows_is_refused_as_empty_before_anything_is_stored(recon, private_settlements, content):
    with pytest.raises(ValidationError) as refused:
        settlement_import(provider="sandbox", name="x.csv", content=content, run_now=True)
    assert refused.value.code == "empty"
    assert refused.value.messages == ["لا يحتوي الملف على صفوف لاستيرادها: فهو فارغ أو لا يحتوي إلا على سطر العناوين."]
    nothing_stored(private_settlements)


def stored(content: bytes) -> SettlementFile:
    """A file stored without the upload's checks (as one stored before them was)."""
    settlement = SettlementFile(provider="sandbox", sha256="3" * 64, name="old.csv", rows_total=content.count(b"\n"))
    settlement.upload.save("old.csv", SimpleUploadedFile("old.csv", content))
    return settlement


@pytest.mark.parametrize(
    ("content", "line"),
    [
        case
        for case in BAD_BYTES
        if case.id in ("line-3000-of-a-large-file", "inside-a-quoted-field", "byte-order-mark")
    ],
)
def test_reconciling_a_stored_file_names_its_bad_byte_on_either_path(recon, content, line):
    """On PostgreSQL the file goes to COPY first, which refuses it; reading it row by row (as on
    SQLite) names the line of the bad byte, not of the last row read."""
    settlement = settlement_reconcile_now(stored(content))
    assert settlement.status == SettlementStatus.FAILED
    assert [(error["line"], error["codes"]) for error in settlement.errors] == [(line, ["not_utf8"])]
    with translation.override("en"):
        (shown,) = error_messages(settlement.errors)
    assert shown[0] == line
    assert shown[1][0].startswith("this line is not UTF-8 text from character ")
    assert not Settlement.objects.exists() and not SettlementRow.objects.exists()


def test_reconciling_a_stored_file_of_only_its_header_refuses_it_as_empty(recon):
    settlement = settlement_reconcile_now(stored(",".join(SETTLEMENT_COLUMNS).encode() + b"\n"))
    assert settlement.status == SettlementStatus.FAILED
    assert settlement.errors == [{"line": None, "codes": ["empty"]}]
    assert not settlement.counts


def test_only_fund_officers_and_heads_import(recon, staff):
    content = settlement_bytes([settlement_line(PaymentFactory())])
    with pytest.raises(PermissionDenied):
        settlement_import(provider="sandbox", name="s.csv", content=content, actor=staff["auditor"].user)
    settlement = settlement_import(provider="sandbox", name="s.csv", content=content, actor=staff["head"].user)
    assert settlement.uploaded_by == staff["head"].user
    assert settlement.status == SettlementStatus.QUEUED  # the task runs on commit


def test_an_import_is_queued_and_reconciled_by_the_task_on_commit(recon, staff, django_capture_on_commit_callbacks):
    payment = PaymentFactory(collecting_entity=recon["fund"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        settlement = settlement_import(
            provider="sandbox",
            name="s.csv",
            source=io.BytesIO(settlement_bytes([settlement_line(payment)])),
            actor=staff["officer"].user,
        )
        assert settlement_progress(settlement).phase == "queued"
    assert len(callbacks) == 1
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.DONE
    assert settlement.counts["matched"] == 1
    assert settlement_progress(settlement).percent == 100


def test_progress_comes_from_the_cache_while_the_rows_are_read(recon):
    settlement = SettlementFile.objects.create(provider="sandbox", sha256="0" * 64, name="s.csv", rows_total=400)
    settlement.status = SettlementStatus.PROCESSING
    cache.set(f"collection:settlement:{settlement.pk}:progress", {"phase": "reading", "done": 100, "total": 400})
    progress = settlement_progress(settlement)
    assert (progress.phase, progress.percent, progress.running) == ("reading", 25, True)


def test_the_nightly_sandbox_fetch_reconciles_yesterdays_file(recon, settings):
    from collection.tasks import sandbox_settlement_fetch

    settings.PAYMENT_SANDBOX = True
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    paid_at = timezone.make_aware(dt.datetime.combine(yesterday, dt.time(11, 0)))
    payment = PaymentFactory(amount=125_000, succeeded_at=paid_at)
    SandboxCharge.objects.create(
        id=payment.provider_ref,
        payment_ref=payment.payment_ref,
        merchant="IHF",
        amount=125_000,
        state=SandboxCharge.State.SUCCEEDED,
        card_last4="1111",
        fee=625,
        return_url="https://portal.example/return",
        completed_at=paid_at,
    )
    settlement = SettlementFile.objects.get(pk=sandbox_settlement_fetch(yesterday.isoformat()))
    assert settlement.name == f"sandbox-{yesterday.isoformat()}.csv"
    assert settlement.counts["matched"] == 1
    settled = Settlement.objects.get(file=settlement)
    assert (settled.payment, settled.fee, settled.settled_at) == (payment, 625, paid_at)


# --- the command ---------------------------------------------------------------------------


def test_the_command_prints_the_counts_as_json(recon, payments, every_outcome, write_settlement, capsys):
    path = write_settlement(every_outcome)
    call_command("import_settlement", "--provider", "sandbox", str(path), "--json")
    counts = json.loads(capsys.readouterr().out)
    assert counts == ALL_OUTCOMES | {
        "matched": 4,
        "amount_mismatch": 2,
        "unknown": 2,
        "status_mismatch": 1,
        "duplicate": 2,
        "missing": 2,
    }
    with pytest.raises(CommandError) as refused:
        call_command("import_settlement", "--provider", "sandbox", str(path), "--json")
    assert already_imported() in str(refused.value)
    assert SettlementFile.objects.count() == 1


def test_the_command_lists_every_bad_row_on_stderr_and_changes_nothing(
    recon, payments, write_settlement, private_settlements, capsys
):
    rows = [settlement_line(payments["matched"]), settlement_line(payments["short"], amount="abc")]
    path = write_settlement(rows)
    audit_before = AuditEvent.objects.count()
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("import_settlement", "--provider", "sandbox", str(path))
    assert str(refused.value) == "1 bad row out of 2; nothing was imported. Correct the file and try again."
    assert "line 3: amount must be a whole number of dinars" in capsys.readouterr().err
    assert not SettlementFile.objects.exists()
    assert AuditEvent.objects.count() == audit_before
    assert not any(private_settlements.rglob("*.csv"))
    assert Payment.objects.unsettled().count() == Payment.objects.count()


@pytest.mark.parametrize(("content", "line"), BAD_BYTES)
def test_the_command_names_the_line_of_a_byte_that_is_not_utf8(
    recon, tmp_path, private_settlements, capsys, content, line
):
    path = tmp_path / "sandbox.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError) as refused:
        call_command("import_settlement", "--provider", "sandbox", str(path))
    assert str(refused.value).startswith(f"السطر {line} من الملف ليس نصاً بترميز UTF-8 ابتداءً من الحرف ")
    with pytest.raises(CommandError):
        call_command("import_settlement", "--provider", "sandbox", str(path), "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert [error["line"] for error in report["errors"]] == [line]
    nothing_stored(private_settlements)


@pytest.mark.parametrize("content", EMPTY_FILES)
def test_the_command_refuses_a_file_without_rows(recon, tmp_path, private_settlements, capsys, content):
    path = tmp_path / "sandbox.csv"
    path.write_bytes(content)
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("import_settlement", "--provider", "sandbox", str(path), "--json")
    assert str(refused.value) == "The file has no rows to import: it is empty or holds only its header."
    report = json.loads(capsys.readouterr().out)
    assert report == {"ok": False, "errors": [{"line": None, "errors": [str(refused.value)]}]}
    nothing_stored(private_settlements)


@pytest.mark.parametrize(
    ("bad", "english", "arabic"),
    [
        (1, "1 bad row out of 3; nothing was imported.", "صف خاطئ واحد من أصل 3؛ لم يُستورد شيء."),
        (3, "3 bad rows out of 3; nothing was imported.", "3 صفوف خاطئة من أصل 3؛ لم يُستورد شيء."),
    ],
)
def test_the_command_counts_bad_rows_in_words_and_lists_them_in_json(
    recon, write_settlement, private_settlements, capsys, bad, english, arabic
):
    rows = [settlement_line(None, txn_id=f"t{i}", amount="x" if i < bad else "5") for i in range(3)]
    path = write_settlement(rows)
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("import_settlement", "--provider", "sandbox", str(path))
    assert str(refused.value) == f"{english} Correct the file and try again."
    assert capsys.readouterr().err.splitlines() == [
        f"line {line}: amount must be a whole number of dinars, 0 or more" for line in range(2, 2 + bad)
    ]
    with pytest.raises(CommandError) as refused:
        call_command("import_settlement", "--provider", "sandbox", str(path), "--json")
    assert str(refused.value) == f"{arabic} صحّح الملف ثم أعد المحاولة."
    report = json.loads(capsys.readouterr().out)
    assert [error["line"] for error in report["errors"]] == list(range(2, 2 + bad))
    nothing_stored(private_settlements)


@pytest.mark.postgres
def test_the_command_exits_with_status_1_and_a_message_not_a_traceback(transactional_db, tmp_path, recon):
    path = tmp_path / "sandbox.csv"
    path.write_bytes(next(case.values[0] for case in BAD_BYTES if case.id == "line-3000-of-a-large-file"))
    result = manage("import_settlement", "--provider", "sandbox", str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("CommandError: السطر 3000 من الملف ليس نصاً بترميز UTF-8")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(",".join(SETTLEMENT_COLUMNS).encode() + b"\n")
    result = manage("import_settlement", "--provider", "sandbox", str(empty), "--json")
    assert (result.returncode, json.loads(result.stdout)["ok"]) == (1, False)
    assert not SettlementFile.objects.exists()


def test_the_command_refuses_an_unknown_provider(recon, write_settlement):
    with pytest.raises(CommandError):
        call_command("import_settlement", "--provider", "outlet", str(write_settlement([])))


# --- the pages -----------------------------------------------------------------------------

LIST = "/collection/staff/settlements/"


def upload(content: bytes, name: str = "sandbox-2026-11-21.csv", content_type: str = "text/csv") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_fund_officer_uploads_a_file_and_sees_their_rows_needing_attention(
    staff, payments, every_outcome, staff_client, django_capture_on_commit_callbacks
):
    client = staff_client(staff["officer"])
    assert b'type="file"' in client.get(LIST).content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(LIST, {"provider": "sandbox", "file": upload(settlement_bytes(every_outcome))})
    settlement = SettlementFile.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}{settlement.pk}/"
    assert (settlement.status, settlement.uploaded_by) == (SettlementStatus.DONE, staff["officer"].user)

    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    assert 'http-equiv="refresh"' not in text
    for key in ("short", "dollars", "failed", "missing"):
        assert payments[key].payment_ref in text
    # The file is the Fund's: its lines about the other entity's payments and about no payment are
    # the Fund's to look at (without the other entity's amount), and settle nothing.
    assert "txn_second_settlement" in text
    assert "P999NOBODY" in text
    assert outcomes_by_line(settlement)[8] == outcomes_by_line(settlement)[9] == "other_entity"
    assert not Settlement.objects.filter(payment=payments["twice"]).exists()
    assert payments["missing_other"].payment_ref not in text
    assert client.get(LIST).content.decode().count(f"{LIST}{settlement.pk}/") == 1


def test_a_file_being_reconciled_shows_its_progress_and_refreshes(staff, staff_client):
    settlement = SettlementFile.objects.create(
        provider="sandbox", sha256="1" * 64, name="big.csv", rows_total=1_000_000, uploaded_by=staff["officer"].user
    )
    cache.set(f"collection:settlement:{settlement.pk}:progress", {"phase": "reading", "done": 250_000, "total": 10**6})
    client = staff_client(staff["officer"])
    text = client.get(f"{LIST}{settlement.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="3">' in text
    assert '<progress max="100" value="25"' in text
    assert 'http-equiv="refresh"' in client.get(LIST).content.decode()


def test_a_refused_file_lists_its_bad_rows_on_the_page(
    staff, payments, staff_client, django_capture_on_commit_callbacks
):
    client = staff_client(staff["officer"])
    content = settlement_bytes([settlement_line(payments["matched"]), settlement_line(payments["short"], fee="x")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(LIST, {"provider": "sandbox", "file": upload(content)})
    settlement = SettlementFile.objects.get()
    assert settlement.status == SettlementStatus.FAILED
    text = client.get(response["Location"]).content.decode()
    with translation.override("ar"):
        assert str(PROBLEMS["fee"]) in text
    assert not Settlement.objects.exists() and not SettlementRow.objects.exists()


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not_csv"),
        (b"serial,issuing_entity\nNDC-1,NDC\n", "bad_header"),
        (b"", "empty"),
    ],
)
def test_an_upload_that_is_not_a_settlement_file_is_refused_with_a_clear_message(
    staff, staff_client, private_settlements, content, code
):
    client = staff_client(staff["officer"])
    response = client.post(LIST, {"provider": "sandbox", "file": upload(content, name="statement.csv")})
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert not SettlementFile.objects.exists()
    assert not any(private_settlements.rglob("*.csv"))


def refusal(response: Any) -> str:
    """The page's error summary, as the officer reads it."""
    assert response.status_code == 400
    page = response.content.decode()
    start = page.index('class="error-summary"')
    return page[start : page.index("</div>", start)]


@pytest.mark.parametrize(("content", "line"), BAD_BYTES)
def test_an_upload_with_a_byte_that_is_not_utf8_is_refused_naming_its_line(
    staff, staff_client, private_settlements, content, line
):
    response = staff_client(staff["officer"]).post(LIST, {"provider": "sandbox", "file": upload(content)})
    assert f"السطر {line} من الملف ليس نصاً بترميز UTF-8 ابتداءً من الحرف " in refusal(response)
    nothing_stored(private_settlements)


@pytest.mark.parametrize("content", EMPTY_FILES)
def test_an_upload_without_rows_is_refused_as_empty(staff, staff_client, private_settlements, content):
    response = staff_client(staff["officer"]).post(LIST, {"provider": "sandbox", "file": upload(content)})
    assert "لا يحتوي الملف على صفوف لاستيرادها: فهو فارغ أو لا يحتوي إلا على سطر العناوين." in refusal(response)
    nothing_stored(private_settlements)


def test_uploading_the_same_file_twice_is_refused(staff, payments, every_outcome, staff_client):
    client = staff_client(staff["officer"])
    content = settlement_bytes(every_outcome)
    assert client.post(LIST, {"provider": "sandbox", "file": upload(content)}).status_code == 302
    again = client.post(LIST, {"provider": "sandbox", "file": upload(content, name="renamed.csv")})
    assert again.status_code == 400
    assert already_imported() in again.content.decode()
    assert SettlementFile.objects.count() == 1


def test_who_may_import_read_or_see_nothing(recon, staff, staff_client):
    settlement = reconcile([settlement_line(PaymentFactory(collecting_entity=recon["fund"]))])
    auditor = staff_client(staff["auditor"])
    assert auditor.get(LIST).status_code == 200
    assert b'type="file"' not in auditor.get(LIST).content
    assert auditor.post(LIST, {"provider": "sandbox", "file": upload(b"x")}).status_code == 404
    assert auditor.get(f"{LIST}{settlement.pk}/").status_code == 200
    clerk = staff_client(staff["clerk"])
    for path in (LIST, "/collection/staff/discrepancies/", "/collection/staff/reconciliation/"):
        assert clerk.get(path).status_code == 404
    # The other entity has no row in this file: it neither lists nor opens it.
    other = staff_client(staff["other_officer"])
    assert f"{LIST}{settlement.pk}/" not in other.get(LIST).content.decode()
    assert other.get(f"{LIST}{settlement.pk}/").status_code == 404


QUEUE = "/collection/staff/discrepancies/"


def test_the_queue_shows_only_the_entitys_discrepancies_with_filters(staff, payments, every_outcome, staff_client):
    reconcile(every_outcome)
    client = staff_client(staff["officer"])
    text = client.get(QUEUE).content.decode()
    for key in ("short", "dollars", "failed", "matched", "missing"):
        assert payments[key].payment_ref in text
    assert payments["twice"].payment_ref not in text and payments["missing_other"].payment_ref not in text
    only_missing = client.get(QUEUE, {"kind": "missing"}).content.decode()
    assert payments["missing"].payment_ref in only_missing and payments["short"].payment_ref not in only_missing
    assert payments["short"].payment_ref not in client.get(QUEUE, {"state": "resolved"}).content.decode()
    theirs = Discrepancy.objects.get(payment=payments["twice"])
    assert client.get(f"{QUEUE}{theirs.pk}/").status_code == 404
    assert staff_client(staff["other_officer"]).get(f"{QUEUE}{theirs.pk}/").status_code == 200


def test_resolving_a_discrepancy_is_audited_and_leaves_the_open_queue(staff, payments, every_outcome, staff_client):
    reconcile(every_outcome)
    item = Discrepancy.objects.get(payment=payments["short"])
    auditor = staff_client(staff["auditor"])
    assert b'name="note"' not in auditor.get(f"{QUEUE}{item.pk}/").content
    assert auditor.post(f"{QUEUE}{item.pk}/resolve/", {"resolution": "credited", "note": "x"}).status_code == 404

    client = staff_client(staff["officer"])
    page = client.get(f"{QUEUE}{item.pk}/")
    assert b'name="note"' in page.content
    assert client.post(f"{QUEUE}{item.pk}/resolve/", {"resolution": "credited", "note": ""}).status_code == 400
    response = client.post(
        f"{QUEUE}{item.pk}/resolve/",
        {"resolution": Resolution.CONFIRMED_WITH_PROVIDER, "note": "The company paid 74,000; the rest follows."},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.resolution, item.resolved_by) == (Resolution.CONFIRMED_WITH_PROVIDER, staff["officer"].user)
    event = AuditEvent.objects.get(action="discrepancy_resolve")
    assert (event.target_id, event.actor) == (str(item.pk), staff["officer"].user)
    assert payments["short"].payment_ref not in client.get(QUEUE).content.decode()
    assert payments["short"].payment_ref in client.get(QUEUE, {"state": "resolved"}).content.decode()


def test_the_daily_summary_totals_and_exports_the_days_payments(recon, staff, staff_client):
    day = timezone.localdate() - dt.timedelta(days=1)
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    settled = PaymentFactory(collecting_entity=recon["fund"], amount=300_000, succeeded_at=at)
    waiting = PaymentFactory(collecting_entity=recon["fund"], amount=100_000, succeeded_at=at)
    short = PaymentFactory(collecting_entity=recon["fund"], amount=50_000, succeeded_at=at)
    PaymentFactory(collecting_entity=recon["other"], amount=999_000, succeeded_at=at)  # not theirs
    PaymentFactory(collecting_entity=recon["fund"], amount=777_000, succeeded_at=at - dt.timedelta(days=1))
    reconcile([settlement_line(settled, fee=1_500), settlement_line(short, amount=49_000)])

    client = staff_client(staff["auditor"])
    page = client.get("/collection/staff/reconciliation/", {"day": day.isoformat()})
    text = page.content.decode()
    assert page.status_code == 200
    assert "450,000" in text  # paid with us
    assert "300,000" in text and "1,500" in text and "298,500" in text  # settled, fees, received after fees
    assert "999,000" not in text and "777,000" not in text
    assert 'class="bar-chart"' in text

    export = client.get("/collection/staff/reconciliation/export.csv", {"day": day.isoformat()})
    assert export["Content-Type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    settled_at = {line["payment_ref"]: line["settled_at"] for line in lines}
    assert dt.datetime.fromisoformat(settled_at[settled.payment_ref]) == at
    assert settled_at[short.payment_ref] == settled_at[waiting.payment_ref] == ""  # not settled with us
    reported = {line["payment_ref"]: line["settled_amount"] for line in lines}
    assert reported == {settled.payment_ref: "300000", short.payment_ref: "49000", waiting.payment_ref: ""}
    assert [(line["payment_ref"], line["outcome"], line["fee"]) for line in lines] == sorted(
        [
            (settled.payment_ref, "matched", "1500"),
            (waiting.payment_ref, "not_settled_yet", ""),
            (short.payment_ref, "amount_mismatch", "250"),
        ],
        key=lambda line: line[0],
    )
    assert client.get("/collection/staff/reconciliation/", {"day": "not-a-day"}).status_code == 400


# --- in a browser ----------------------------------------------------------------------------

SCREENS = Path(settings.BASE_DIR) / "test-results" / "screens"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pages_in_a_browser_in_both_languages_on_a_phone_and_a_desktop(
    page, live_server, staff, payments, every_outcome
):
    """Upload through the real form, then every page: screenshots, no sideways scrolling, no axe violations."""
    from tests.e2e.test_accessibility import wcag_reports

    def shot(name: str) -> Path:
        SCREENS.mkdir(parents=True, exist_ok=True)
        path = SCREENS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    cookie = login_staff(Client(), staff["officer"]).cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page.goto(LIST)
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "sandbox-2026-11-21.csv", "mimeType": "text/csv", "buffer": settlement_bytes(every_outcome)}],
    )
    page.click("form[enctype='multipart/form-data'] button[type=submit]")  # not the fetch form above it
    page.wait_for_url(re.compile(r"/collection/staff/settlements/[0-9a-f-]{36}/$"))
    settlement = SettlementFile.objects.get()
    assert settlement.status == SettlementStatus.DONE
    item = Discrepancy.objects.get(payment=payments["short"])
    pages = {
        "settlements": LIST,
        "settlement": f"{LIST}{settlement.pk}/",
        "discrepancies": QUEUE,
        "discrepancy": f"{QUEUE}{item.pk}/",
        "day": f"/collection/staff/reconciliation/?day={timezone.localdate(payments['matched'].succeeded_at)}",
        "settled-payment": f"/collection/staff/payments/{payments['matched'].pk}/",
    }
    problems = []
    for language in ("ar", "en"):
        page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        for name, path in pages.items():
            page.goto(path)
            assert page.locator("h1").count() == 1
            problems += wcag_reports(page, shot, f"reconciliation-{name}-{language}")
    assert not problems, "\n".join(problems)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_refused_upload_in_a_browser_names_the_line_or_says_the_file_is_empty(page, live_server, staff):
    """A file with a bad byte on line 3000, and one of only its header: the error summary in both
    languages, screenshots at 360 and 1280 px, no sideways scrolling, no axe violations."""
    problems = refused_in_a_browser(
        page,
        live_server,
        staff["officer"],
        url=LIST,
        form="form[enctype='multipart/form-data']",
        name="reconciliation-upload",
        files=refusals(
            next(case.values[0] for case in BAD_BYTES if case.id == "line-3000-of-a-large-file"),
            3000,
            SETTLEMENT_COLUMNS,
        ),
    )
    assert not SettlementFile.objects.exists()
    assert not problems, "\n".join(problems)
