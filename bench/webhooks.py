"""HTTP benchmark of webhook intake: signed provider notifications POSTed to /collection/webhooks/sandbox/.

The same set-up as bench/verify_http.py, with the server and measuring helpers of bench/httpbench.py:
production mode (DJANGO_DEBUG=0) with the sandbox gateway on (PAYMENT_SANDBOX=1 and a fresh secret) on a
throw-away PostgreSQL database, Redis as cache, RabbitMQ as Celery broker, gunicorn sync workers as in the
Dockerfile, and an asyncio closed-loop HTTP/1.1 client (here sending POSTs).

Intake only: each accepted event is checked (HMAC over the raw body), stored once per event id and
its ``payment_event_process`` task enqueued on commit; no Celery worker runs, so nothing processes
the events. The queue is counted afterwards (one message per stored event) and emptied.

Three phases, after a warm-up each: (a) every request a new event id, for one of the seeded pending
payments (cycled); (b) the same, already stored, event again and again (the dedupe path); (c) a
signature made with a wrong secret (the rejection path). Afterwards the stored events are checked
against the ids the server accepted: none lost, none stored twice, none rejected yet stored.

Run: ``.venv/bin/python bench/webhooks.py`` (or ``bench/run.py webhooks``). Stops by itself and cleans up.
Tunables: BENCH_WEBHOOK_SECONDS (10), BENCH_WEBHOOK_WARMUP (2), BENCH_WEBHOOK_PAYMENTS (2000),
BENCH_HTTP_CONNECTIONS (16), BENCH_HTTP_WORKERS (2).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import itertools
import json
import logging
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.httpbench import (  # noqa: E402
    CONNECTIONS,
    HOST,
    TRIVIAL_PATH,
    WORKERS,
    Phase,
    free_port,
    gunicorn_start,
    gunicorn_stop,
    gunicorn_version,
    load,
    read_response,
    tree_cpu,
)
from bench.prodenv import bench_env  # noqa: E402
from bench.report import (  # noqa: E402
    background,
    cores_busy,
    cpu_ticks,
    machine,
    percentile,
    postgres_version,
    wait_for_quiet,
    write_section,
)

if TYPE_CHECKING:
    from collection.models import SandboxCharge

SECONDS = float(os.environ.get("BENCH_WEBHOOK_SECONDS", "10"))
WARMUP = float(os.environ.get("BENCH_WEBHOOK_WARMUP", "2"))
PAYMENTS = int(os.environ.get("BENCH_WEBHOOK_PAYMENTS", "2000"))
WEBHOOK_PATH = "/collection/webhooks/sandbox/"
# Queues of its own on the broker (their names begin with this), deleted afterwards.
QUEUE_PREFIX = f"bench-webhooks-{secrets.token_hex(4)}-"
SECRET = secrets.token_urlsafe(32)
WRONG_SECRET = secrets.token_urlsafe(32)

# One request to send: the event id it carries and the bytes of the whole HTTP request.
Request = tuple[str, bytes]


@dataclass
class Ledger:
    """What the server answered, over every phase and warm-up: checked against the database."""

    accepted: set[str] = field(default_factory=set)  # ids of events answered 200
    unknown: set[str] = field(default_factory=set)  # sent, but the connection failed before the answer


@dataclass
class Intake(Phase):
    expected: int = 200  # the status every answer of the phase should have
    errors: int = 0  # connection errors


def _request(body: bytes, signature: str) -> bytes:
    head = (
        f"POST {WEBHOOK_PATH} HTTP/1.1\r\nHost: {HOST}\r\nUser-Agent: govportal-bench\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nX-Signature: {signature}\r\n\r\n"
    )
    return head.encode() + body


def _signed(charge: SandboxCharge, secret: str) -> tuple[str, bytes, str]:
    """A new sandbox event for ``charge`` (its id, raw body, X-Signature), as the gateway makes them."""
    from collection.providers.sandbox import signature_header, webhook_body

    payload = webhook_body(charge, "payment.succeeded", amount=charge.amount)
    body = json.dumps(payload).encode()
    return payload["id"], body, signature_header(body, secret=secret)


def new_events(charges: list[SandboxCharge]) -> Iterator[Request]:
    """A new event id each request, a succeeded payment of the next seeded charge (cycling)."""
    for charge in itertools.cycle(charges):
        event_id, body, signature = _signed(charge, SECRET)
        yield event_id, _request(body, signature)


def replays(event_id: str, body: bytes) -> Iterator[Request]:
    """The same event again and again, freshly signed each time, as a provider retrying would."""
    from collection.providers.sandbox import signature_header

    while True:
        yield event_id, _request(body, signature_header(body, secret=SECRET))


def forgeries(charges: list[SandboxCharge], sent: set[str]) -> Iterator[Request]:
    """Well-formed events with new ids (noted in ``sent``), signed with a secret that is not ours."""
    for charge in itertools.cycle(charges):
        event_id, body, signature = _signed(charge, WRONG_SECRET)
        sent.add(event_id)
        yield event_id, _request(body, signature)


# --- the load generator (httpbench's closed loop, with POSTs and a ledger) -------------------------


async def _connection(port: int, requests: Iterator[Request], deadline: float, phase: Intake, ledger: Ledger) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    while time.perf_counter() < deadline:
        event_id, request = next(requests)
        started = time.perf_counter()
        sent = False
        try:
            if writer is None or reader is None:
                reader, writer = await asyncio.open_connection(HOST, port)
                phase.connects += 1
            writer.write(request)
            sent = True
            status, close = await read_response(reader)
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            phase.errors += 1
            phase.failures += 1
            if sent:
                ledger.unknown.add(event_id)
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.01)
            continue
        phase.latencies.append(time.perf_counter() - started)
        phase.statuses[status] += 1
        if status == 200:
            ledger.accepted.add(event_id)
        if status != phase.expected:
            phase.failures += 1
        if close:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


def _run(
    label: str,
    port: int,
    requests: Iterator[Request],
    seconds: float,
    server: subprocess.Popen[bytes],
    ledger: Ledger,
    expected: int,
) -> Intake:
    phase = Intake(label, expected=expected)

    async def run() -> None:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(_connection(port, requests, deadline, phase, ledger) for _ in range(CONNECTIONS)))

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
    requests: Callable[[], Iterator[Request]],
    server: subprocess.Popen[bytes],
    ledger: Ledger,
    expected: int = 200,
) -> Intake:
    _run(f"{label} (warm-up)", port, requests(), WARMUP, server, ledger, expected)
    phase = _run(label, port, requests(), SECONDS, server, ledger, expected)
    print(
        f"  {label}: {phase.rps:,.0f} req/s, p50 {phase.ms(0.5):.1f} ms, p95 {phase.ms(0.95):.1f} ms, "
        f"p99 {phase.ms(0.99):.1f} ms, statuses {dict(phase.statuses)}, {phase.errors} connection errors",
        flush=True,
    )
    return phase


# --- data ------------------------------------------------------------------------------------------

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # that of payment references


def prepare(count: int) -> list[SandboxCharge]:
    """Migrate; one citizen with ``count`` bills, each with a pending online payment and its sandbox charge.

    Bulk-inserted rows shaped as ``payment_start`` leaves them once the payer is at the card page
    (without its audit events, which intake never reads).
    """
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from collection.constants import Method, PaymentStatus, Provider, Purpose
    from collection.models import Allocation, Obligation, Payment, SandboxCharge
    from collection.providers.sandbox import FEE_PER_MILLE
    from govportal.accounts.models import User
    from govportal.entities.hierarchy import HIERARCHY
    from govportal.entities.models import Entity
    from govportal.entities.services import hierarchy_load

    call_command("migrate", interactive=False, verbosity=0)
    hierarchy_load(HIERARCHY)
    entity = Entity.objects.get(code="IHF")
    citizen = User.objects.create_user("bench.citizen@example.iq")
    day = timezone.localdate()
    with transaction.atomic():
        bills = Obligation.objects.bulk_create(
            [
                Obligation(
                    payer=citizen,
                    collecting_entity=entity,
                    purpose=Purpose.HOUSING_INSTALLMENT,
                    reference=f"BENCH-{number:06d}",
                    amount=250_000 + number,
                    due_date=day + dt.timedelta(days=30),
                )
                for number in range(count)
            ],
            batch_size=1000,
        )
        payments = Payment.objects.bulk_create(
            [
                Payment(
                    payment_ref="P"
                    + day.strftime("%y%m%d")
                    + "".join(_ALPHABET[(number >> (5 * digit)) & 31] for digit in range(8)),
                    payer=citizen,
                    collecting_entity=entity,
                    amount=bill.amount,
                    method=Method.ONLINE_CARD,
                    provider=Provider.SANDBOX,
                    provider_ref=f"txn_bench{number:011d}",
                    status=PaymentStatus.PENDING,
                    basket_key=hashlib.sha256(f"{citizen.pk}|{bill.pk}:{bill.amount}".encode()).hexdigest(),
                )
                for number, bill in enumerate(bills)
            ],
            batch_size=1000,
        )
        Allocation.objects.bulk_create(
            [Allocation(payment=p, obligation=b, amount=b.amount) for p, b in zip(payments, bills, strict=True)],
            batch_size=1000,
        )
        charges = SandboxCharge.objects.bulk_create(
            [
                SandboxCharge(
                    id=payment.provider_ref,
                    payment_ref=payment.payment_ref,
                    amount=payment.amount,
                    merchant=entity.name_ar,
                    return_url=f"https://portal.example.iq/collection/payments/{payment.pk}/return/",
                    fee=payment.amount * FEE_PER_MILLE // 1000,
                )
                for payment in payments
            ],
            batch_size=1000,
        )
    return charges


@dataclass
class Check:
    rows: int  # PaymentEvent rows
    distinct_stored: int
    accepted: int
    lost: int  # accepted (200) yet not stored
    unexplained: int  # stored, yet never answered 200 (nor lost in transit)
    forged_stored: int  # stored although its signature was wrong
    replayed_rows: int  # rows holding the replayed event id
    queued: int | None  # task messages waiting in the payments queue; None: it could not be counted

    @property
    def ok(self) -> bool:
        return (
            self.lost == 0
            and self.unexplained == 0
            and self.forged_stored == 0
            and self.rows == self.distinct_stored
            and self.replayed_rows == 1
        )


def _payments_queued() -> int | None:
    """Messages waiting in the bench's payments queue (a worker never runs: they stay there)."""
    from govportal.celery import app
    from govportal.queues import PAYMENTS, queue_name

    try:
        with app.connection_for_write() as connection:
            channel: Any = connection.default_channel  # an AMQP channel: queue_declare answers the count
            return int(channel.queue_declare(queue=queue_name(PAYMENTS), passive=True).message_count)
    except Exception:  # noqa: BLE001 — nothing queued at all (no queue) or no broker: not countable
        return None


