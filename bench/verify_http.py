"""HTTP benchmark of the public verify page (/v/<token>) against a trivial view of the same server.

Production mode (DJANGO_DEBUG=0) on a throw-away PostgreSQL database, Redis as the cache,
gunicorn with its default (sync) workers as in the Dockerfile, and bench/settings.py, whose only
change is the extra ``/bench/trivial`` view (it goes through the same middleware, does no I/O).

The load generator is a small asyncio HTTP/1.1 client: a fixed number of connections, each
sending its next request as soon as the previous answer arrived (closed loop), keep-alive when
the server allows it. Every request's latency is recorded; a warm-up phase is discarded.
``wrk`` cross-checks the figures when it is installed.

Run: ``.venv/bin/python bench/verify_http.py`` (or ``make bench``). Stops by itself and cleans up.
Tunables: BENCH_HTTP_SECONDS (15), BENCH_HTTP_WARMUP (3), BENCH_HTTP_CONNECTIONS (16),
BENCH_HTTP_WORKERS (2), BENCH_WRK_SECONDS (10, 0 skips wrk).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

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

SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "15"))
WARMUP = float(os.environ.get("BENCH_HTTP_WARMUP", "3"))
CONNECTIONS = int(os.environ.get("BENCH_HTTP_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_HTTP_WORKERS", "2"))
WRK_SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "10"))
HOST = "127.0.0.1"
TRIVIAL_PATH = "/bench/trivial"
GOAL_RATIO, GOAL_P99_MS = 0.7, 25.0

# --- load generator ------------------------------------------------------------------------------


@dataclass
class Phase:
    label: str
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: int = 0  # connection errors and non-200 answers
    connects: int = 0
    elapsed: float = 0.0
    client_cpu: float = 0.0  # seconds of CPU the load generator itself used
    server_cpu: float = 0.0  # seconds of CPU the gunicorn processes used
    machine_busy: float = 0.0  # cores busy on average, all processes (PostgreSQL, Redis, kernel, others)

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def ms(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) * 1000


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one HTTP/1.1 response; returns its status and whether the server closes the connection."""
    line = await reader.readline()
    if not line:
        raise ConnectionError("connection closed before the answer")
    status = int(line.split()[1])
    length: int | None = None
    chunked = close = False
    while True:
        header = await reader.readline()
        if header in (b"\r\n", b"\n", b""):
            break
        name, _, value = header.partition(b":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value
        elif name == b"connection":
            close = value == b"close"
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length is not None:
        await reader.readexactly(length)
    else:
        await reader.read()
        close = True
    return status, close


async def _connection(port: int, paths: Iterator[str], deadline: float, phase: Phase) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    while time.perf_counter() < deadline:
        request = f"GET {next(paths)} HTTP/1.1\r\nHost: {HOST}\r\nUser-Agent: govportal-bench\r\n\r\n".encode()
        started = time.perf_counter()  # a reconnection counts in the latency, as it does for a browser
        try:
            if writer is None or reader is None:
                reader, writer = await asyncio.open_connection(HOST, port)
                phase.connects += 1
            writer.write(request)
            status, close = await _read_response(reader)
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            phase.failures += 1
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.01)
            continue
        phase.latencies.append(time.perf_counter() - started)
        phase.statuses[status] += 1
        if status != 200:
            phase.failures += 1
        if close:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


def _load(
    label: str, port: int, paths: Iterator[str], seconds: float, server: subprocess.Popen[bytes], connections: int
) -> Phase:
    phase = Phase(label)

    async def run() -> None:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(_connection(port, paths, deadline, phase) for _ in range(connections)))

    cpu, server_cpu, ticks, started = time.process_time(), _tree_cpu(server.pid), cpu_ticks(), time.perf_counter()
    asyncio.run(run())
    phase.elapsed = time.perf_counter() - started
    phase.machine_busy = cores_busy(ticks, cpu_ticks())
    phase.client_cpu = time.process_time() - cpu
    phase.server_cpu = _tree_cpu(server.pid) - server_cpu
    return phase


