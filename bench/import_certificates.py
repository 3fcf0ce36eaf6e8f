"""Import of the legacy certificates: 170,000 rows through ``manage.py import_certificates``.

Production mode on a fresh PostgreSQL database. The CSV is generated (deterministic seed) the way
the legacy export looks: Arabic names, valid 12-digit national ID numbers (some written with
Arabic-Indic digits), a few issuing entities of the real hierarchy, mixed outcomes with reasons,
serials such as NDC-2024-000001. The command runs as a subprocess; its wall time and peak RSS
(``wait4`` rusage of that one process) are recorded. Then: random imported certificates must
verify, and a second run of the same file must import nothing.

Run: ``.venv/bin/python bench/import_certificates.py``. Tunables: BENCH_IMPORT_ROWS (170000),
BENCH_IMPORT_PROFILE_ROWS (20000; profiled with cProfile when the goal is missed, or always with
BENCH_IMPORT_PROFILE=1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import pstats
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
    postgres_version,
    verdict,
    wait_for_quiet,
    write_section,
)

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "170000"))
PROFILE_ROWS = int(os.environ.get("BENCH_IMPORT_PROFILE_ROWS", "20000"))
GOAL_SECONDS, GOAL_MB = 30.0, 500.0

# --- the file ---------------------------------------------------------------------------------------

FIRST = [
    "أحمد", "محمد", "علي", "حسين", "حسن", "عمر", "مصطفى", "يوسف", "إبراهيم", "كريم", "عباس", "جعفر",
    "زينب", "فاطمة", "مريم", "سارة", "نور", "هدى", "رقية", "آية", "زهراء", "دعاء", "شيماء", "إسراء",
]  # fmt: skip
FATHER = [
    "كريم", "جاسم", "عبد الله", "عبد الرحمن", "خالد", "سعد", "ناصر", "حميد", "رعد", "قاسم", "مهدي",
    "هادي", "صباح", "فاضل", "جبار", "ستار", "عادل", "ماجد", "طارق", "وليد",
]  # fmt: skip
FAMILY = [
    "العبيدي", "الجبوري", "التميمي", "الدليمي", "الربيعي", "الساعدي", "الموسوي", "الحسيني", "الخفاجي",
    "الزبيدي", "الشمري", "العزاوي", "الكعبي", "البياتي", "السامرائي", "الأنصاري", "النعيمي", "الطائي",
]  # fmt: skip
REASONS = [
    "لا يوجد سجل لهذه الوثيقة في أرشيف الجهة",
    "رقم الوثيقة لا يطابق سجلاتنا",
    "تاريخ الوثيقة لا يطابق تاريخ الإصدار المسجل",
    "اسم حامل الوثيقة يختلف عن المسجل لدينا",
    "الوثيقة صادرة عن جهة أخرى",
]
# (issuing entity, weight, document types it issues)
ISSUERS = [
    ("NDC", 55, ["identity", "other"]),
    ("MOHESR", 20, ["degree"]),
    ("MOED", 10, ["degree", "admin_order"]),
    ("MOI", 8, ["identity", "admin_order"]),
    ("MOJ", 7, ["admin_order", "other"]),
]
REQUESTERS = ["MOF", "MOP", "MOH", "MOO", "MOT", "MOFA", "MOD", "MOE", "COMSEC", ""]
_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def national_id(rng: random.Random) -> str:
    while True:
        number = rng.choice("12") + "".join(rng.choice("0123456789") for _ in range(11))
        if len(set(number)) > 1:
            return number


def write_csv(path: Path, rows: int, seed: int = 2024) -> None:
    rng = random.Random(seed)
    codes = [code for code, _, _ in ISSUERS]
    weights = [weight for _, weight, _ in ISSUERS]
    types = {code: kinds for code, _, kinds in ISSUERS}
    counters: dict[tuple[str, int], int] = {}
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "serial",
                "issuing_entity",
                "requesting_entity",
                "document_type",
                "document_number",
                "document_date",
                "holder_name",
                "holder_national_id",
                "outcome",
                "reason",
                "issued_at",
            ]
        )
        for _ in range(rows):
            code = rng.choices(codes, weights)[0]
            issued = dt.datetime(2016, 1, 1) + dt.timedelta(seconds=rng.randrange(int(9.5 * 365 * 86400)))
            counters[code, issued.year] = number = counters.get((code, issued.year), 0) + 1
            document_date = issued.date() - dt.timedelta(days=rng.randrange(30, 20 * 365))
            document_type = rng.choice(types[code])
            requester = rng.choice(REQUESTERS)
            confirmed = rng.random() < 0.85
            holder = f"{rng.choice(FIRST)} {rng.choice(FATHER)} {rng.choice(FATHER)} {rng.choice(FAMILY)}"
            holder_id = national_id(rng)
            if rng.random() < 0.05:  # typed on an Arabic keyboard
                holder_id = holder_id.translate(_INDIC)
            issued_text = issued.isoformat(timespec="minutes") if rng.random() < 0.9 else issued.date().isoformat()
            writer.writerow(
                [
                    f"{code}-{issued.year}-{number:06d}",
                    code,
                    requester if requester != code else "",
                    document_type,
                    f"{rng.choice(['BGD', 'MSL', 'BSR', 'NJF', 'KRK'])}-{document_date.year}-{rng.randrange(1, 99999)}",
                    document_date.isoformat(),
                    holder,
                    holder_id,
                    "confirmed" if confirmed else "not_confirmed",
                    "" if confirmed else rng.choice(REASONS),
                    issued_text,
                ]
            )


# --- running the command ------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    peak_mb: float
    report: dict[str, Any]
    cpu: float  # CPU seconds of the import process
    machine_busy: float  # cores busy on average meanwhile, all processes (PostgreSQL included)


def run_import(bench: BenchEnv, path: Path, *, profile: Path | None = None) -> Run:
    """``manage.py import_certificates PATH --json`` in its own process: wall time and peak RSS."""
    command = [sys.executable]
    if profile is not None:
        command += ["-m", "cProfile", "-o", str(profile)]
    command += [str(ROOT / "manage.py"), "import_certificates", str(path), "--json"]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        ticks, started = cpu_ticks(), time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **bench.env}, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        busy = cores_busy(ticks, cpu_ticks())
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise RuntimeError(f"import_certificates failed ({process.returncode}):\n{stdout[-2000:]}\n{stderr[-3000:]}")
    # ru_maxrss is in KiB on Linux
    return Run(seconds, usage.ru_maxrss / 1024, json.loads(stdout), usage.ru_utime + usage.ru_stime, busy)


def prepare() -> None:
    from django.core.management import call_command
    from django.db import connections

    from govportal.entities.hierarchy import HIERARCHY
    from govportal.entities.services import hierarchy_load

    call_command("migrate", interactive=False, verbosity=0)
    hierarchy_load(HIERARCHY)
    connections.close_all()


def check_imported(sample: int = 20) -> tuple[int, int, int]:
    """(certificates, artifacts, how many of ``sample`` random certificates verify as genuine)."""
    from django.db import connections

    from datacenter.models import Certificate
    from govportal.verification.models import Artifact
    from govportal.verification.services import token_verify

    picked = list(Certificate.objects.select_related("artifact").order_by("?")[:sample])
    genuine = sum(
        1
        for certificate in picked
        if (result := token_verify(certificate.artifact.token)).genuine
        and result.details["serial"] == certificate.serial
    )
    counts = Certificate.objects.count(), Artifact.objects.count()
    connections.close_all()
    return *counts, genuine


def profile_summary(path: Path, top: int = 14) -> list[str]:
    stats = pstats.Stats(str(path), stream=io.StringIO())
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    entries = stats.stats  # type: ignore[attr-defined]
    for (filename, line, name), (_cc, calls, tottime, cumtime, _callers) in sorted(
        entries.items(), key=lambda item: item[1][2], reverse=True
    )[:top]:
        where = filename.replace(str(ROOT) + "/", "").replace(".venv/lib/python3.13/site-packages/", "")
        rows.append(
            f"| `{name}` ({where}:{line}) | {calls:,} | {tottime:.2f} s ({tottime / total:.0%}) | {cumtime:.2f} s |"
        )
    return rows


def profile_by_area(path: Path) -> list[tuple[str, float]]:
    """Cumulative time of the importer's own steps (cProfile, so slower than a real run)."""
    stats = pstats.Stats(str(path), stream=io.StringIO())
    entries = stats.stats  # type: ignore[attr-defined]
    wanted = {
        "certificates_check": "first pass: check every row (`certificates_check`)",
        "_check": "  of which `_check` (per-row validation)",
        "_build": "second pass: build Certificate objects (`_build`)",
        "certificate_sign": "sign (`certificate_sign`: canonical JSON, SHA-256, ES256)",
        "jws_sign": "  of which `jws_sign` (ECDSA P-256)",
        "_flush": "insert (`_flush`, every 2,000 rows: artifacts, then certificates)",
        "_rows": "read the CSV twice (`_rows`)",
    }
    found: dict[str, float] = {}
    for (filename, _line, name), (_cc, _calls, _tottime, cumtime, _callers) in entries.items():
        if name in wanted and ("datacenter" in filename or "verification" in filename):
            found[wanted[name]] = max(found.get(wanted[name], 0.0), cumtime)
    return [(label, found[label]) for label in wanted.values() if label in found]


