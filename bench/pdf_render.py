"""PDF of one certificate of authenticity: datacenter/certificate_pdf.html through render_to_pdf.

Production mode on a throw-away PostgreSQL database. One certificate (as ``request_answer`` or
the importer makes it: signed, with its artifact) is rendered again and again in one process, as a
Celery worker does; the first renders (WeasyPrint import, font configuration) are reported apart.

Run: ``.venv/bin/python bench/pdf_render.py``. Tunables: BENCH_PDF_RUNS (30), BENCH_PDF_WARMUP (3).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.prodenv import bench_env  # noqa: E402
from bench.report import background, machine, percentile, verdict, wait_for_quiet, write_section  # noqa: E402

RUNS = int(os.environ.get("BENCH_PDF_RUNS", "30"))
WARMUP = int(os.environ.get("BENCH_PDF_WARMUP", "3"))
GOAL_P50_MS = 120.0


def certificates(count: int) -> list[Any]:
    """``count`` signed certificates of NDC answering MOF, saved with their artifacts."""
    from datacenter.constants import DocumentType, Outcome
    from datacenter.models import Certificate
    from datacenter.services import certificate_sign
    from govportal.entities.models import Entity
    from govportal.verification.services import Signer

    ndc, mof = Entity.objects.get(code="NDC"), Entity.objects.get(code="MOF")
    signer = Signer(ndc)
    made = []
    for number in range(1, count + 1):
        certificate = Certificate(
            serial=f"NDC-2026-{number:06d}",
            issuing_entity=ndc,
            requesting_entity=mof,
            outcome=Outcome.CONFIRMED if number % 5 else Outcome.NOT_CONFIRMED,
            reason="" if number % 5 else "لا يوجد سجل لهذه الوثيقة في أرشيف الجهة",
            document_type=DocumentType.DEGREE,
            document_number=f"BGD-2019-{44870 + number}",
            document_date=dt.date(2019, 7, 14),
            holder_name="أحمد كريم حسن العبيدي",
            holder_national_id="199012345678",
            issued_at=dt.datetime(2026, 3, 5, 10, 30, tzinfo=dt.UTC),
        )
        artifact = certificate_sign(certificate, signer)
        artifact.save(force_insert=True)
        certificate.artifact = artifact
        certificate.save(force_insert=True)
        made.append(certificate)
    return made


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    with bench_env("pdf") as bench:
        bench.apply()
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.utils import translation

        from datacenter.models import Certificate
        from datacenter.services import certificate_pdf_context
        from govportal.entities.hierarchy import HIERARCHY
        from govportal.entities.services import hierarchy_load
        from govportal.pdf import render_to_pdf
        from govportal.pdf.services import pdf_render

        call_command("migrate", interactive=False, verbosity=0)
        hierarchy_load(HIERARCHY)
        made = certificates(1 + 10)
        certificate = Certificate.objects.select_related("issuing_entity__parent", "artifact").get(pk=made[0].pk)
        quiet = wait_for_quiet()
        sizes: list[int] = []

        def render() -> None:
            with translation.override(settings.LANGUAGE_CODE):
                sizes.append(
                    len(render_to_pdf("datacenter/certificate_pdf.html", certificate_pdf_context(certificate)))
                )

        print("pdf: rendering", flush=True)
        first = [timed(render) for _ in range(WARMUP)]
        samples = [timed(render) for _ in range(RUNS)]
        # The task's whole job for a fresh certificate: load it, render, store the file.
        stored = []
        for fresh in made[1:]:
            started = time.perf_counter()
            pdf_render(instance=fresh)
            stored.append((time.perf_counter() - started) * 1000)
        stored_ok = all(Certificate.objects.get(pk=c.pk).pdf for c in made[1:])

    p50, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
    met = p50 <= GOAL_P50_MS
    lines = [
        "## PDF of a certificate",
        "",
        machine(),
        "Settings: production mode (`DJANGO_DEBUG=0`), PostgreSQL on the same machine, Arabic (the official copy). "
        f"WeasyPrint {_weasyprint_version()}, one process rendering one page after another as a Celery worker does. "
        "Reproduce with `.venv/bin/python bench/pdf_render.py`. " + background(quiet),
        "",
        f"**Goal:** p50 ≤ {GOAL_P50_MS:g} ms to render one certificate — {verdict(met)} (p50 {p50:.0f} ms).",
        "",
        "| what | figure |",
        "|---|---|",
        f"| `render_to_pdf('datacenter/certificate_pdf.html', certificate_pdf_context(c))` | p50 {p50:.0f} ms, "
        f"p95 {p95:.0f} ms, mean {statistics.fmean(samples):.0f} ms, min {min(samples):.0f} ms "
        f"({RUNS} runs after {WARMUP} warm-up renders) |",
        f"| first render in a fresh process (imports WeasyPrint, builds the font configuration) | "
        f"{first[0]:.0f} ms; the next warm-up renders {', '.join(f'{ms:.0f}' for ms in first[1:])} ms |",
        f"| `pdf_render(instance=c)` on a new certificate (load, render, store the file once) | "
        f"p50 {percentile(stored, 0.5):.0f} ms over {len(stored)} certificates; "
        f"{'all stored' if stored_ok else '**not all stored**'} |",
        f"| PDF size | {statistics.median(sizes) / 1024:.0f} KiB (fonts embedded, subset) |",
    ]
    write_section("pdf-render", lines)


def _weasyprint_version() -> str:
    from importlib.metadata import version

    return version("weasyprint")  # only govportal.pdf may import WeasyPrint itself


if __name__ == "__main__":
    main()
