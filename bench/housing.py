"""Housing fund: import 100,000 legacy loans with 20-year schedules, then the arrears report over them.

Production mode on a throw-away PostgreSQL database (bench/prodenv.py). The legacy CSV is generated
(deterministic seed): 100,000 loans of 240 months, principals of 30-75 million IQD (in thousands)
plus a 1% administrative fee, start dates spread over the last 8 years, Arabic names, valid national
ID numbers. What each borrower repaid matches the installments fallen due by today, except for ~15%
of them, 1 to 12 installments behind (some with a part paid), and ~3% who paid a few ahead.

``manage.py import_loans FILE --branch IHF-BGD --json`` runs in its own process: wall time and its
peak RSS (``wait4`` rusage). Then the import's result is checked (loans, 24 million installments,
the carried-over total equal to the file's), and the arrears report
(``housing_fund.selectors.arrears_aging(Loan.objects.all(), today)``) is timed in-process, 20 runs
after a warm-up, with its plan (EXPLAIN ANALYZE). Last, the same file is imported again: nothing
may change.

Run: ``.venv/bin/python bench/housing.py`` (or ``bench/run.py housing``). Tunables: BENCH_HOUSING_LOANS
(100000), BENCH_HOUSING_TERM (240), BENCH_HOUSING_RUNS (20), BENCH_HOUSING_AGAIN (1: import the same
file a second time).
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.prodenv import BenchEnv, bench_env  # noqa: E402
from bench.report import (  # noqa: E402
    background,
    cores_busy,
    cpu_ticks,
    machine,
    percentile,
    postgres_version,
    verdict,
    wait_for_quiet,
    write_section,
)

LOANS = int(os.environ.get("BENCH_HOUSING_LOANS", "100000"))
TERM = int(os.environ.get("BENCH_HOUSING_TERM", "240"))
RUNS = int(os.environ.get("BENCH_HOUSING_RUNS", "20"))
AGAIN = os.environ.get("BENCH_HOUSING_AGAIN", "1") == "1"
GOAL_SECONDS, GOAL_MB, GOAL_ARREARS_S = 600.0, 1024.0, 2.0
BRANCH = "IHF-BGD"
SEED = 2026

FIRST = [
    "أحمد", "محمد", "علي", "حسين", "حسن", "عمر", "مصطفى", "يوسف", "إبراهيم", "كريم", "عباس", "جعفر",
    "زينب", "فاطمة", "مريم", "سارة", "نور", "هدى", "رقية", "آية", "زهراء", "دعاء", "شيماء", "إسراء",
]  # fmt: skip
FATHER = ["كريم", "جاسم", "عبد الله", "خالد", "سعد", "ناصر", "حميد", "رعد", "قاسم", "مهدي", "هادي", "صباح"]
FAMILY = ["العبيدي", "الجبوري", "التميمي", "الدليمي", "الربيعي", "الساعدي", "الموسوي", "الحسيني", "الخفاجي"]


def months_due(start: dt.date, today: dt.date, term: int) -> int:
    """How many installments of a loan started on ``start`` have fallen due by ``today``."""
    months = (today.year - start.year) * 12 + today.month - start.month
    day = min(start.day, calendar.monthrange(today.year, today.month)[1])
    if today.day < day:
        months -= 1
    return max(0, min(term, months))


@dataclass
class Legacy:
    paid_total: int = 0
    behind: int = 0  # loans written in arrears


def write_csv(path: Path, loans: int, today: dt.date, seed: int = SEED) -> Legacy:
    rng = random.Random(seed)
    legacy = Legacy()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["loan_number", "borrower_name", "national_id", "birth_date", "purpose", "principal", "admin_fee",
             "term_months", "start_date", "paid_amount"]
        )  # fmt: skip
        for i in range(1, loans + 1):
            principal = rng.randrange(30_000, 75_001) * 1000
            fee = principal // 100
            total = principal + fee
            start = today - dt.timedelta(days=rng.randrange(0, 8 * 365))
            base = total // TERM
            due = months_due(start, today, TERM)
            luck = rng.random()
            if luck < 0.15 and due > 0:  # in arrears: 1-12 installments behind, sometimes a part paid
                behind = rng.randint(1, min(12, due))
                paid = base * (due - behind) + (rng.randrange(0, base) if rng.random() < 0.3 else 0)
                legacy.behind += 1
            elif luck > 0.97:  # paid a little ahead
                paid = min(total, base * (due + rng.randint(1, 6)))
            else:
                paid = base * due if due < TERM else total
            legacy.paid_total += paid
            national_id = rng.choice("12") + "".join(rng.choice("0123456789") for _ in range(11))
            birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 36 * 365))
            writer.writerow(
                [
                    f"BGD-{start.year}-{i:06d}",
                    f"{rng.choice(FIRST)} {rng.choice(FATHER)} {rng.choice(FATHER)} {rng.choice(FAMILY)}",
                    national_id,
                    birth.isoformat(),
                    rng.choices(["build", "buy", "renovate"], [60, 30, 10])[0],
                    principal,
                    fee,
                    TERM,
                    start.isoformat(),
                    paid,
                ]
            )
    return legacy


@dataclass
class Run:
    seconds: float
    peak_mb: float
    report: dict[str, Any]
    cpu: float
    machine_busy: float
    log: str


def run_import(bench: BenchEnv, path: Path) -> Run:
    """``manage.py import_loans PATH --branch … --json`` in its own process: wall time and peak RSS."""
    command = [sys.executable, str(ROOT / "manage.py"), "import_loans", str(path), "--branch", BRANCH, "--json"]
    env = {**os.environ, **bench.env, "LOG_LEVEL": "INFO"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        ticks, started = cpu_ticks(), time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        busy = cores_busy(ticks, cpu_ticks())
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if code != 0:
        raise RuntimeError(f"import_loans failed ({code}):\n{stdout[-3000:]}\n{stderr[-3000:]}")
    log = "\n".join(line for line in stderr.splitlines() if "loan import:" in line)
    return Run(seconds, usage.ru_maxrss / 1024, json.loads(stdout), usage.ru_utime + usage.ru_stime, busy, log)


def prepare() -> None:
    from django.core.management import call_command
    from django.db import connections

    from govportal.entities.constants import EntityKind
    from govportal.entities.services import entity_create

    call_command("migrate", interactive=False, verbosity=0)
    entity_create(
        code=BRANCH,
        kind=EntityKind.MINISTRY,
        name_ar="صندوق الإسكان العراقي - فرع بغداد",
        name_en="Iraqi Housing Fund, Baghdad",
    )
    connections.close_all()


def check_imported() -> dict[str, int]:
    from django.db import connection, connections
    from django.db.models import Sum

    from housing_fund.constants import LoanStatus
    from housing_fund.models import Installment, Loan

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) housing_fund_installment")
    facts = {
        "loans": Loan.objects.count(),
        "settled": Loan.objects.filter(status=LoanStatus.SETTLED).count(),
        "installments": Installment.objects.count(),
        "legacy_paid": int(Installment.objects.aggregate(s=Sum("legacy_paid"))["s"] or 0),
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size('housing_fund_installment')")
        facts["table_mb"] = int(cursor.fetchone()[0] // 2**20)
    connections.close_all()
    return facts


def arrears_timings(today: dt.date) -> tuple[list[float], list[dict[str, Any]], str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from housing_fund.models import Loan
    from housing_fund.selectors import arrears_aging

    with CaptureQueriesContext(connection) as queries:
        result = arrears_aging(Loan.objects.all(), today)  # warm-up, and the SQL it runs
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = arrears_aging(Loan.objects.all(), today)
        samples.append(time.perf_counter() - started)
    plans = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return samples, result, "\n\n".join(plans)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="govportal-bench-housing-"))
    csv_path = work / "legacy-loans.csv"
    today = dt.date.today()
    print(f"housing: writing {LOANS:,} legacy loans of {TERM} months", flush=True)
    legacy = write_csv(csv_path, LOANS, today)
    size_mb = csv_path.stat().st_size / 1e6
    second: Run | None = None
    try:
        with bench_env("housing") as bench:
            bench.apply()
            import django

            django.setup()
            prepare()
            quiet = wait_for_quiet()
            print("housing: import", flush=True)
            first = run_import(bench, csv_path)
            print(f"  {first.seconds:.1f} s, peak {first.peak_mb:.0f} MB: {first.report | {'errors': '…'}}", flush=True)
            print(first.log, flush=True)
            facts = check_imported()
            print(f"  {facts}", flush=True)
            print("housing: arrears report", flush=True)
            samples, buckets, plan = arrears_timings(today)
            print(f"  p50 {percentile(samples, 0.5):.3f} s, p95 {percentile(samples, 0.95):.3f} s", flush=True)
            if AGAIN:
                print("housing: the same file again", flush=True)
                second = run_import(bench, csv_path)
                print(f"  {second.seconds:.1f} s, peak {second.peak_mb:.0f} MB", flush=True)
                again_facts = check_imported()
            database = postgres_version(bench.database_url)
    finally:
        for leftover in work.iterdir():
            leftover.unlink()
        work.rmdir()

    p50, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
    in_arrears = sum(bucket["count"] for bucket in buckets[1:])
    active = LOANS - facts["settled"]
    ok = (
        first.report["ok"]
        and first.report["imported"] == LOANS
        and facts["loans"] == LOANS
        and facts["installments"] == LOANS * TERM == first.report["installments"]
        and facts["legacy_paid"] == legacy.paid_total
        and sum(bucket["count"] for bucket in buckets) == active
        and in_arrears >= legacy.behind * 0.9
        and (second is None or (second.report["imported"] == 0 and second.report["skipped"] == LOANS))
        and (second is None or again_facts == facts)
    )
    steps = "; ".join(line.split("loan import: ", 1)[1] for line in first.log.splitlines())
    import_met = first.seconds <= GOAL_SECONDS and first.peak_mb <= GOAL_MB
    arrears_met = p95 <= GOAL_ARREARS_S
    lines = [
        "## Housing fund: legacy import and arrears",
        "",
        machine(),
        f"Database: {database} on the same machine (default configuration), fresh database. Settings: production "
        "mode (`DJANGO_DEBUG=0`). Reproduce with `.venv/bin/python bench/housing.py`. " + background(quiet),
        f"Input: a generated legacy CSV of {LOANS:,} loans ({size_mb:.1f} MB) of {TERM} months each, principals "
        "of 30-75 million IQD plus a 1% fee, start dates over the last 8 years; repayments consistent with the "
        f"time elapsed except {legacy.behind:,} loans ({legacy.behind / LOANS:.0%}) 1-12 installments behind; "
        f"{legacy.paid_total:,} IQD repaid in all. Imported by `manage.py import_loans FILE --branch {BRANCH} "
        "--json` in its own process (PostgreSQL path: COPY into a temporary table, then INSERT … SELECT over "
        "`generate_series`, in bulk mode: the installment table's secondary indexes and foreign keys dropped and "
        "re-created inside the transaction); peak memory is that process's maximum RSS.",
        "",
        f"**Goal, import:** ≤ {GOAL_SECONDS / 60:g} minutes and ≤ {GOAL_MB / 1024:g} GB peak — {verdict(import_met)} "
        f"({first.seconds:.0f} s, {first.peak_mb:,.0f} MB).",
        f"**Goal, arrears report:** p95 ≤ {GOAL_ARREARS_S:g} s — {verdict(arrears_met)} (p95 {p95 * 1000:,.0f} ms).",
        "",
        "| what | figure |",
        "|---|---|",
        f"| import | {first.seconds:.1f} s ({LOANS / first.seconds:,.0f} loans/s, "
        f"{first.report['installments'] / first.seconds:,.0f} installments/s), peak RSS {first.peak_mb:,.0f} MB |",
        f"| CPU during the import | import process {first.cpu:.1f} s; whole machine {first.machine_busy:.2f} of "
        f"{os.cpu_count()} cores busy (mostly PostgreSQL) |",
        f"| steps (the importer's log) | {steps or '—'} |",
        f"| stored | {facts['loans']:,} loans ({facts['settled']:,} settled), {facts['installments']:,} installments, "
        f"{facts['table_mb']:,} MB with indexes; carried over {facts['legacy_paid']:,} IQD |",
        f"| arrears report (`arrears_aging`, all loans, {RUNS} runs) | p50 {p50 * 1000:,.0f} ms, "
        f"p95 {p95 * 1000:,.0f} ms |",
        "| buckets | " + ", ".join(f"{b['code']}: {b['count']:,} ({b['amount']:,} IQD)" for b in buckets) + " |",
    ]
    if second is not None:
        lines.append(
            f"| same file again | {second.seconds:.1f} s, peak RSS {second.peak_mb:,.0f} MB, imported "
            f"{second.report['imported']:,}, skipped {second.report['skipped']:,} |"
        )
    lines += [
        "",
        f"Correctness checks: {'all passed' if ok else '**FAILED** — see the figures above'}.",
        "",
        "Plans of the report's two queries (EXPLAIN ANALYZE, BUFFERS):",
        "",
        "```",
        *plan.splitlines(),
        "```",
    ]
    write_section("housing", lines)
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
