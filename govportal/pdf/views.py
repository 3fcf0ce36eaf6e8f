"""Serving a stored PDF, and the page that stands in for it while the worker prepares it."""

from __future__ import annotations

from django.db import models
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from govportal.pdf.printables import printable_for
from govportal.pdf.services import Waiting

REFRESH_SECONDS = 3


def pdf_file_response(instance: models.Model, *, attachment: bool = False) -> FileResponse:
    """The stored PDF of a registered printable (shown in the browser unless ``attachment``)."""
    printable = printable_for(instance)
    return FileResponse(
        getattr(instance, printable.field).open("rb"),
        as_attachment=attachment,
        filename=printable.filename(instance),
        content_type="application/pdf",
    )


def pdf_waiting_response(
    request: HttpRequest, waiting: Waiting, *, title: str, document: str, back_url: str, back_label: str
) -> HttpResponse:
    """The "being prepared" page: 202, and the page reloads itself every few seconds (the same address
    then shows the PDF), unless the reader stops it (``?watch=0``, WCAG 2.2.1) or it has taken
    longer than it should, when it says so and waits for the reader to check again."""
    watch = request.GET.get("watch") != "0" and not waiting.slow
    context = {
        "title": title,
        "document": document,
        "back_url": back_url,
        "back_label": back_label,
        "waiting": waiting,
        "watch": watch,
        "refresh_seconds": REFRESH_SECONDS,
    }
    response = render(request, "pdf/preparing.html", context, status=202)
    response["Cache-Control"] = "no-store"
    return response
