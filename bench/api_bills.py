"""HTTP benchmark of the bills API: 10,000 bills posted by 16 concurrent API clients, with retries, against
the trivial view of the same server in the same run.

Production mode (DJANGO_DEBUG=0) on a throw-away PostgreSQL database (bench/prodenv.py), gunicorn with
its sync workers as in the Dockerfile, bench/settings.py (the portal + ``/bench/trivial``). Each of the
16 clients is its own API client of one electricity directorate, with its own OAuth2 token (taken over
HTTP from the token endpoint) and its own connection, posting its share of the bills one after another
(closed loop), each with a new ``Idempotency-Key``. Some requests are retried with the same key:

- every tenth, the answer is lost: the client sends the request, hangs up without reading, and sends it
  again at once (the two may run at the same time on two workers);
- every tenth (another one), the client sends the request again after its answer arrived.

Every retry must answer 201 with the same bill, and at the end the database must hold exactly one bill
per reference sent (0 duplicates, none missing). The trivial view is measured before and after, with
the same client and with wrk (Debian's ``wrk`` package) when installed. The server and wrk: bench/httpbench.py.

Run: ``.venv/bin/python bench/api_bills.py``. Tunables: BENCH_BILLS (10000), BENCH_BILLS_CLIENTS (16),
BENCH_HTTP_WORKERS (2), BENCH_WRK_SECONDS (10, 0 skips wrk).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import os
import sys
import time
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.httpbench import (  # noqa: E402
    CONNECTIONS,
    HOST,
    TRIVIAL_PATH,
    WORKERS,
    WRK_SECONDS,
    Phase,
    WrkResult,
    free_port,
    gunicorn_start,
    gunicorn_stop,
    measure,
    wrk,
)
from bench.prodenv import bench_env  # noqa: E402
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

BILLS = int(os.environ.get("BENCH_BILLS", "10000"))
CLIENTS = int(os.environ.get("BENCH_BILLS_CLIENTS", "16"))
LOST_EVERY, REPLAY_EVERY = 10, 10  # one request in ten loses its answer; another in ten is sent again
ENTITY = "MOE-DIST-KARKH"


# --- the clients -------------------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # each bill's answered POST (not the replays)
    statuses: Counter[int] = field(default_factory=Counter)
    bills: dict[str, str] = field(default_factory=dict)  # reference → bill id, from the first answer
    lost: int = 0  # requests sent whose answer the client never read
    retries: int = 0
    same_bill: int = 0  # retries answered 201 with the bill of the first request
    replayed_header: int = 0
    wrong: list[str] = field(default_factory=list)  # anything else a retry got
    failures: int = 0  # connection errors


async def _exchange(port: int, request: bytes, *, read: bool = True) -> tuple[int, dict[str, str], bytes]:
    """One request on a new connection (the sync workers close it after every answer)."""
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(request)
        await writer.drain()
        if not read:
            return 0, {}, b""
        raw = await reader.read()
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    if headers.get("transfer-encoding") == "chunked":
        body = _unchunk(body)
    return int(lines[0].split()[1]), headers, body


def _unchunk(body: bytes) -> bytes:
    out, rest = b"", body
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2 :]
    return out


def _post(token: str, key: str, payload: bytes) -> bytes:
    return (
        f"POST /api/v1/bills HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {token}\r\n"
        f"Idempotency-Key: {key}\r\nContent-Type: application/json\r\nAccept-Language: en\r\n"
        f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
    ).encode() + payload


async def _client(port: int, number: int, token: str, count: int, tally: Tally) -> None:
    due = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    for n in range(count):
        reference = f"KRK-BENCH-{number:02d}-{n:05d}"
        payload = json.dumps(
            {
                "national_id": f"19{number:02d}{n:08d}",
                "purpose": f"قائمة الكهرباء — المشترك {number:02d}{n:05d}",
                "amount": 10_000 + n,
                "due_date": due,
                "reference": reference,
                "category": "electricity",
            },
            ensure_ascii=False,
        ).encode()
        request = _post(token, str(uuid.uuid4()), payload)
        lost = n % LOST_EVERY == 3
        replay = n % REPLAY_EVERY == 7
        try:
            if lost:  # the answer never reaches the client: it sends the request again at once
                await _exchange(port, request, read=False)
                tally.lost += 1
            started = time.perf_counter()
            status, headers, body = await _exchange(port, request)
            tally.latencies.append(time.perf_counter() - started)
            tally.statuses[status] += 1
            bill = json.loads(body) if status == 201 else {}
            if status != 201:
                tally.wrong.append(f"{reference}: {status} {body[:200]!r}")
                continue
            if reference in tally.bills:
                tally.wrong.append(f"{reference}: posted twice by the benchmark")
            tally.bills[reference] = bill["id"]
            if lost:
                tally.retries += 1
                tally.same_bill += 1  # the retry's answer is the one kept: checked against the database
            if replay:
                tally.retries += 1
                again_status, again_headers, again_body = await _exchange(port, request)
                again = json.loads(again_body) if again_status == 201 else {}
                if again_status == 201 and again == bill:
                    tally.same_bill += 1
                    tally.replayed_header += again_headers.get("idempotent-replayed") == "true"
                else:
                    tally.wrong.append(f"{reference}: retry got {again_status} {again_body[:200]!r}")
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError) as error:
            tally.failures += 1
            tally.wrong.append(f"{reference}: {error!r}")


def post_bills(port: int, tokens: list[str], tally: Tally) -> tuple[float, float, float]:
    """Run the clients; returns (elapsed seconds, cores busy on the machine, load average after)."""
    shares = [BILLS // len(tokens) + (1 if i < BILLS % len(tokens) else 0) for i in range(len(tokens))]

    async def run() -> None:
        await asyncio.gather(*(_client(port, i, token, shares[i], tally) for i, token in enumerate(tokens)))

    ticks, started = cpu_ticks(), time.perf_counter()
    asyncio.run(run())
    elapsed = time.perf_counter() - started
    return elapsed, cores_busy(ticks, cpu_ticks()), os.getloadavg()[0]


# --- data ----------------------------------------------------------------------------------------------


def prepare() -> list[tuple[str, str]]:
    """Migrate, collect static files, load the entity tree; the directorate's API clients (id, secret)."""
    from django.core.management import call_command

    from govportal.api.services import api_client_create
    from govportal.entities.hierarchy import HIERARCHY
    from govportal.entities.models import Entity
    from govportal.entities.services import hierarchy_load

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    hierarchy_load(HIERARCHY)
    entity = Entity.objects.get(code=ENTITY)
    made = []
    for number in range(CLIENTS):
        client, secret = api_client_create(
            entity=entity, name=f"Billing system {number + 1}", scopes=["bills:write", "bills:read"], actor=None
        )
        made.append((client.client_id, secret))
    return made


