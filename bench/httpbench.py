"""What the HTTP benchmarks share: gunicorn with the bench settings, wrk, and a closed-loop client.

- **gunicorn** (``gunicorn_start``/``gunicorn_stop``): production mode, bench/settings.py (the portal's
  settings and the trivial view ``/bench/trivial``), its sync workers as in the Dockerfile, on a free port,
  answering before the benchmark begins.
- **wrk** (Debian's ``wrk`` package, ``wrk_run``): the load generator that measures; a Lua script
  (``wrk_script``) counts every answer that is not 2xx and, when given files of paths, hands each request
  the next path, each path once.
- **a closed-loop asyncio client** (``measure``): for the requests wrk cannot check (bench/api_bills.py's
  trivial rows beside its own POSTs, bench/webhooks.py's ledger). It runs in Python on the same cores
  as the server, so it takes CPU from it: figures that compare pages come from wrk.

Named ``httpbench`` and not ``http``: the benchmarks run as scripts (``python bench/x.py``), which puts
bench/ first on ``sys.path``, where a ``http.py`` would hide the standard library's ``http``.

Tunables: BENCH_HTTP_SECONDS (15), BENCH_HTTP_WARMUP (3), BENCH_HTTP_CONNECTIONS (16),
BENCH_HTTP_WORKERS (2), BENCH_WRK_SECONDS (10, 0 skips ``wrk``'s cross-check).
"""

from __future__ import annotations

import asyncio
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.prodenv import BenchEnv
from bench.report import cores_busy, cpu_ticks, percentile

ROOT = Path(__file__).resolve().parent.parent
SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "15"))
WARMUP = float(os.environ.get("BENCH_HTTP_WARMUP", "3"))
CONNECTIONS = int(os.environ.get("BENCH_HTTP_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_HTTP_WORKERS", "2"))
WRK_SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "10"))
WRK_THREADS = max(1, min(2, os.cpu_count() or 1))
HOST = "127.0.0.1"
TRIVIAL_PATH = "/bench/trivial"
WRK_MISSING = "wrk is not installed: `sudo apt-get install -y wrk` (Debian's package), or `make bench`, which does it."


# --- the server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def gunicorn_start(bench: BenchEnv, port: int, workers: int = WORKERS) -> subprocess.Popen[bytes]:
    """gunicorn on ``port`` in the bench environment; returns once the trivial view answers 200."""
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


def gunicorn_version() -> str:
    import gunicorn

    return str(gunicorn.__version__)


def tree_cpu(pid: int) -> float:
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


