"""Checking a printable the way the worker makes it: queued by the issuing service, rendered by the
one task, stored once."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from django.db import models

from govportal.pdf import services as pdf_services
from govportal.pdf.printables import printable_for
from govportal.pdf.services import PDF_RENDER_TASK
from govportal.tasks import local_task


def local_storage(settings: Any, directory: Path) -> Path:
    """Files go to ``directory`` for this test, so what is stored can be counted."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(directory)}},
    }
    return directory


def stored_files(storage: Path, beside: str = "") -> list[Path]:
    """The files kept in ``storage``; only those in the folder of the file named ``beside`` if given."""
    folder = storage / Path(beside).parent if beside else storage
    return sorted(path for path in folder.rglob("*") if path.is_file())


def queued(callbacks: Iterable[Callable[[], Any]], name: str = PDF_RENDER_TASK) -> list[tuple[Any, ...]]:
    """The arguments of the jobs named ``name`` among on-commit callbacks captured from ``enqueue``."""
    return [tuple(job.args[1]) for job in callbacks if getattr(job, "args", None) and job.args[0] == name]


def run_jobs(callbacks: Iterable[Callable[[], Any]]) -> None:
    """What a worker does with what the transaction queued: run each job."""
    for job in callbacks:
        job()


# pdftotext marks direction with embedding and isolate controls; a reader does not see them.
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def pdf_text(content: bytes, directory: Path, *, layout: bool = False, plain: bool = False) -> str:
    """The text of a PDF as ``pdftotext`` reads it (``-layout`` keeps each line's columns); with
    ``plain``, without the direction marks it adds. A left-to-right run printed out of order inside
    Arabic text comes back out of order ("/http://…/verify" for "http://…/verify/")."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    path = directory / "read.pdf"
    path.write_bytes(content)
    command = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return BIDI_CONTROLS.sub("", text) if plain else text


def pdf_words(content: bytes, directory: Path) -> list[str]:
    """The words of a PDF as printed (``pdftotext -bbox``): each one's characters in the order its
    glyphs stand on the page, so a URL printed "/http://…/verify" reads back that way."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    path = directory / "words.pdf"
    path.write_bytes(content)
    page = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [html.unescape(word) for word in re.findall(r"<word [^>]*>([^<]*)</word>", page)]


def renders_once_through_the_one_task(
    instance: models.Model,
    callbacks: list[Callable[[], Any]],
    *,
    storage: Path,
    monkeypatch: pytest.MonkeyPatch,
    capture: Any,
    texts: Iterable[str] = (),
) -> str:
    """The checks every printable passes: its service queued the one render task for it, once;
    that job stores one PDF (with ``texts`` in it); running the task again renders nothing and
    stores nothing; ``force`` renders a new file in place of the old. Returns the PDF's text."""
    printable = printable_for(instance)
    assert queued(callbacks).count((printable.label, str(instance.pk))) == 1
    assert not getattr(type(instance)._default_manager.get(pk=instance.pk), printable.field)

    run_jobs(callbacks)
    instance.refresh_from_db()
    first = getattr(instance, printable.field)
    assert first.name and stored_files(storage, first.name) == [storage / first.name]
    with first.open("rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF-")
    text = pdf_text(content, storage.parent)
    for expected in texts:
        assert expected in text

    renders: list[str] = []
    real = pdf_services.render_to_pdf

    def counted(template: str, context: dict[str, Any]) -> bytes:
        renders.append(template)
        return real(template, context)

    monkeypatch.setattr(pdf_services, "render_to_pdf", counted)
    task = local_task(PDF_RENDER_TASK)
    assert task.apply(args=(printable.label, str(instance.pk)), throw=True).result == first.name
    assert renders == [] and stored_files(storage, first.name) == [storage / first.name]

    with capture(execute=True):  # the old file goes once the new name is committed
        again = str(task.apply(args=(printable.label, str(instance.pk)), kwargs={"force": True}, throw=True).result)
    instance.refresh_from_db()
    assert renders == [printable.template]
    assert again == getattr(instance, printable.field).name != first.name
    assert stored_files(storage, again) == [storage / again]
    return text
