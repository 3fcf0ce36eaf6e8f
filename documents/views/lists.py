"""The inbox, drafts, referrals, overdue replies and the two registers (with CSV and PDF)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents import selectors
from documents.forms import (
    RegisterFilterForm,
)
from documents.models import Letter, LetterRecipient
from documents.views.common import PAGE_SIZE, PDF_ROW_LIMIT, current_entity, nav_context
from govportal.pdf import render_to_pdf
from govportal.web.csv_export import csv_response
from govportal.web.http import AuthenticatedHttpRequest as HttpRequest

# --- lists -------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return redirect("documents:inbox")


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    entity = current_entity(request)
    after = selectors.InboxCursor.parse(request.GET.get("after", ""))
    page = selectors.inbox_page(request.user, entity, after=after, size=PAGE_SIZE)
    return render(request, "documents/inbox.html", {"page": page, "active": "inbox", **nav_context(request, entity)})


@login_required
def drafts(request: HttpRequest) -> HttpResponse:
    entity = current_entity(request)
    nav = nav_context(request, entity)
    letters = selectors.drafts(request.user, entity, awaiting_approval_first=nav["is_head"])
    page = Paginator(letters, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "documents/drafts.html", {"page": page, "active": "drafts", **nav})


@login_required
def referrals(request: HttpRequest) -> HttpResponse:
    entity = current_entity(request)
    page = Paginator(selectors.open_referrals(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "active": "referrals", "today": timezone.localdate(), **nav_context(request, entity)}
    return render(request, "documents/referrals.html", context)


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    entity = current_entity(request)
    nav = nav_context(request, entity)
    if not nav["is_head"]:
        raise Http404
    today = timezone.localdate()
    context = {
        "owed": selectors.overdue_owed(request.user, entity, today)[:200],
        "awaited": selectors.overdue_awaited(request.user, entity, today)[:200],
        "active": "overdue",
        **nav,
    }
    return render(request, "documents/overdue.html", context)


# --- registers ---------------------------------------------------------------------------------

OUTGOING_STATES = [
    ("undelivered", gettext_lazy("Not yet delivered to every recipient")),
    ("unregistered", gettext_lazy("Not yet registered by every recipient")),
    ("registered", gettext_lazy("Registered by every recipient")),
]
INCOMING_STATES = [
    ("unread", gettext_lazy("Not yet opened")),
    ("unregistered", gettext_lazy("Awaiting registration")),
    ("registered", gettext_lazy("Registered")),
]


def _filter_outgoing(letters: QuerySet[Letter], data: dict[str, Any]) -> QuerySet[Letter]:
    copies = LetterRecipient.objects.filter(letter=OuterRef("pk"))
    if data.get("date_from"):
        letters = letters.filter(dispatched_at__date__gte=data["date_from"])
    if data.get("date_to"):
        letters = letters.filter(dispatched_at__date__lte=data["date_to"])
    if data.get("counterpart"):
        letters = letters.filter(Exists(copies.filter(entity=data["counterpart"])))
    if data.get("classification"):
        letters = letters.filter(classification=data["classification"])
    status = data.get("status")
    if status == "undelivered":
        letters = letters.filter(Exists(copies.filter(delivered_at__isnull=True)))
    elif status == "unregistered":
        letters = letters.filter(Exists(copies.filter(registered_at__isnull=True)))
    elif status == "registered":
        letters = letters.exclude(Exists(copies.filter(registered_at__isnull=True)))
    return selectors.search_letters(letters, data.get("q", ""))


def _filter_incoming(copies: QuerySet[LetterRecipient], data: dict[str, Any]) -> QuerySet[LetterRecipient]:
    if data.get("date_from"):
        copies = copies.filter(dispatched_at__date__gte=data["date_from"])
    if data.get("date_to"):
        copies = copies.filter(dispatched_at__date__lte=data["date_to"])
    if data.get("counterpart"):
        copies = copies.filter(letter__sender_entity=data["counterpart"])
    if data.get("classification"):
        copies = copies.filter(letter__classification=data["classification"])
    status = data.get("status")
    if status == "unread":
        copies = copies.filter(delivered_at__isnull=True)
    elif status == "unregistered":
        copies = copies.filter(registered_at__isnull=True)
    elif status == "registered":
        copies = copies.filter(registered_at__isnull=False)
    if data.get("q", "").strip():
        copies = copies.filter(letter__in=selectors.search_letters(Letter.objects.all(), data["q"]).values("pk"))
    return copies


def _date(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d") if value else ""


def _register(request: HttpRequest, kind: str) -> HttpResponse | StreamingHttpResponse:
    entity = current_entity(request)
    states = OUTGOING_STATES if kind == "outgoing" else INCOMING_STATES
    form = RegisterFilterForm(request.GET or None, entity=entity, statuses=states)
    data = form.cleaned_data if form.is_valid() else {}
    if kind == "outgoing":
        rows: QuerySet[Any] = _filter_outgoing(selectors.outgoing(request.user, entity), data)
        title = _("Outgoing register")
    else:
        rows = _filter_incoming(
            selectors.inbox(request.user, entity).select_related("registered_by").order_by("-dispatched_at", "-id"),
            data,
        )
        title = _("Incoming register")
    export = request.GET.get("format")
    stamp = timezone.localdate().isoformat()
    if export == "csv":
        return _register_csv(kind, rows, f"{kind}-{entity.code}-{stamp}.csv")
    if export == "pdf":
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "entity": entity,
                "document_title": _("Outgoing register") if kind == "outgoing" else _("Incoming register"),
                "kind": kind,
                "rows": rows[:PDF_ROW_LIMIT],
                "truncated": rows[PDF_ROW_LIMIT : PDF_ROW_LIMIT + 1].exists(),
                "limit": PDF_ROW_LIMIT,
                "date_from": data.get("date_from"),
                "date_to": data.get("date_to"),
                "printed_at": timezone.now(),
            }
            content = render_to_pdf("documents/register_pdf.html", context)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{kind}-{entity.code}-{stamp}.pdf"'
        return response
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "form": form, "title": title, "kind": kind, "active": kind, **nav_context(request, entity)}
    return render(request, "documents/register.html", context)


def _register_csv(kind: str, rows: QuerySet[Any], filename: str) -> StreamingHttpResponse:
    if kind == "outgoing":
        header = [_("Outgoing number"), _("Date"), _("Subject"), _("To"), _("Classification"), _("Priority")]
        letters = rows.prefetch_related("recipients__entity")
        body: Iterable[list[Any]] = (
            [
                letter.number,
                _date(letter.dispatched_at),
                letter.subject,
                "؛ ".join(r.entity.name for r in letter.recipients.all()),
                letter.get_classification_display(),
                letter.get_priority_display(),
            ]
            for letter in letters.iterator(chunk_size=500)
        )
    else:
        header = [
            _("Incoming number"),
            _("Registered at"),
            _("Their number"),
            _("Date"),
            _("From"),
            _("Subject"),
            _("Classification"),
            _("Priority"),
        ]
        body = (
            [
                copy.incoming_number,
                _date(copy.registered_at),
                copy.letter.number,
                _date(copy.letter.dispatched_at),
                copy.letter.sender_entity.name,
                copy.letter.subject,
                copy.letter.get_classification_display(),
                copy.letter.get_priority_display(),
            ]
            for copy in rows.iterator(chunk_size=2000)
        )
    return csv_response(filename, header, body)


@login_required
def outgoing(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    return _register(request, "outgoing")


@login_required
def incoming(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    return _register(request, "incoming")