def load_average() -> float:
    """The machine's load average over the last minute (/proc/loadavg)."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0


# --- wrk -------------------------------------------------------------------------------------------


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int  # answers ≥ 400 as wrk counts them, or every answer outside 2xx with ``wrk_script``
    socket_errors: str  # "none", or wrk's "connect 0, read 3, write 0, timeout 0"
    requests: int = 0
    seconds: float = 0.0
    handed_out: list[int] = field(default_factory=list)  # paths taken from each thread's file (``PathFiles``)
    past_the_end: int = 0  # requests that found their file used up and started it again
    server_cores: float = 0.0  # cores the gunicorn processes kept busy on average
    wrk_cores: float = 0.0  # cores wrk itself kept busy
    machine_cores: float = 0.0  # cores busy on the whole machine (PostgreSQL, Redis, kernel, others too)
    load: float = 0.0  # 1-minute load average at the end

    @property
    def busy(self) -> str:
        return f"{self.server_cores:.2f} / {self.wrk_cores:.2f} / {self.machine_cores:.2f}"


def wrk_binary() -> str | None:
    return shutil.which("wrk")


def wrk_version() -> str:
    """``wrk 4.1.0`` (Debian's binary says ``wrk debian/4.1.0-3+b2``)."""
    output = subprocess.run([wrk_binary() or "wrk", "--version"], capture_output=True, text=True).stdout
    match = re.search(r"wrk (?:\S*/)?(\d[\w.]*)", output)
    return f"wrk {match.group(1)}" if match else "wrk"


def _wrk_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk_parse(output: str) -> WrkResult:
    """wrk's report (run with ``--latency``), and the lines ``wrk_script`` adds at its end."""

    def found(pattern: str) -> str:
        match = re.search(pattern, output)
        if match is None:
            raise RuntimeError(f"wrk's output has no {pattern!r}:\n{output}")
        return match.group(1)

    result = WrkResult(
        rps=float(found(r"Requests/sec:\s+([\d.]+)")),
        p50_ms=_wrk_ms(found(r"\n\s+50%\s+(\S+)")),
        p99_ms=_wrk_ms(found(r"\n\s+99%\s+(\S+)")),
        non_2xx=int(found(r"Non-2xx or 3xx responses:\s+(\d+)")) if "Non-2xx or 3xx" in output else 0,
        socket_errors=found(r"Socket errors: (.*)") if "Socket errors:" in output else "none",
        requests=int(found(r"(\d+) requests in")),
        seconds=_wrk_ms(found(r"\d+ requests in ([\d.]+\w+),")) / 1000,
    )
    threads = re.findall(r"bench thread \d+: handed out (\d+), past the end (\d+), non-2xx (\d+)", output)
    if threads:
        result.handed_out = [int(handed) for handed, _, _ in threads]
        result.past_the_end = sum(int(past) for _, past, _ in threads)
        result.non_2xx = max(result.non_2xx, sum(int(bad) for _, _, bad in threads))  # the script's count is wider
    return result


@dataclass
class PathFiles:
    """Paths for wrk to request once each: one file per wrk thread, each read on from where the last run
    left it, so that no path is requested twice over all the runs (the warm-ups included)."""

    files: list[Path]
    starts: list[list[int]]  # per file, the byte offset of each line, and the file's size last
    used: list[int]  # per file, the lines handed out so far

    @classmethod
    def write(cls, directory: Path, paths: Sequence[str], threads: int = WRK_THREADS) -> PathFiles:
        files, starts = [], []
        for number in range(threads):
            lines = [f"{path}\n".encode() for path in paths[number::threads]]
            offsets = [0]
            for line in lines:
                offsets.append(offsets[-1] + len(line))
            file = directory / f"wrk-paths-{number}.txt"
            file.write_bytes(b"".join(lines))
            files.append(file)
            starts.append(offsets)
        return cls(files, starts, [0] * threads)

    @property
    def total(self) -> int:
        return sum(len(offsets) - 1 for offsets in self.starts)

    def offsets(self) -> list[int]:
        return [offsets[min(used, len(offsets) - 1)] for offsets, used in zip(self.starts, self.used, strict=True)]

    def advance(self, handed_out: Sequence[int]) -> None:
        self.used = [used + handed for used, handed in zip(self.used, handed_out, strict=True)]


_LUA = """\
-- Written by bench/httpbench.py for one wrk run (wrk_script).
-- Counts every answer outside 2xx (wrk itself counts only those >= 400) and, when FILES is set, gives
-- each request the next line of its thread's file, from OFFSETS on: each path once.
local FILES = {files}
local OFFSETS = {offsets}
local counter = 0
local threads = {{}}

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
   table.insert(threads, thread)
end

function init(args)
   handed, past, bad = 0, 0, 0
   if FILES then
      source = assert(io.open(FILES[id], "rb"))
      source:seek("set", OFFSETS[id])
   end
end

if FILES then
   function request()
      local path = source:read("*l")
      if path == nil then  -- used up: start again; the benchmark reports it
         past = past + 1
         source:seek("set", 0)
         path = assert(source:read("*l"), "no paths")
      end
      handed = handed + 1
      return wrk.format(nil, path)
   end
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      bad = bad + 1
   end
end

function done(summary, latency, requests)
   for _, thread in ipairs(threads) do
      io.write(string.format("bench thread %d: handed out %d, past the end %d, non-2xx %d\\n",
         thread:get("id"), thread:get("handed"), thread:get("past"), thread:get("bad")))
   end
end
"""


def wrk_script(directory: Path, paths: PathFiles | None = None) -> Path:
    """The Lua script of one run, written into ``directory`` (the bench's temporary directory)."""

    def lua_list(values: Sequence[object]) -> str:
        return "{" + ", ".join(f'"{value}"' if isinstance(value, Path) else str(value) for value in values) + "}"

    script = directory / "wrk-bench.lua"
    script.write_text(
        _LUA.format(
            files=lua_list(paths.files) if paths else "nil",
            offsets=lua_list(paths.offsets()) if paths else "nil",
        )
    )
    return script


def wrk_run(
    url: str,
    *,
    seconds: float,
    connections: int = CONNECTIONS,
    threads: int = WRK_THREADS,
    script: Path | None = None,
    server: subprocess.Popen[bytes] | None = None,
) -> WrkResult:
    """One wrk run (closed loop, ``--latency``), with the CPU the server, wrk and the machine used meanwhile."""
    binary = wrk_binary()
    if binary is None:
        raise RuntimeError(WRK_MISSING)
    threads = max(1, min(threads, connections))
    args = [binary, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    if script is not None:
        args += ["-s", str(script)]
    server_cpu = tree_cpu(server.pid) if server else 0.0
    children, ticks, started = resource.getrusage(resource.RUSAGE_CHILDREN), cpu_ticks(), time.perf_counter()
    answer = subprocess.run([*args, url], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if answer.returncode != 0 or answer.stderr.strip():
        raise RuntimeError(f"wrk failed ({answer.returncode}): {answer.stderr.strip()}\n{answer.stdout}")
    result = wrk_parse(answer.stdout)
    result.machine_cores = cores_busy(ticks, cpu_ticks())
    result.wrk_cores = (after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime) / elapsed
    result.server_cores = (tree_cpu(server.pid) - server_cpu) / elapsed if server else 0.0
    result.load = load_average()
    return result


def wrk(url: str) -> WrkResult | None:
    """wrk's figures for ``url`` after a 2 s warm-up (``BENCH_WRK_SECONDS``), or None without wrk."""
    if wrk_binary() is None or WRK_SECONDS <= 0:
        return None
    wrk_run(url, seconds=2)
    return wrk_run(url, seconds=WRK_SECONDS)


# --- the closed-loop asyncio client -------------------------------------------------------------------


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


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
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
            status, close = await read_response(reader)
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


def load(
    label: str, port: int, paths: Iterator[str], seconds: float, server: subprocess.Popen[bytes], connections: int
) -> Phase:
    """``connections`` connections sending GETs of ``paths`` for ``seconds``, each as soon as the last answered."""
    phase = Phase(label)

    async def run() -> None:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(_connection(port, paths, deadline, phase) for _ in range(connections)))

    cpu, server_cpu, ticks, started = time.process_time(), tree_cpu(server.pid), cpu_ticks(), time.perf_counter()
    asyncio.run(run())
    phase.elapsed = time.perf_counter() - started
    phase.machine_busy = cores_busy(ticks, cpu_ticks())
    phase.client_cpu = time.process_time() - cpu
    phase.server_cpu = tree_cpu(server.pid) - server_cpu
    return phase


def measure(
    label: str,
    port: int,
    paths: Callable[[], Iterator[str]],
    server: subprocess.Popen[bytes],
    connections: int = CONNECTIONS,
) -> Phase:
    """A warm-up of ``BENCH_HTTP_WARMUP`` s (discarded), then ``BENCH_HTTP_SECONDS`` s measured."""
    load(f"{label} (warm-up)", port, paths(), WARMUP, server, connections)
    phase = load(label, port, paths(), SECONDS, server, connections)
    print(
        f"  {label}: {phase.rps:,.0f} req/s, p50 {phase.ms(0.5):.1f} ms, p99 {phase.ms(0.99):.1f} ms, "
        f"{phase.failures} failures, statuses {dict(phase.statuses)}",
        flush=True,
    )
    return phase