def token(port: int, client_id: str, secret: str) -> str:
    """An access token from the token endpoint, over HTTP as an agency's system gets it."""
    data = urllib.parse.urlencode(
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    ).encode()
    with urllib.request.urlopen(f"http://{HOST}:{port}/api/v1/oauth/token", data, timeout=30) as answer:  # noqa: S310
        return str(json.loads(answer.read())["access_token"])


def counted() -> tuple[int, int]:
    """(bills in the database, distinct references among them) for the directorate."""
    from django.db.models import Count

    from collection.models import Obligation

    bills = Obligation.objects.filter(collecting_entity__code=ENTITY)
    totals = bills.aggregate(bills=Count("id"), references=Count("reference", distinct=True))
    return int(totals["bills"]), int(totals["references"])


# --- main ------------------------------------------------------------------------------------------------


def main() -> None:
    with bench_env("api_bills", settings_module="bench.settings") as bench:
        bench.env["API_RATE_LIMIT"] = "1000000000"  # the benchmark measures the work, not the limiter
        bench.apply()
        import django

        django.setup()
        from django.db import connections

        print(f"bills API over HTTP: preparing {CLIENTS} clients", flush=True)
        credentials = prepare()
        connections.close_all()
        port = free_port()
        quiet = wait_for_quiet()
        server = gunicorn_start(bench, port)
        try:
            print(f"gunicorn, {WORKERS} workers:", flush=True)
            trivial = measure("trivial view", port, lambda: itertools.repeat(TRIVIAL_PATH), server)
            wrk_before = wrk(f"http://{HOST}:{port}{TRIVIAL_PATH}")
            tokens = [token(port, client_id, secret) for client_id, secret in credentials]
            tally = Tally()
            print(f"  posting {BILLS:,} bills from {len(tokens)} clients…", flush=True)
            elapsed, busy, load = post_bills(port, tokens, tally)
            wrk_after = wrk(f"http://{HOST}:{port}{TRIVIAL_PATH}")
            trivial_after = measure("trivial view, after", port, lambda: itertools.repeat(TRIVIAL_PATH), server)
        finally:
            gunicorn_stop(server)
        bills, references = counted()
        database = postgres_version(bench.database_url)
    report(trivial, trivial_after, wrk_before, wrk_after, tally, elapsed, busy, load, bills, references, quiet)
    print(f"database: {database}")