def _queues_delete() -> None:
    from govportal.celery import app
    from govportal.queues import declared_queues

    with app.connection_for_write() as connection:
        for queue in declared_queues(QUEUE_PREFIX):
            queue(connection.default_channel).delete()
            queue.exchange(connection.default_channel).delete()


def check(ledger: Ledger, forged: set[str], replayed: str) -> Check:
    from collection.models import PaymentEvent

    stored = list(PaymentEvent.objects.values_list("event_id", flat=True))
    distinct = set(stored)
    queued = _payments_queued()
    return Check(
        rows=len(stored),
        distinct_stored=len(distinct),
        accepted=len(ledger.accepted),
        lost=len(ledger.accepted - distinct),
        unexplained=len(distinct - ledger.accepted - ledger.unknown),
        forged_stored=len(distinct & forged),
        replayed_rows=stored.count(replayed),
        queued=queued,
    )


@dataclass
class Breakdown:
    """One intake inside the process (no HTTP, no queueing, one at a time): where its time goes (ms)."""

    request_new: float  # the whole POST through Django's test client: a new event
    request_replay: float  # the same, an event already stored
    request_forged: float  # the same, a bad signature
    trivial: float  # the trivial view through the same client
    parse: float  # signature check and JSON parsing (the provider adapter)
    insert: float  # INSERT of the event in its own transaction (COMMIT included)
    enqueue: float  # one payment_event_process.delay() to the broker (RabbitMQ, publisher confirms)