def measure(
    label: str,
    port: int,
    paths: Callable[[], Iterator[str]],
    server: subprocess.Popen[bytes],
    connections: int = CONNECTIONS,
) -> Phase:
    _load(f"{label} (warm-up)", port, paths(), WARMUP, server, connections)
    phase = _load(label, port, paths(), SECONDS, server, connections)
    print(
        f"  {label}: {phase.rps:,.0f} req/s, p50 {phase.ms(0.5):.1f} ms, p99 {phase.ms(0.99):.1f} ms, "
        f"{phase.failures} failures, statuses {dict(phase.statuses)}",
        flush=True,
    )
    return phase


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and its children (the gunicorn workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    for process in [str(pid), *children]:
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


# --- wrk -------------------------------------------------------------------------------------------


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: str


def _wrk_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url: str) -> WrkResult | None:
    binary = shutil.which("wrk")
    if not binary or WRK_SECONDS <= 0:
        return None
    threads = max(1, min(2, os.cpu_count() or 1))
    args = [binary, f"-t{threads}", f"-c{CONNECTIONS}", f"-d{WRK_SECONDS}s", "--latency", url]
    subprocess.run([*args[:-2], "-d2s", url], check=True, capture_output=True)  # warm-up
    output = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _wrk_ms(re.search(r"\n\s+50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _wrk_ms(re.search(r"\n\s+99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return WrkResult(rps, p50, p99, int(non_2xx.group(1)) if non_2xx else 0, errors.group(1) if errors else "none")


# --- the server ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def gunicorn_start(bench: BenchEnv, port: int, workers: int = WORKERS) -> subprocess.Popen[bytes]:
    log = (bench.var_dir / "gunicorn.log").open("wb")
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "bench.bench_wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--chdir",
        str(ROOT),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, env={**os.environ, **bench.env}, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited:\n" + (bench.var_dir / "gunicorn.log").read_text()[-3000:])
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}{TRIVIAL_PATH}", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    gunicorn_stop(server)
    raise RuntimeError("gunicorn did not answer within 60 s")


def gunicorn_stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # the master stops its workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- data ------------------------------------------------------------------------------------------


def prepare() -> str:
    """Migrate, collect static files (production serves them from the manifest), seed; returns a token."""
    from django.core.management import call_command

    from datacenter.constants import DocumentType, Outcome
    from datacenter.models import Certificate
    from datacenter.services import certificate_content, certificate_display
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
    )
    return artifact.token


def issue_many(count: int) -> list[str]:
    """``count`` more genuine tokens, signed the way the importer signs (one key, bulk insert)."""
    from govportal.entities.models import Entity
    from govportal.verification.constants import ArtifactKind
    from govportal.verification.models import Artifact
    from govportal.verification.services import Signer, mask_id, mask_name

    signer = Signer(Entity.objects.get(code="NDC"))
    issued_at = dt.datetime(2023, 6, 1, 9, 0, tzinfo=dt.UTC)
    artifacts = [
        signer.artifact(
            kind=ArtifactKind.CERTIFICATE,
            serial=f"NDC-2023-{number:06d}",
            issued_at=issued_at,
            content=f"bench certificate {number}".encode(),
            display=[("Holder", mask_name("زينب علي الجبوري")), ("National ID number", mask_id(f"19{number:010d}"))],
        )
        for number in range(1, count + 1)
    ]
    Artifact.objects.bulk_create(artifacts, batch_size=2000)
    return [artifact.token for artifact in artifacts]


# --- main ------------------------------------------------------------------------------------------


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


def _row(label: str, phase: Phase, base: Phase | None) -> str:
    ratio = f"{phase.rps / base.rps:.2f}×" if base and base.rps else "—"
    return (
        f"| {label} | {phase.rps:,.0f} | {ratio} | {phase.ms(0.5):.1f} | {phase.ms(0.99):.1f} | "
        f"{len(phase.latencies):,} | {phase.failures} | "
        f"{phase.server_cpu / phase.elapsed:.2f} / {phase.client_cpu / phase.elapsed:.2f} / "
        f"{phase.machine_busy:.2f} |"
    )