# --- main ------------------------------------------------------------------------------------------


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="govportal-bench-import-"))
    csv_path = work / "certificates.csv"
    print(f"import: writing {ROWS:,} rows", flush=True)
    write_csv(csv_path, ROWS)
    size_mb = csv_path.stat().st_size / 1e6
    profile_lines: list[str] = []
    try:
        with bench_env("import") as bench:
            bench.apply()
            import django

            django.setup()
            prepare()
            quiet = wait_for_quiet()
            print("import: first run", flush=True)
            first = run_import(bench, csv_path)
            print(f"  {first.seconds:.1f} s, peak {first.peak_mb:.0f} MB: {first.report | {'errors': '…'}}", flush=True)
            certificates, artifacts, genuine = check_imported()
            print("import: second run (same file)", flush=True)
            second = run_import(bench, csv_path)
            print(f"  {second.seconds:.1f} s, peak {second.peak_mb:.0f} MB", flush=True)
            database = postgres_version(bench.database_url)
            met = first.seconds <= GOAL_SECONDS and first.peak_mb <= GOAL_MB
            if not met or os.environ.get("BENCH_IMPORT_PROFILE") == "1":
                profile_lines = profile(bench, work)
    finally:
        for leftover in work.iterdir():
            leftover.unlink()
        work.rmdir()

    ok = (
        first.report["ok"]
        and first.report["imported"] == ROWS
        and certificates == artifacts == ROWS
        and genuine == 20
        and second.report["imported"] == 0
        and second.report["already_present"] == ROWS
    )
    lines = [
        "## Import of legacy certificates",
        "",
        machine(),
        f"Database: {database} on the same machine (default configuration), fresh database per run. "
        "Settings: production mode (`DJANGO_DEBUG=0`). Reproduce with `.venv/bin/python bench/import_certificates.py`. "
        + background(quiet),
        f"Input: a generated CSV of {ROWS:,} rows ({size_mb:.1f} MB; Arabic names, valid national ID numbers, 5 "
        "issuing entities, 15% not confirmed with a reason), imported by `manage.py import_certificates FILE --json` "
        "in its own process; peak memory is that process's maximum RSS.",
        "",
        f"**Goal:** ≤ {GOAL_SECONDS:g} s and ≤ {GOAL_MB:g} MB peak for {ROWS:,} certificates — {verdict(met)} "
        f"({first.seconds:.1f} s, {first.peak_mb:,.0f} MB).",
        "",
        "| what | figure |",
        "|---|---|",
        f"| import, first run | {first.seconds:.1f} s ({ROWS / first.seconds:,.0f} certificates/s), "
        f"peak RSS {first.peak_mb:,.0f} MB |",
        f"| CPU during the first run | import process {first.cpu:.1f} s ({first.cpu / first.seconds:.2f} cores); "
        f"whole machine {first.machine_busy:.2f} of {os.cpu_count()} cores busy (PostgreSQL, others) |",
        f"| report | imported {first.report['imported']:,}, already present {first.report['already_present']:,}, "
        f"errors {len(first.report['errors'])} |",
        f"| stored afterwards | {certificates:,} certificates, {artifacts:,} signed artifacts |",
        f"| 20 random certificates through `token_verify` | {genuine} genuine |",
        f"| same file again | {second.seconds:.1f} s, peak RSS {second.peak_mb:,.0f} MB, imported "
        f"{second.report['imported']:,}, already present {second.report['already_present']:,} |",
        "",
        f"Correctness checks: {'all passed' if ok else '**FAILED** — see the figures above'}.",
    ]
    if profile_lines:
        lines += ["", *profile_lines]
    write_section("import-certificates", lines)
    if not ok:
        sys.exit(1)


