"""Serving a stored PDF, and the page that stands in for it while the worker prepares it."""

from __future__ import annotations

from collections.abc import Callable

from django.db import models
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from govportal.pdf.printables import printable_for
from govportal.pdf.services import pdf_ensure

REFRESH_SECONDS = 3


def isolated(sentence: str, **values: object) -> SafeString:
    """A translated ``sentence`` with ``%(name)s`` placeholders, each value (a serial, a number)
    escaped and set in ``<bdi>`` so that it reads left to right inside Arabic text."""
    filled = {name: format_html("<bdi>{}</bdi>", value) for name, value in values.items()}
    return mark_safe(conditional_escape(sentence) % filled)  # noqa: S308 - sentence and values are escaped


def pdf_file_response(instance: models.Model, *, attachment: bool = False) -> FileResponse:
    """The stored PDF of a registered printable (shown in the browser unless ``attachment``)."""
    printable = printable_for(instance)
    return FileResponse(
        getattr(instance, printable.field).open("rb"),
        as_attachment=attachment,
        filename=printable.filename(instance),
        content_type="application/pdf",
    )


def pdf_page(
    request: HttpRequest,
    instance: models.Model,
    *,
    title: str,
    document: str | SafeString,
    back_url: str,
    back_label: str,
    parent: str | SafeString | None = None,
    attachment: bool = False,
    on_serve: Callable[[], object] | None = None,
) -> HttpResponse | FileResponse:
    """One address for a document's PDF: the file when it is stored (``on_serve`` runs first, e.g.
    to audit the read). Until then a "being prepared" page (202) that queues the render and reloads
    itself every few seconds (``?wait=1``), unless the reader stops it (``watch=0``, WCAG 2.2.1)
    or it has taken longer than it should, when it says so and waits for the reader. Once the file
    is there, the reloaded page says so and sends the browser to the file: a download then leaves
    that page in view, not a "being prepared" that no longer reloads.

    ``back_url`` is the page the reader came from, ``parent`` its name in the breadcrumbs
    (``document`` unless given) and ``back_label`` the link back to it.
    """
    waiting = pdf_ensure(instance)
    context: dict[str, object] = {
        "title": title,
        "document": document,
        "back_url": back_url,
        "back_label": back_label,
        "parent": parent or document,
    }
    if waiting is not None:
        context |= {
            "waiting": waiting,
            "watch": request.GET.get("watch") != "0" and not waiting.slow,
            "refresh_seconds": REFRESH_SECONDS,
        }
        response = render(request, "pdf/preparing.html", context, status=202)
    elif request.GET.get("wait"):
        response = render(request, "pdf/preparing.html", context | {"ready": True})
    else:
        if on_serve is not None:
            on_serve()
        return pdf_file_response(instance, attachment=attachment)
    response["Cache-Control"] = "no-store"
    return response
