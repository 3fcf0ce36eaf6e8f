"""All benchmarks: `make bench`. Figures go to docs/BENCHMARKS.md, one marked section each.

``python bench/run.py`` runs the platform core (here, in this process) and then each feature
benchmark in its own process; ``python bench/run.py core pdf`` runs only those named
(core, verify, api_bills, import, pdf, documents, webhooks, settlement, housing, training).

The core benchmark works on a throw-away test database (SQLite by default, PostgreSQL when
DATABASE_URL is set), so the audit events it writes never land in a real log. The feature
benchmarks run in production mode on throw-away PostgreSQL databases of their own (bench/prodenv.py).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.report import machine, write_section  # noqa: E402

FEATURES = {
    "verify": "verify_http.py",
    "api_bills": "api_bills.py",
    "verify_api": "verify_api.py",
    "status_lists": "status_lists.py",
    "import": "import_certificates.py",
    "pdf": "pdf_render.py",
    "documents": "documents.py",
    "webhooks": "webhooks.py",
    "settlement": "settlement.py",
    "housing": "housing.py",
    "training": "training.py",
}
RESULTS: list[tuple[str, str]] = []


def timed(label: str, runs: int, fn: Callable[[], object]) -> None:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    samples.sort()
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    RESULTS.append((label, f"median {statistics.median(samples) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms ({runs} runs)"))


def bench_audit() -> None:
    from govportal.audit.services import audit_chain_verify, audit_record

    n = int(os.environ.get("BENCH_AUDIT_EVENTS", "5000"))
    started = time.perf_counter()
    for i in range(n):
        audit_record(action="bench_event", data={"i": i, "note": "قراءة كتاب سري"})
    elapsed = time.perf_counter() - started
    RESULTS.append(("audit_record (serialised appends)", f"{n / elapsed:,.0f} events/s over {n:,} events"))
    started = time.perf_counter()
    report = audit_chain_verify()
    elapsed = time.perf_counter() - started
    assert report.ok
    RESULTS.append(("audit_verify (whole chain)", f"{report.checked / elapsed:,.0f} events/s over {report.checked:,}"))


def bench_entities() -> None:
    from govportal.entities.constants import EntityKind
    from govportal.entities.hierarchy import HIERARCHY
    from govportal.entities.models import Entity
    from govportal.entities.selectors import rollout_progress
    from govportal.entities.services import hierarchy_load

    hierarchy_load(HIERARCHY)
    parents = list(Entity.objects.filter(kind__in=[EntityKind.MINISTRY, EntityKind.GOVERNORATE]))
    rows = []
    for i in range(5000):
        parent = parents[i % len(parents)]
        code = f"B{i:05d}"
        rows.append(
            Entity(
                code=code,
                kind=EntityKind.DIRECTORATE,
                name_ar=f"مديرية {i}",
                name_en=f"Directorate {i}",
                parent=parent,
                path=f"{parent.path}{code}/",
                depth=parent.depth + 1,
            )
        )
    Entity.objects.bulk_create(rows, batch_size=1000)
    total = Entity.objects.count()
    timed(f"rollout progress over {total:,} entities", 50, rollout_progress)
    ministry = parents[0]
    timed("descendants of one ministry", 50, lambda: list(Entity.objects.descendants_of(ministry)))


def write_report(vendor: str) -> None:
    lines = [
        "## Platform core",
        "",
        machine(),
        f"Database: {vendor} (a throw-away test database); development settings (`DJANGO_DEBUG=1`). "
        "Reproduce with "
        + ("`DATABASE_URL=postgres://… make bench`" if vendor == "postgresql" else "`make bench`")
        + " (this section alone: `.venv/bin/python bench/run.py core`).",
        "",
        "| what | figure |",
        "|---|---|",
        *[f"| {label} | {figure} |" for label, figure in RESULTS],
    ]
    write_section(f"core:{vendor}", lines)


def core() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govportal.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        bench_audit()
        bench_entities()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    write_report(connection.vendor)


def main(names: list[str]) -> None:
    wanted = names or ["core", *FEATURES]
    unknown = set(wanted) - {"core", *FEATURES}
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(sorted(unknown))}; choose from core, {', '.join(FEATURES)}")
    failed = []
    if "core" in wanted:
        core()
    for name, script in FEATURES.items():
        if name in wanted:
            print(f"\n=== {name}: bench/{script}", flush=True)
            # Each in its own process: they run Django in production mode, with settings of their own.
            if subprocess.run([sys.executable, str(ROOT / "bench" / script)], cwd=ROOT).returncode != 0:
                failed.append(name)
    if failed:
        sys.exit(f"benchmark(s) failed: {', '.join(failed)}")


if __name__ == "__main__":
    main(sys.argv[1:])
