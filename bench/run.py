"""Benchmarks for the platform core. Run with `make bench`; figures go to docs/BENCHMARKS.md.

Works on a throw-away test database (SQLite by default, PostgreSQL when DATABASE_URL is set),
so the audit events it writes never land in a real log.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govportal.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

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


def write_report() -> None:
    vendor = connection.vendor
    lines = [
        "## Platform core",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()} ({os.cpu_count()} cores), "
        f"Python {platform.python_version()}, database: {vendor}. Reproduce with `make bench`.",
        "",
        "| what | figure |",
        "|---|---|",
        *[f"| {label} | {figure} |" for label, figure in RESULTS],
        "",
    ]
    section = "\n".join(lines)
    target = ROOT / "docs" / "BENCHMARKS.md"
    text = target.read_text(encoding="utf-8") if target.exists() else "# Benchmarks\n\n"
    marker_start, marker_end = f"<!-- bench:core:{vendor} -->", f"<!-- /bench:core:{vendor} -->"
    block = f"{marker_start}\n{section}{marker_end}\n"
    if marker_start in text:
        before, rest = text.split(marker_start, 1)
        text = before + block + rest.split(marker_end, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    target.write_text(text, encoding="utf-8")
    print(section)


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        bench_audit()
        bench_entities()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    write_report()


if __name__ == "__main__":
    main()
