"""Shared by every benchmark: machine facts, percentiles and the marked sections of docs/BENCHMARKS.md.

Each benchmark owns one section between ``<!-- bench:KEY -->`` and ``<!-- /bench:KEY -->``;
re-running it replaces that section only, so the file keeps every other benchmark's figures.
"""

from __future__ import annotations

import math
import os
import platform
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "BENCHMARKS.md"


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (``fraction`` in 0..1) of unsorted samples."""
    ordered = sorted(samples)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def memory_total_mb() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def machine() -> str:
    """One line: date, CPU, memory, Python — the first line of every section."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {cores} cores (nproc), "
        f"{memory_total_mb() / 1024:.1f} GiB memory, Linux {platform.release().split('-')[0]}, "
        f"Python {platform.python_version()}."
    )


def postgres_version(dsn: str) -> str:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return f"PostgreSQL {row[0].split()[0] if row else '?'}"


def verdict(met: bool) -> str:
    return "**met**" if met else "**not met**"


def write_section(key: str, lines: Sequence[str]) -> str:
    """Replace (or append) the section marked ``key`` in docs/BENCHMARKS.md and return its text."""
    section = "\n".join(lines).rstrip("\n") + "\n"
    text = TARGET.read_text(encoding="utf-8") if TARGET.exists() else "# Benchmarks\n"
    marker_start, marker_end = f"<!-- bench:{key} -->", f"<!-- /bench:{key} -->"
    block = f"{marker_start}\n{section}{marker_end}\n"
    if marker_start in text and marker_end in text:
        before, rest = text.split(marker_start, 1)
        tail = rest.split(marker_end, 1)[1].lstrip("\n")
        text = before + block + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    TARGET.write_text(text, encoding="utf-8")
    print(section)
    return section


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of the whole machine so far, from /proc/stat."""
    try:
        fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return 0, 0
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields)
    return total - idle, total


def cores_busy(before: tuple[int, int], after: tuple[int, int]) -> float:
    """How many cores were busy on average between two ``cpu_ticks()`` readings (all processes)."""
    total = after[1] - before[1]
    return (after[0] - before[0]) / total * (os.cpu_count() or 1) if total else 0.0


def wait_for_quiet(*, threshold: float = 0.3, max_wait: float = 300.0) -> float:
    """Wait (up to ``max_wait`` s) until other processes keep fewer than ``threshold`` cores busy.

    Returns the background load last seen, which every section reports: figures taken while
    something else runs on the machine (a test suite, say) are lower than the machine can do.
    """
    deadline = time.monotonic() + max_wait
    while True:
        before = cpu_ticks()
        time.sleep(2)
        busy = cores_busy(before, cpu_ticks())
        if busy < threshold or time.monotonic() >= deadline:
            return busy
        print(f"  waiting for a quieter machine ({busy:.2f} cores busy elsewhere)", flush=True)
        time.sleep(8)


def background(busy: float) -> str:
    return f"Other processes kept {busy:.2f} cores busy just before the run."