def breakdown(charges: list[SandboxCharge], replay_body: bytes, runs: int = 200) -> Breakdown:
    """Medians of ``runs``; every new event is a new row and a new queue message (counted after ``check``)."""
    from django.db import transaction
    from django.test import Client

    from collection.models import PaymentEvent
    from collection.providers.sandbox import SandboxProvider, signature_header
    from collection.tasks import payment_event_process

    client = Client(HTTP_HOST=HOST)
    pool = itertools.cycle(charges)

    def median_ms(prepare: Callable[[], tuple[object, ...]], fn: Callable[..., object]) -> float:
        samples = []
        for _ in range(runs):
            args = prepare()
            started = time.perf_counter()
            fn(*args)
            samples.append(time.perf_counter() - started)
        return percentile(samples, 0.5) * 1000

    def post(body: bytes, signature: str, expected: int) -> None:
        answer = client.post(WEBHOOK_PATH, body, content_type="application/json", headers={"X-Signature": signature})
        assert answer.status_code == expected, answer.status_code

    def insert(event_id: str, body: bytes) -> None:
        with transaction.atomic():
            PaymentEvent.objects.create(
                provider="sandbox", event_id=event_id, kind="payment.succeeded", payload=json.loads(body)
            )

    def parse_args() -> tuple[bytes, dict[str, str]]:
        _event_id, body, signature = _signed(next(pool), SECRET)
        return body, {"X-Signature": signature}

    provider = SandboxProvider()
    for _ in range(20):  # warm-up: connections, imports, the producer pool
        post(*_signed(next(pool), SECRET)[1:], 200)
        client.get(TRIVIAL_PATH)
    return Breakdown(
        request_new=median_ms(lambda: (*_signed(next(pool), SECRET)[1:], 200), post),
        request_replay=median_ms(lambda: (replay_body, signature_header(replay_body, secret=SECRET), 200), post),
        request_forged=median_ms(lambda: (*_signed(next(pool), WRONG_SECRET)[1:], 400), post),
        trivial=median_ms(lambda: (TRIVIAL_PATH,), client.get),
        parse=median_ms(parse_args, provider.parse_webhook),
        insert=median_ms(lambda: _signed(next(pool), SECRET)[:2], insert),
        enqueue=median_ms(lambda: (0,), payment_event_process.delay),
    )