def main() -> None:
    extra_workers = int(os.environ.get("BENCH_HTTP_EXTRA_WORKERS", "4"))  # the Dockerfile's count; 0 skips
    with bench_env("verify", settings_module="bench.settings") as bench:
        bench.apply()
        import django

        django.setup()
        from django.db import connections

        print("verify page over HTTP: preparing", flush=True)
        token = prepare()
        connections.close_all()
        port = _free_port()
        verify_path = f"/v/{token}"
        quiet = wait_for_quiet()
        server = gunicorn_start(bench, port)
        try:
            print(f"gunicorn, {WORKERS} workers:", flush=True)
            trivial = measure("trivial view", port, lambda: itertools.repeat(TRIVIAL_PATH), server)
            verify = measure("verify page, one token", port, lambda: itertools.repeat(verify_path), server)
            # Distinct tokens: every request verifies a token never seen, so nothing comes from the
            # result cache (signature check + two queries each time) — what a crowd of scans costs.
            tokens = issue_many(int(verify.rps * (SECONDS + WARMUP) * 1.5) + 2000)
            connections.close_all()
            reused = Counter[str]()

            def new_tokens() -> Iterator[str]:
                yield from (f"/v/{t}" for t in tokens)
                for t in itertools.cycle(tokens):  # only if the pool runs out; counted below
                    reused["requests"] += 1
                    yield f"/v/{t}"

            pool = new_tokens()
            distinct = measure("verify page, new tokens", port, lambda: pool, server)
            single = measure("verify page, 1 connection", port, lambda: itertools.repeat(verify_path), server, 1)
            wrk_trivial = wrk(f"http://{HOST}:{port}{TRIVIAL_PATH}")
            wrk_verify = wrk(f"http://{HOST}:{port}{verify_path}")
        finally:
            gunicorn_stop(server)
        more: list[Phase] = []
        if extra_workers:
            server = gunicorn_start(bench, port, extra_workers)
            try:
                print(f"gunicorn, {extra_workers} workers:", flush=True)
                more.append(measure("trivial view", port, lambda: itertools.repeat(TRIVIAL_PATH), server))
                more.append(measure("verify page, one token", port, lambda: itertools.repeat(verify_path), server))
            finally:
                gunicorn_stop(server)
        print("in-process breakdown", flush=True)
        parts = breakdown(token)
        database = postgres_version(bench.database_url)

    ratio = verify.rps / trivial.rps if trivial.rps else 0.0
    met = ratio >= GOAL_RATIO and verify.ms(0.99) <= GOAL_P99_MS
    distinct_ratio = distinct.rps / trivial.rps if trivial.rps else 0.0
    met_distinct = distinct_ratio >= GOAL_RATIO and distinct.ms(0.99) <= GOAL_P99_MS
    lines = [
        "## Verify page over HTTP",
        "",
        machine(),
        f"Database: {database}, cache and rate limits: Redis — both on the same machine, default configuration "
        "(`synchronous_commit=on`).",
        f"Settings: production mode (`DJANGO_DEBUG=0`; bench/settings.py = the portal's settings + one trivial URL), "
        f"gunicorn {_gunicorn_version()}, {WORKERS} sync workers (the Dockerfile's worker class, which closes the "
        f"connection after every answer: no keep-alive), no access log. Load: {CONNECTIONS} concurrent connections, "
        f"closed loop, {WARMUP:g} s warm-up then {SECONDS:g} s per row, from an asyncio HTTP/1.1 client running on "
        f"the same {os.cpu_count()} cores as the server. Reproduce with `.venv/bin/python bench/verify_http.py`. "
        + background(quiet),
        "",
        f"**Goal:** verify page ≥ {GOAL_RATIO}× the trivial view's requests/s and p99 ≤ {GOAL_P99_MS:g} ms at "
        f"{CONNECTIONS} connections — {verdict(met)}: {ratio:.2f}×, p99 {verify.ms(0.99):.1f} ms "
        f"(the same token scanned again and again); with a new token per request {verdict(met_distinct)}: "
        f"{distinct_ratio:.2f}×, p99 {distinct.ms(0.99):.1f} ms.",
        "",
        "| what | req/s | vs trivial | p50 ms | p99 ms | requests | failures | cores busy: gunicorn / client / "
        "whole machine |",
        "|---|---|---|---|---|---|---|---|",
        _row("trivial view (`/bench/trivial`)", trivial, None),
        _row("verify page `/v/<token>`, one token (result cached)", verify, trivial),
        _row("verify page, a new token each request (not cached)", distinct, trivial),
        _row("verify page, one token, **1** connection", single, None),
    ]
    if more:
        lines += [
            _row(f"{extra_workers} workers: trivial view", more[0], None),
            _row(f"{extra_workers} workers: verify page, one token", more[1], more[0]),
        ]
    lines.append("")
    if reused["requests"]:
        lines += [f"({reused['requests']:,} requests of the new-token row reused a token: the pool ran out.)", ""]
    if wrk_trivial and wrk_verify:
        lines += [
            f"Cross-check with {_wrk_version()} (2 threads, {CONNECTIONS} connections, {WRK_SECONDS} s after a 2 s "
            f"warm-up, {WORKERS} workers): trivial {wrk_trivial.rps:,.0f} req/s (p50 {wrk_trivial.p50_ms:.1f} ms, "
            f"p99 {wrk_trivial.p99_ms:.1f} ms); verify page {wrk_verify.rps:,.0f} req/s "
            f"(p50 {wrk_verify.p50_ms:.1f} ms, p99 {wrk_verify.p99_ms:.1f} ms) = "
            f"{wrk_verify.rps / wrk_trivial.rps:.2f}×; non-2xx answers {wrk_trivial.non_2xx} / {wrk_verify.non_2xx}.",
            "",
        ]
    else:
        lines += ["wrk is not installed: no cross-check.", ""]
    lines += [
        f"Where a verify request's time goes (in-process, no HTTP, one at a time, medians of 300): "
        f"{parts.page_wall:.2f} ms wall of which {parts.page_cpu:.2f} ms CPU, against {parts.trivial_wall:.2f} ms "
        f"for the trivial view; {parts.queries} SQL statement(s) on a repeat scan; the one Redis pipeline of the "
        f"hot path (rate limit, cache generation, shared rendering, scan count) takes {parts.pipeline:.2f} ms; "
        "the rest is the same middleware as the trivial view plus the larger page. "
        f"Under load each request also queues behind the others "
        f"(Little's law: {CONNECTIONS} / {verify.rps:,.0f} req/s ≈ {CONNECTIONS / verify.rps * 1000:.0f} ms mean).",
    ]
    write_section("verify-http", lines)


def _gunicorn_version() -> str:
    import gunicorn

    return str(gunicorn.__version__)


def _wrk_version() -> str:
    binary = shutil.which("wrk") or "wrk"
    output = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
    match = re.search(r"wrk ([\d.]+)", output)
    return f"wrk {match.group(1)}" if match else "wrk"


if __name__ == "__main__":
    main()