def report(
    trivial: Phase,
    trivial_after: Phase,
    wrk_before: WrkResult | None,
    wrk_after: WrkResult | None,
    tally: Tally,
    elapsed: float,
    busy: float,
    load: float,
    bills: int,
    references: int,
    quiet: float,
) -> None:
    duplicates = bills - references
    missing = BILLS - references
    rate = references / elapsed if elapsed else 0.0
    # Every POST sent: the first of each bill, the retry after a lost answer, the replay after an answer.
    posts = BILLS + tally.retries
    met = duplicates == 0 and missing == 0 and not tally.wrong and tally.same_bill == tally.retries
    ms = [value * 1000 for value in tally.latencies]
    lines = [
        "## API: bills",
        "",
        machine(),
        f"Production mode (`DJANGO_DEBUG=0`, bench/settings.py), gunicorn with {WORKERS} sync workers (a new "
        f"connection per request), PostgreSQL and Redis on the same machine, the load generator too. "
        f"{CLIENTS} API clients of one directorate, each with its own OAuth2 token from the token endpoint and "
        f"one connection, post {BILLS:,} bills between them (closed loop), each with a new `Idempotency-Key`; one "
        f"request in {LOST_EVERY} loses its answer (sent, the connection dropped unread, sent again at once), "
        f"another one in {REPLAY_EVERY} is sent again after its answer. Every bill is audited (`obligation_create`) "
        f"and so is every call (`api_call`), both on the one hash chain. Reproduce with "
        f"`.venv/bin/python bench/api_bills.py`. " + background(quiet),
        "",
        f"**Goal:** {BILLS:,} bills by {CLIENTS} concurrent clients with retries, 0 duplicates — {verdict(met)}: "
        f"{bills:,} bills in the database for {references:,} references ({duplicates} duplicates, {missing} "
        f"missing); {tally.retries:,} retries ({tally.lost:,} after a lost answer, "
        f"{tally.retries - tally.lost:,} after an answer), every one answered 201 with the same bill "
        f"({tally.same_bill:,}; {tally.replayed_header:,} marked `Idempotent-Replayed`); "
        f"{len(tally.wrong)} other answers.",
        "",
        "| what | per second | p50 ms | p99 ms | requests | failures |",
        "|---|---|---|---|---|---|",
        f"| bills created (`POST /api/v1/bills`, {CLIENTS} clients) | {rate:,.0f} bills/s "
        f"({posts / elapsed:,.0f} POSTs/s) | {percentile(ms, 0.5):.1f} | "
        f"{percentile(ms, 0.99):.1f} | {posts:,} | {tally.failures} |",
        f"| trivial view (`/bench/trivial`), before | {trivial.rps:,.0f} req/s | {trivial.ms(0.5):.1f} | "
        f"{trivial.ms(0.99):.1f} | {len(trivial.latencies):,} | {trivial.failures} |",
        f"| trivial view, after | {trivial_after.rps:,.0f} req/s | {trivial_after.ms(0.5):.1f} | "
        f"{trivial_after.ms(0.99):.1f} | {len(trivial_after.latencies):,} | {trivial_after.failures} |",
        "",
        f"Bills took {elapsed:.1f} s: {rate / trivial.rps if trivial.rps else 0:.2f}× the trivial view's "
        f"requests/s. The machine kept {busy:.2f} cores busy on average while they were posted (gunicorn, "
        f"PostgreSQL, Redis and the load generator together); load average {load:.2f} at the end.",
    ]
    if wrk_before is not None and wrk_after is not None:
        lines += [
            "",
            f"wrk on the trivial view in the same run ({CONNECTIONS} connections, {WRK_SECONDS} s after a 2 s "
            f"warm-up): {wrk_before.rps:,.0f} req/s before the bills (p99 {wrk_before.p99_ms:.1f} ms), "
            f"{wrk_after.rps:,.0f} req/s after (p99 {wrk_after.p99_ms:.1f} ms).",
        ]
    else:
        lines += ["", "wrk is not installed (`apt-get install wrk`): no cross-check."]
    if tally.wrong:
        lines += ["", "First unexpected answers: " + "; ".join(tally.wrong[:5])]
    write_section("api-bills", lines)


if __name__ == "__main__":
    main()
