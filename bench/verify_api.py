"""Benchmark of ``POST /api/v1/verify``: one batch of 1,000 tokens of real artifacts.

Production mode (DJANGO_DEBUG=0) on a throw-away PostgreSQL database, Redis as the cache, gunicorn
with its default (sync) workers as in the Dockerfile (bench/settings.py: the portal's settings and
one trivial URL). The artifacts are certificates signed the way the importer signs them (one key,
bulk insert, bench/verify_http.py's ``issue_many``); the client is a real API client with the
scope ``verify`` whose access token comes from ``/api/v1/oauth/token``.

The batch is sent over HTTP ``BENCH_VERIFY_API_RUNS`` times (20) one after another after a few
warm-up requests, each answer checked (1,000 answers, all genuine, in order), then answered as
many times in-process (Django's test client: no HTTP, no gunicorn) with its parts timed: reading
and checking the signatures, the two queries, the answer written as JSON.

Goal (issue 17): a batch of 1,000 tokens answered in ≤ 250 ms.

Run: ``.venv/bin/python bench/verify_api.py`` (or ``bench/run.py verify_api``). Stops by itself and cleans up.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.httpbench import HOST, free_port, gunicorn_start, gunicorn_stop  # noqa: E402
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
from bench.verify_http import issue_many, prepare  # noqa: E402

BATCH = 1000
RUNS = int(os.environ.get("BENCH_VERIFY_API_RUNS", "20"))
WARMUP = 3
WORKERS = int(os.environ.get("BENCH_HTTP_WORKERS", "2"))
GOAL_MS = 250.0


@dataclass
class Series:
    samples: list[float]  # seconds
    busy: float = 0.0  # cores busy on the whole machine meanwhile

    def ms(self, fraction: float) -> float:
        return percentile(self.samples, fraction) * 1000


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 - our own server
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _check(status: int, content: bytes, tokens: list[str]) -> None:
    assert status == 200, (status, content[:500])
    items = json.loads(content)["items"]
    assert len(items) == len(tokens)
    assert all(item["status"] == "genuine" and item["index"] == n for n, item in enumerate(items)), items[:3]


def _series(fn: Callable[[], object]) -> Series:
    for _ in range(WARMUP):
        fn()
    samples, ticks = [], cpu_ticks()
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return Series(samples, cores_busy(ticks, cpu_ticks()))


def access_token(port: int, client_id: str, secret: str) -> str:
    body = urllib.parse.urlencode(
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    ).encode()
    status, content = _post(
        f"http://{HOST}:{port}/api/v1/oauth/token", body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 200, content
    return str(json.loads(content)["access_token"])


@dataclass
class Parts:
    """Where an in-process batch's time goes (medians, ms) and how many queries it makes."""

    signatures: float
    lookups: float
    answer: float
    queries: int
    queries_small: int


def parts(tokens: list[str], headers: dict[str, str], call: Callable[[list[str]], object]) -> Parts:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from govportal.verification import crypto
    from govportal.verification.checking import check_facts, tokens_check
    from govportal.verification.models import SigningKey

    def median(fn: Callable[[], object]) -> float:
        samples = []
        for _ in range(RUNS):
            started = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - started)
        return percentile(samples, 0.5) * 1000

    keys = {key.kid: crypto.public_key_from_jwk(key.public_jwk) for key in SigningKey.objects.all()}

    def signatures() -> None:
        for token in tokens:
            parsed = crypto.jws_parse(token)
            assert crypto.jws_signature_valid(parsed, keys[parsed.kid])

    checks = tokens_check(tokens)
    with CaptureQueriesContext(connection) as many:
        call(tokens)
    with CaptureQueriesContext(connection) as few:
        call(tokens[:10])
    total_lookup = median(lambda: tokens_check(tokens))
    signature_ms = median(signatures)
    return Parts(
        signatures=signature_ms,
        lookups=total_lookup - signature_ms,
        answer=median(lambda: json.dumps([check_facts(check) for check in checks], default=str)),
        queries=len(many.captured_queries),
        queries_small=len(few.captured_queries),
    )