def profile(bench: BenchEnv, work: Path) -> list[str]:
    """cProfile of the command on a smaller file, each run on emptied tables."""
    path, output = work / "profile.csv", work / "import.prof"
    write_csv(path, PROFILE_ROWS, seed=7)
    print(f"import: profiling {PROFILE_ROWS:,} rows", flush=True)
    certificates_empty()
    plain = run_import(bench, path)
    certificates_empty()
    profiled = run_import(bench, path, profile=output)
    areas = profile_by_area(output)
    lines = [
        f"### Where the time goes ({PROFILE_ROWS:,} rows)",
        "",
        f"Without the profiler: {plain.seconds:.1f} s ({PROFILE_ROWS / plain.seconds:,.0f} rows/s). "
        f"Under cProfile ({profiled.seconds:.1f} s; the profiler slows Python code more than C and I/O):",
        "",
        "| step | cumulative |",
        "|---|---|",
        *[f"| {label} | {seconds:.2f} s |" for label, seconds in areas],
        "",
        "Functions by own time:",
        "",
        "| function | calls | own time | cumulative |",
        "|---|---|---|---|",
        *profile_summary(output),
    ]
    return lines


def certificates_empty() -> None:
    """Remove what the imports made, every certificate and the artifact that signs it, so that the
    profiled import starts from empty tables again (the keys, counters and audit log stay).

    Not a TRUNCATE: other tables (receipts, letters, statements, training certificates) reference
    the artifacts, and PostgreSQL truncates a referenced table only together with every table that
    references it, which would empty those too, silently on a database that holds any. This
    deletes exactly the certificates' artifacts; were one referenced by something else, the foreign
    key would stop it loudly. VACUUM then clears the dead rows, so that the profiled import does
    not wade through them."""
    from django.db import connection, connections

    from datacenter.models import Certificate
    from govportal.verification.models import Artifact

    certificates, artifacts = Certificate._meta.db_table, Artifact._meta.db_table
    signed_by, artifact_pk = Certificate._meta.get_field("artifact").column, Artifact._meta.pk.column
    # One statement: the certificates go, and with them the artifacts they name. (Table and column
    # names come from the models, no value from outside.)
    gone = f"DELETE FROM {certificates} RETURNING {signed_by}"  # noqa: S608
    emptied = f"DELETE FROM {artifacts} WHERE {artifact_pk} IN (SELECT {signed_by} FROM gone)"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"WITH gone AS ({gone}) {emptied}")
        cursor.execute(f"VACUUM ANALYZE {certificates}, {artifacts}")
    connections.close_all()


if __name__ == "__main__":
    main()
