"""HTTP benchmark of the public verify page (/v/<token>) against a trivial view of the same server.

Production mode (DJANGO_DEBUG=0) on a throw-away PostgreSQL database, Redis as the cache, gunicorn
with its default (sync) workers as in the Dockerfile, and bench/settings.py, whose only change is
the extra ``/bench/trivial`` view (it goes through the same middleware, does no I/O).

Measured with wrk (Debian's package; bench/httpbench.py), never with a client written in Python on the
same cores: 16 connections, closed loop, a warm-up before each run. The runs alternate with the
trivial view (trivial, the same token again and again, trivial, a new token on each request,
trivial; ``BENCH_HTTP_ROUNDS`` times the two verify runs) and each verify figure is set against the
mean of the two trivial runs beside it, so that the machine being busier at one moment moves both.
The machine's load is recorded beside each figure: cores busy (gunicorn, wrk, the whole machine)
during the run and the load average at its end.

A new token on each request: ``BENCH_HTTP_TOKENS`` certificates signed beforehand the way the importer
signs them (one key, bulk insert), their paths in files that wrk's Lua script reads, the next path for
each request and none twice over all the runs: each request verifies a token never seen, so nothing
comes from the result cache. Every answer's status is counted; any that is not 2xx is reported.

Goals (issue 18): a new token on each request ≥ 0.3× the trivial view with p99 ≤ 25 ms; a repeat
scan ≥ 0.7×.

Run: ``.venv/bin/python bench/verify_http.py`` (or ``make bench``). Stops by itself and cleans up.
Tunables: BENCH_HTTP_SECONDS (15), BENCH_HTTP_WARMUP (3, 0 skips), BENCH_HTTP_CONNECTIONS (16),
BENCH_HTTP_WORKERS (2), BENCH_HTTP_ROUNDS (1), BENCH_HTTP_TOKENS (100000),
BENCH_HTTP_EXTRA_WORKERS (4, the Dockerfile's count; 0 skips).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.httpbench import (  # noqa: E402
    CONNECTIONS,
    HOST,
    SECONDS,
    TRIVIAL_PATH,
    WARMUP,
    WORKERS,
    WRK_MISSING,
    WRK_THREADS,
    PathFiles,
    WrkResult,
    free_port,
    gunicorn_start,
    gunicorn_stop,
    gunicorn_version,
    wrk_binary,
    wrk_run,
    wrk_script,
    wrk_version,
)
from bench.prodenv import bench_env  # noqa: E402
from bench.report import (  # noqa: E402
    background,
    machine,
    percentile,
    postgres_version,
    verdict,
    wait_for_quiet,
    write_section,
)

ROUNDS = int(os.environ.get("BENCH_HTTP_ROUNDS", "1"))
TOKENS = int(os.environ.get("BENCH_HTTP_TOKENS", "100000"))
EXTRA_WORKERS = int(os.environ.get("BENCH_HTTP_EXTRA_WORKERS", "4"))
GOAL_NEW_RATIO, GOAL_NEW_P99_MS, GOAL_REPEAT_RATIO = 0.3, 25.0, 0.7
TRIVIAL, REPEAT, NEW, OTHER = "trivial", "repeat", "new", "other"

# --- data ------------------------------------------------------------------------------------------


def prepare() -> str:
    """Migrate, collect static files (production serves them from the manifest), seed; returns a token."""
    from django.core.management import call_command

    from datacenter.constants import DocumentType, Outcome
    from datacenter.models import Certificate
    from datacenter.services import certificate_content, certificate_display, certificate_holder
    from govportal.entities.hierarchy import HIERARCHY
    from govportal.entities.models import Entity
    from govportal.entities.services import hierarchy_load
    from govportal.verification.constants import ArtifactKind
    from govportal.verification.services import artifact_issue

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    hierarchy_load(HIERARCHY)
    ndc, mof = Entity.objects.get(code="NDC"), Entity.objects.get(code="MOF")
    certificate = Certificate(
        serial="NDC-2024-000001",
        issuing_entity=ndc,
        requesting_entity=mof,
        outcome=Outcome.CONFIRMED,
        document_type=DocumentType.DEGREE,
        document_number="BGD-2019-44871",
        document_date=dt.date(2019, 7, 14),
        holder_name="أحمد كريم العبيدي",
        holder_national_id="199012345678",
        issued_at=dt.datetime(2024, 3, 5, 10, 30, tzinfo=dt.UTC),
    )
    artifact = artifact_issue(
        entity=ndc,
        kind=ArtifactKind.CERTIFICATE,
        serial=certificate.serial,
        content=certificate_content(certificate),
        display=certificate_display(certificate),
        issued_at=certificate.issued_at,
        holder=certificate_holder(certificate),
    )
    return artifact.token


def issue_many(count: int) -> list[str]:
    """``count`` more genuine tokens, signed the way the importer signs (one key, bulk insert)."""
    from django.db import connection

    from govportal.entities.models import Entity
    from govportal.verification.constants import ArtifactKind
    from govportal.verification.models import Artifact
    from govportal.verification.services import Signer, mask_id, mask_name

    signer = Signer(Entity.objects.get(code="NDC"), index_block=2000)
    issued_at = dt.datetime(2023, 6, 1, 9, 0, tzinfo=dt.UTC)
    holder = mask_name("زينب علي الجبوري")
    tokens: list[str] = []
    for first in range(1, count + 1, 2000):  # in blocks: 100,000 unsaved models at once would take ~1 GB
        artifacts = [
            signer.artifact(
                kind=ArtifactKind.CERTIFICATE,
                serial=f"NDC-2023-{number:06d}",
                issued_at=issued_at,
                content=f"bench certificate {number}".encode(),
                display=[("Holder", holder), ("National ID number", mask_id(f"19{number:010d}"))],
                holder=holder,
            )
            for number in range(first, min(first + 2000, count + 1))
        ]
        Artifact.objects.bulk_create(artifacts)
        tokens += [artifact.token for artifact in artifacts]
    # Now rather than by autovacuum in the middle of a measured run.
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(Artifact._meta.db_table)}")
    return tokens


# --- the runs --------------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    kind: str  # TRIVIAL, REPEAT, NEW or OTHER
    result: WrkResult
    base: float = 0.0  # the mean req/s of the trivial runs beside it (verify rows)
    workers: int = WORKERS  # the goals are judged on the rows with BENCH_HTTP_WORKERS

    @property
    def ratio(self) -> float:
        return self.result.rps / self.base if self.base else 0.0


@dataclass
class Server:
    """One gunicorn and the files its runs write (wrk's Lua script) in the bench's temporary directory."""

    port: int
    workers: int
    process: subprocess.Popen[bytes]
    directory: Path

    def run(
        self, label: str, path: str, *, connections: int = CONNECTIONS, paths: PathFiles | None = None
    ) -> WrkResult:
        """A warm-up (discarded) then the measured run; with ``paths``, each request takes the next one."""
        url = f"http://{HOST}:{self.port}{path}"
        threads = len(paths.files) if paths else WRK_THREADS
        for seconds in ([WARMUP] if WARMUP > 0 else []) + [SECONDS]:
            result = wrk_run(
                url,
                seconds=seconds,
                connections=connections,
                threads=threads,
                script=wrk_script(self.directory, paths),
                server=self.process,
            )
            if paths:
                paths.advance(result.handed_out)
        print(
            f"  {label}: {result.rps:,.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
            f"{result.requests:,} requests, non-2xx {result.non_2xx}, socket errors {result.socket_errors}; "
            f"cores busy {result.busy} (gunicorn / wrk / machine), load {result.load:.2f}",
            flush=True,
        )
        return result

    def alternated(self, runs: list[tuple[str, str, str, PathFiles | None]], prefix: str = "") -> list[Row]:
        """The trivial view, then each of ``runs`` (kind, label, path, paths) followed by the trivial view."""
        trivial = f"{prefix}trivial view (`{TRIVIAL_PATH}`)"
        rows = [Row(trivial, TRIVIAL, self.run(trivial, TRIVIAL_PATH), workers=self.workers)]
        for kind, label, path, paths in runs:
            verify = self.run(prefix + label, path, paths=paths)
            after = self.run(trivial, TRIVIAL_PATH)
            base = (rows[-1].result.rps + after.rps) / 2
            rows += [
                Row(prefix + label, kind, verify, base, workers=self.workers),
                Row(trivial, TRIVIAL, after, workers=self.workers),
            ]
        return rows


# --- in-process ------------------------------------------------------------------------------------


@dataclass
class Breakdown:
    """One verify request inside the process (no HTTP, no queueing): where its time goes."""

    page_wall: float
    page_cpu: float
    trivial_wall: float
    pipeline: float
    queries: int


def breakdown(token: str, runs: int = 300) -> Breakdown:
    from django.db import connection
    from django.test import Client

    from govportal.verification import hotpath
    from govportal.verification.services import GENERATION_KEY

    client = Client(HTTP_HOST=HOST)

    def median_of(fn: Callable[[], object]) -> tuple[float, float]:
        for _ in range(20):
            fn()
        walls, cpus = [], []
        for _ in range(runs):
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        return percentile(walls, 0.5) * 1000, percentile(cpus, 0.5) * 1000

    page_wall, page_cpu = median_of(lambda: client.get(f"/v/{token}"))
    statements: list[str] = []

    def count(execute: Callable[..., object], sql: str, *args: object) -> object:
        statements.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(count):
        answer = client.get(f"/v/{token}")
    assert answer.status_code == 200, answer.status_code
    return Breakdown(
        page_wall=page_wall,
        page_cpu=page_cpu,
        trivial_wall=median_of(lambda: client.get(TRIVIAL_PATH))[0],
        pipeline=median_of(
            lambda: hotpath.lookup(
                token=token, language="ar", client="bench", limit=10**9, generation_key=GENERATION_KEY
            )
        )[0],
        queries=len(statements),
    )


def main() -> None:
    if wrk_binary() is None:
        sys.exit(WRK_MISSING)
    with bench_env("verify", settings_module="bench.settings") as bench:
        bench.apply()
        import django

        django.setup()
        from django.db import connections

        print("verify page over HTTP: preparing", flush=True)
        token = prepare()
        print(f"  signing {TOKENS:,} tokens for the new-token runs", flush=True)
        started = time.perf_counter()
        pool = PathFiles.write(bench.var_dir, [f"/v/{t}" for t in issue_many(TOKENS)])
        print(f"  {TOKENS:,} tokens in {time.perf_counter() - started:.1f} s", flush=True)
        connections.close_all()
        verify_path = f"/v/{token}"
        plan = [
            (REPEAT, "verify page `/v/<token>`, the same token again and again (result cached)", verify_path, None),
            (NEW, "verify page, a new token each request (not cached)", "/v/", pool),
        ]
        quiet = wait_for_quiet()
        port = free_port()
        server = Server(port, WORKERS, gunicorn_start(bench, port, WORKERS), bench.var_dir)
        try:
            print(f"gunicorn, {WORKERS} workers, wrk {CONNECTIONS} connections:", flush=True)
            rows = server.alternated(plan * ROUNDS)
            label = "verify page, the same token, **1** connection"
            rows.append(Row(label, OTHER, server.run(label, verify_path, connections=1)))
        finally:
            gunicorn_stop(server.process)
        if EXTRA_WORKERS and EXTRA_WORKERS != WORKERS:
            server = Server(port, EXTRA_WORKERS, gunicorn_start(bench, port, EXTRA_WORKERS), bench.var_dir)
            try:
                print(f"gunicorn, {EXTRA_WORKERS} workers:", flush=True)
                rows += server.alternated(plan[:1], prefix=f"{EXTRA_WORKERS} workers: ")
            finally:
                gunicorn_stop(server.process)
        print("in-process breakdown", flush=True)
        parts = breakdown(token)
        database = postgres_version(bench.database_url)
    report(rows, pool, parts, database, quiet)


def _row(number: int, row: Row) -> str:
    result = row.result
    return (
        f"| {number} | {row.label} | {result.rps:,.0f} | {f'{row.ratio:.2f}×' if row.base else '—'} | "
        f"{result.p50_ms:.1f} | {result.p99_ms:.1f} | {result.requests:,} | {result.non_2xx} | {result.busy} | "
        f"{result.load:.2f} |"
    )


def report(rows: list[Row], pool: PathFiles, parts: Breakdown, database: str, quiet: float) -> None:
    main_rows = [row for row in rows if row.workers == WORKERS]
    new = [row for row in main_rows if row.kind == NEW]
    repeat = [row for row in main_rows if row.kind == REPEAT]
    new_ratio = statistics.mean(row.ratio for row in new)
    new_p99 = max(row.result.p99_ms for row in new)
    repeat_ratio = statistics.mean(row.ratio for row in repeat)
    new_bad = sum(row.result.non_2xx for row in new)
    repeat_bad = sum(row.result.non_2xx for row in repeat)
    reused = sum(row.result.past_the_end for row in new)
    met_new = new_ratio >= GOAL_NEW_RATIO and new_p99 <= GOAL_NEW_P99_MS and not new_bad and not reused
    met_repeat = repeat_ratio >= GOAL_REPEAT_RATIO and not repeat_bad
    over = "the mean of the rounds' ratios, the highest p99" if ROUNDS > 1 else "ratio to the trivial runs beside it"
    trivial = [row.result for row in main_rows if row.kind == TRIVIAL]
    spread = f"{min(r.rps for r in trivial):,.0f}–{max(r.rps for r in trivial):,.0f}"
    lines = [
        "## Verify page over HTTP",
        "",
        machine(),
        f"Database: {database}, cache and rate limits: Redis — both on the same machine, default configuration "
        "(`synchronous_commit=on`).",
        f"Settings: production mode (`DJANGO_DEBUG=0`; bench/settings.py = the portal's settings + one trivial URL), "
        f"gunicorn {gunicorn_version()}, {WORKERS} sync workers (the Dockerfile's worker class, which closes the "
        f"connection after every answer: no keep-alive), no access log. Load: {wrk_version()} (Debian's package), "
        f"{WRK_THREADS} threads (1 for the one-connection row), {CONNECTIONS} connections, closed loop, "
        f"{WARMUP:g} s warm-up then {SECONDS:g} s per row, on the same {os.cpu_count()} cores as the server; its "
        "latency runs from a request's first byte "
        "to the answer's last, with wrk's correction for coordinated omission. The rows are in the order they "
        "ran: the trivial view before and after each verify row, which is set against the mean of the two. "
        "A new token each request: "
        f"{pool.total:,} certificates signed beforehand as the importer signs them (one key, bulk insert); wrk's "
        f"Lua script gives each request the next one's path — {sum(pool.used):,} handed out over the runs and "
        f"their warm-ups, "
        + (
            "none twice."
            if not reused
            else f"**{reused:,} requests found the tokens used up and took one again** (raise BENCH_HTTP_TOKENS)."
        )
        + " Non-2xx: every answer outside 2xx, counted by the script. Load beside each figure: cores busy on "
        "average during the row (gunicorn's processes / wrk / the whole machine, PostgreSQL and Redis included) "
        "and the 1-minute load average at its end. "
        "Reproduce with `.venv/bin/python bench/verify_http.py`. " + background(quiet),
        "",
        f"**Goals** (issue 18, {over}): a new token each request ≥ {GOAL_NEW_RATIO}× the trivial view's "
        f"requests/s with p99 ≤ {GOAL_NEW_P99_MS:g} ms — {verdict(met_new)}: {new_ratio:.2f}×, p99 {new_p99:.1f} ms, "
        f"{new_bad} non-2xx; a repeat scan (the same token again and again) ≥ {GOAL_REPEAT_RATIO}× — "
        f"{verdict(met_repeat)}: {repeat_ratio:.2f}×, p99 {max(row.result.p99_ms for row in repeat):.1f} ms, "
        f"{repeat_bad} non-2xx. The trivial view's runs gave {spread} req/s.",
        "",
        "| run | what | req/s | vs trivial beside it | p50 ms | p99 ms | requests | non-2xx | "
        "cores busy: gunicorn / wrk / machine | load (1 min) |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *(_row(number, row) for number, row in enumerate(rows, 1)),
        "",
    ]
    errors = [
        f"run {number}: {row.result.socket_errors}"
        for number, row in enumerate(rows, 1)
        if row.result.socket_errors != "none"
    ]
    if errors:
        lines += [f"wrk's socket errors (connect, read, write, timeout): {'; '.join(errors)}.", ""]
    first = repeat[0].result
    lines += [
        f"Where a verify request's time goes (in-process, no HTTP, one at a time, medians of 300): "
        f"{parts.page_wall:.2f} ms wall of which {parts.page_cpu:.2f} ms CPU, against {parts.trivial_wall:.2f} ms "
        f"for the trivial view; {parts.queries} SQL statement(s) on a repeat scan; the one Redis pipeline of the "
        f"hot path (rate limit, cache generation, shared rendering, scan count) takes {parts.pipeline:.2f} ms; "
        "the rest is the same middleware as the trivial view plus the larger page. "
        f"Under load each request also queues behind the others "
        f"(Little's law: {CONNECTIONS} / {first.rps:,.0f} req/s ≈ {CONNECTIONS / first.rps * 1000:.0f} ms mean).",
    ]
    write_section("verify-http", lines)


if __name__ == "__main__":
    main()