# --- main ------------------------------------------------------------------------------------------


def _row(label: str, phase: Phase, base: Phase | None) -> str:
    ratio = f"{phase.rps / base.rps:.2f}×" if base and base.rps else "—"
    statuses = ", ".join(f"{status}: {count:,}" for status, count in sorted(phase.statuses.items()))
    non_2xx = sum(count for status, count in phase.statuses.items() if not 200 <= status < 300)
    errors = phase.errors if isinstance(phase, Intake) else phase.failures
    return (
        f"| {label} | {phase.rps:,.0f} | {ratio} | {phase.ms(0.5):.1f} | {phase.ms(0.95):.1f} | "
        f"{phase.ms(0.99):.1f} | {len(phase.latencies):,} | {statuses} | {non_2xx:,} | {errors} | "
        f"{phase.server_cpu / phase.elapsed:.2f} / {phase.client_cpu / phase.elapsed:.2f} / "
        f"{phase.machine_busy:.2f} |"
    )


def main() -> None:
    with bench_env("webhooks", settings_module="bench.settings") as bench:
        bench.env.update(
            {"PAYMENT_SANDBOX": "1", "PAYMENT_SANDBOX_SECRET": SECRET, "CELERY_QUEUE_PREFIX": QUEUE_PREFIX}
        )
        bench.apply()
        import django

        django.setup()
        from django.db import connections

        try:
            print(f"webhook intake over HTTP: seeding {PAYMENTS:,} pending payments", flush=True)
            charges = prepare(PAYMENTS)
            connections.close_all()
            port = free_port()
            ledger = Ledger()
            quiet = wait_for_quiet()
            server = gunicorn_start(bench, port)
            try:
                print(f"gunicorn, {WORKERS} workers, {CONNECTIONS} connections:", flush=True)
                load("trivial view (warm-up)", port, itertools.repeat(TRIVIAL_PATH), WARMUP, server, CONNECTIONS)
                trivial = load("trivial view", port, itertools.repeat(TRIVIAL_PATH), SECONDS, server, CONNECTIONS)
                print(f"  trivial view: {trivial.rps:,.0f} req/s, p99 {trivial.ms(0.99):.1f} ms", flush=True)
                events = new_events(charges)
                distinct = measure("new events", port, lambda: events, server, ledger)
                replayed, body = _first_accepted(ledger)
                duplicate = measure("replays of one event", port, lambda: replays(replayed, body), server, ledger)
                forged_ids: set[str] = set()
                forged_pool = forgeries(charges, forged_ids)
                forged = measure("bad signature", port, lambda: forged_pool, server, ledger, expected=400)
            finally:
                gunicorn_stop(server)
            result = check(ledger, forged_ids, replayed)
            print(f"  check: {result}", flush=True)
            print("in-process breakdown", flush=True)
            logging.disable(logging.WARNING)  # one "rejected" line per bad signature otherwise
            try:
                parts = breakdown(charges, body)
            finally:
                logging.disable(logging.NOTSET)
            print(f"  {parts}", flush=True)
            database = postgres_version(bench.database_url)
        finally:
            _queues_delete()  # no worker will ever run what the intake queued

    lines = [
        "## Collection: webhook intake",
        "",
        machine(),
        f"Database: {database}; Redis as cache, RabbitMQ as Celery broker (publisher confirms, durable "
        "queues) — all on the same machine, default configuration (`synchronous_commit=on`).",
        f"Settings: production mode (`DJANGO_DEBUG=0`, bench/settings.py) with the sandbox gateway on "
        f"(`PAYMENT_SANDBOX=1`, a fresh `PAYMENT_SANDBOX_SECRET`), gunicorn {gunicorn_version()}, {WORKERS} sync "
        f"workers (no keep-alive: one connection per request), no access log. Load: {CONNECTIONS} concurrent "
        f"connections, closed loop, {WARMUP:g} s warm-up then {SECONDS:g} s per row, POSTs of sandbox events "
        f"(`{WEBHOOK_PATH}`, body as `webhook_body` makes it, `X-Signature` as `signature_header` makes it, "
        "signed per request) from an asyncio HTTP/1.1 client on the same "
        f"{os.cpu_count()} cores as the server. Reproduce with `.venv/bin/python bench/webhooks.py`. "
        + background(quiet),
        "",
        "**Intake only.** An accepted event is checked (HMAC-SHA256 over the raw body, timestamp tolerance), "
        "inserted once per event id (unique constraint) and its `payment_event_process` task published to the "
        "broker's payments queue on commit; no Celery worker ran, so no payment was updated — processing is not "
        "measured here. No goal was set for this figure.",
        "",
        "| what | req/s | vs trivial | p50 ms | p95 ms | p99 ms | requests | answers | non-2xx | connection "
        "errors | cores busy: gunicorn / client / whole machine |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        _row("trivial view (`GET /bench/trivial`), baseline", trivial, None),
        _row(
            f"(a) a new event id each request (succeeded, for one of {PAYMENTS:,} pending payments, cycled)",
            distinct,
            trivial,
        ),
        _row("(b) the same event again and again (already stored: the dedupe path)", duplicate, trivial),
        _row("(c) a bad signature (new ids, signed with another secret: rejected)", forged, trivial),
        "",
        f"Check afterwards, over every phase and warm-up: {result.accepted:,} distinct event ids answered 200; "
        f"{result.rows:,} PaymentEvent rows holding {result.distinct_stored:,} distinct ids; lost (answered 200, not "
        f"stored) {result.lost}; stored without a 200 {result.unexplained}; the replayed id stored "
        f"{result.replayed_rows} time(s); forged events stored {result.forged_stored} of {len(forged_ids):,}; "
        + (
            f"{result.queued:,} task messages waiting in the queue (one per stored event expected; deleted after) — "
            if result.queued is not None
            else "task messages in the queue not counted (no queue on the broker) — "
        )
        + ("**all consistent**." if result.ok and result.queued in (None, result.rows) else "**inconsistent**.")
        + (f" {len(ledger.unknown)} request(s) lost their connection before the answer." if ledger.unknown else ""),
        "",
        "Where an intake's time goes (in-process through Django's test client, no HTTP, one at a time, medians "
        f"of 200): a new event {parts.request_new:.2f} ms, a replay {parts.request_replay:.2f} ms, a bad "
        f"signature {parts.request_forged:.2f} ms, against {parts.trivial:.2f} ms for the trivial view. Of a new "
        f"event: signature check + JSON {parts.parse:.3f} ms, the INSERT and its COMMIT {parts.insert:.2f} ms, "
        f"publishing the task to the broker {parts.enqueue:.2f} ms. A sync worker serves one request at a time, so "
        f"{WORKERS} workers top out near {WORKERS} / (time per request) whatever the CPU does "
        f"({WORKERS} / {parts.request_new:.2f} ms ≈ {WORKERS / parts.request_new * 1000:,.0f} new events/s "
        "before HTTP and queueing).",
    ]
    write_section("collection-webhooks", lines)
    if not result.ok:
        sys.exit("webhook intake check failed")


def _first_accepted(ledger: Ledger) -> tuple[str, bytes]:
    """An event the server already stored, for the replay phase (found again from its row)."""
    from collection.models import PaymentEvent

    event = PaymentEvent.objects.filter(event_id__in=list(itertools.islice(ledger.accepted, 100))).first()
    if event is None:
        sys.exit("no event was accepted: nothing to replay")
    return event.event_id, json.dumps(event.payload).encode()


if __name__ == "__main__":
    main()
