"""The status list a phone caches: its size for 2,000,000 documents, and the time to build it.

The list is built by the portal's own code (``verification.trust.status_pack`` and
``status_compress``, the functions the status-list endpoint uses) from (index, status) pairs drawn at
random (deterministic seed) for 2,000,000 documents in use of the list's 4,194,304 places, at
several shares of documents that are not plainly valid: revoked (1), replaced (3) and changed since
issue (0x0B) in the proportions 8 : 1 : 1. Reported: the bytes before compression, after DEFLATE,
and of the whole signed JWT (ES256) a scanner downloads; the time to pack and compress (median of 5).

The database's share of building a list (reading the indexes of the documents not plainly valid
through the partial index ``artifact_not_plainly_valid``) grows with those documents, not with the
2,000,000: it is measured by the import benchmark's verification figures, not here.

Run: ``.venv/bin/python bench/status_lists.py``. Tunables: BENCH_STATUS_DOCUMENTS (2000000).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.prodenv import bench_env  # noqa: E402
from bench.report import machine, verdict, write_section  # noqa: E402

DOCUMENTS = int(os.environ.get("BENCH_STATUS_DOCUMENTS", "2000000"))
SHARES = (0.0, 0.001, 0.01, 0.05)
GOAL_KB = 500  # what a phone keeps without a thought: well under a photo


def main() -> None:
    with bench_env("status_lists") as bench:
        bench.apply()
        import django

        django.setup()
        from django.conf import settings

        from govportal.verification import crypto, trust

        size = settings.VERIFY_STATUS_LIST_SIZE
        key = crypto.generate_key()
        rows = []
        for share in SHARES:
            rng = random.Random(2026)
            chosen = rng.sample(range(DOCUMENTS), int(DOCUMENTS * share))
            statuses = [
                (index, trust.INVALID if n % 10 < 8 else (trust.REPLACED if n % 10 == 8 else trust.CHANGED))
                for n, index in enumerate(chosen)
            ]
            times = []
            for _ in range(5):
                started = time.perf_counter()
                bits = trust.status_pack(size, statuses)
                lst = trust.status_compress(bytes(bits))
                times.append((time.perf_counter() - started) * 1000)
            payload = {
                "iss": "SECRETARIAT",
                "sub": "https://portal.gov.iq/verify/status-lists/0",
                "iat": 1_800_000_000,
                "exp": 1_802_592_000,
                "ttl": 300,
                "status_list": {"bits": trust.BITS, "lst": lst},
            }
            token = crypto.jws_sign(payload, kid="root-20261207-0123abcd", private_key=key, typ=trust.STATUS_LIST_TYP)
            # read back every status the way a verifier does: nothing lost in packing
            assert all(trust.status_read(lst, trust.BITS, index) == value for index, value in statuses[:2000])
            rows.append((share, len(statuses), len(bits), len(lst) * 3 // 4, len(token), statistics.median(times)))
            print(f"  {share:.1%}: list {len(token):,} bytes signed, {statistics.median(times):.0f} ms", flush=True)

    worst_kb = max(row[4] for row in rows if row[0] <= 0.01) / 1024
    met = worst_kb <= GOAL_KB
    lines = [
        "## Status list for 2,000,000 documents",
        "",
        machine(),
        "Built with the portal's own functions (`verification.trust.status_pack`, `status_compress`) in one "
        f"process, no database: {DOCUMENTS:,} documents in use of a list of {size:,} places, {trust.BITS} bits "
        "each, statuses drawn at random (seeded) among the documents, revoked : replaced : changed = 8 : 1 : 1. "
        "Reproduce with `.venv/bin/python bench/status_lists.py`.",
        "",
        f"**Goal:** the signed list a scanner downloads stays under {GOAL_KB} KB with up to 1% of documents not "
        f"plainly valid — {verdict(met)} ({worst_kb:,.0f} KB at 1%).",
        "",
        "| documents not plainly valid | of which | uncompressed | compressed (`lst`, bytes) | signed JWT | "
        "pack + compress (median of 5) |",
        "|---|---|---|---|---|---|",
        *[
            f"| {share:.1%} | {count:,} | {raw / 1024 / 1024:.0f} MiB | {compressed:,} | {token:,} bytes "
            f"({token / 1024:,.1f} KB) | {ms:.0f} ms |"
            for share, count, raw, compressed, token, ms in rows
        ],
        "",
        "A list names no document: a scanner fetches the same list whichever of its 4,194,304 documents it checks. "
        "17,000,000 documents fill 5 lists; a scanner keeps only the lists its documents name.",
    ]
    write_section("status-lists", lines)


if __name__ == "__main__":
    main()