def main() -> None:
    with bench_env("verify_api", settings_module="bench.settings") as bench:
        bench.env["API_RATE_LIMIT"] = "1000000"
        bench.apply()
        import django

        django.setup()
        from django.db import connections
        from django.test import Client

        from govportal.api.services import api_client_create
        from govportal.entities.models import Entity

        print("verify API: preparing 1,000 certificates", flush=True)
        prepare()
        tokens = issue_many(BATCH)
        api_client, secret = api_client_create(
            entity=Entity.objects.get(code="MOF"), name="Bench verifier", scopes=["verify"], actor=None
        )
        connections.close_all()
        body = json.dumps({"items": [{"token": token} for token in tokens]}).encode()
        port = free_port()
        quiet = wait_for_quiet()
        server = gunicorn_start(bench, port, WORKERS)
        try:
            headers = {
                "Authorization": f"Bearer {access_token(port, api_client.client_id, secret)}",
                "Content-Type": "application/json",
                "Accept-Language": "en",
            }
            url = f"http://{HOST}:{port}/api/v1/verify"

            def over_http() -> None:
                _check(*_post(url, body, headers), tokens)

            print(f"gunicorn, {WORKERS} workers: {RUNS} batches of {BATCH:,} one after another", flush=True)
            http = _series(over_http)
        finally:
            gunicorn_stop(server)

        client = Client(HTTP_HOST=HOST)

        def call(batch: list[str]) -> object:
            payload = json.dumps({"items": [{"token": token} for token in batch]})
            answer = client.post("/api/v1/verify", payload, content_type="application/json", headers=headers)
            if len(batch) == len(tokens):
                _check(answer.status_code, answer.content, tokens)
            return answer

        print("in-process", flush=True)
        local = _series(lambda: call(tokens))
        breakdown = parts(tokens, headers, call)
        database = postgres_version(bench.database_url)

    met, met_p95 = http.ms(0.5) <= GOAL_MS, http.ms(0.95) <= GOAL_MS
    lines = [
        "## API: verify",
        "",
        machine(),
        f"Database: {database}, cache and rate limits: Redis — both on the same machine, default configuration. "
        f"Settings: production mode (`DJANGO_DEBUG=0`), gunicorn with {WORKERS} sync workers (the Dockerfile's "
        f"class), no access log. {BATCH:,} certificates signed as the importer signs them (one ES256 key). A real "
        "API client with the scope `verify` (access token from `/api/v1/oauth/token`), each request authenticated, "
        f'rate-counted and audited like any other. One batch of {BATCH:,} tokens (`{{"items": [{{"token": …}}]}}`, '
        f"{len(body) / 1024:,.0f} KiB) sent {RUNS} times one after another after {WARMUP} warm-up requests; every "
        "answer checked (1,000 answers, all genuine, in order). Nothing is cached between requests but the public "
        "keys (built once per key and process): each batch checks its 1,000 signatures and reads its documents "
        "again. Reproduce with `.venv/bin/python bench/verify_api.py`. " + background(quiet),
        "",
        f"**Goal:** a batch of {BATCH:,} tokens answered in ≤ {GOAL_MS:g} ms — at the median {verdict(met)} "
        f"({http.ms(0.5):.0f} ms over HTTP); at the 95th percentile {verdict(met_p95)} ({http.ms(0.95):.0f} ms). "
        f"The machine is shared: {quiet:.2f} cores were busy elsewhere just before the run and {http.busy:.2f} "
        "during it (this benchmark uses one), so a batch often waited for a core; the ES256 checks alone "
        f"take {breakdown.signatures:.0f} ms of CPU here.",
        "",
        "| what | p50 ms | p95 ms | max ms | runs | cores busy (whole machine) |",
        "|---|---|---|---|---|---|",
        f"| HTTP, gunicorn, batch of {BATCH:,} | {http.ms(0.5):.0f} | {http.ms(0.95):.0f} | {http.ms(1):.0f} | "
        f"{RUNS} | {http.busy:.2f} |",
        f"| in-process (test client, no HTTP), batch of {BATCH:,} | {local.ms(0.5):.0f} | {local.ms(0.95):.0f} | "
        f"{local.ms(1):.0f} | {RUNS} | {local.busy:.2f} |",
        "",
        f"Where an in-process batch's time goes (medians): checking the {BATCH:,} ES256 signatures "
        f"{breakdown.signatures:.0f} ms; the rest of reading the tokens and finding their documents "
        f"{breakdown.lookups:.0f} ms; the answers in the caller's language, as JSON, {breakdown.answer:.0f} ms; the "
        "remainder is authentication, the rate limit, the audit event, validating the request and the response. "
        f"SQL statements per request: {breakdown.queries} for {BATCH:,} tokens, {breakdown.queries_small} for 10 "
        "(constant: one for the keys, one for the documents; the others are the access token, the client, the "
        "audit event).",
    ]
    write_section("verify-api", lines)


if __name__ == "__main__":
    main()
