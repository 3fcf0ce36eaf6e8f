"""The inbox, drafts, referrals, overdue replies and the two registers (with CSV, and PDF printed by the worker)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from documents import exports, selectors
from documents.constants import EXPORT_KEEP_HOURS, ExportStatus, RegisterKind
from documents.forms import RegisterFilterForm
from documents.views.common import PAGE_SIZE, current_entity, nav_context
from govportal.accounts.selectors import entities_of
from govportal.pdf.views import pdf_page
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
def approvals(request: HttpRequest) -> HttpResponse:
    """Letters awaiting this head's approval, in every entity they head: one click from any page."""
    entity = current_entity(request)
    letters = selectors.awaiting_my_approval(request.user)
    page = Paginator(letters, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "active": "approvals",
        "several": entities_of(request.user, roles=selectors.HEAD_ROLES).count() > 1,  # say whose letter each is
        **nav_context(request, entity),
    }
    return render(request, "documents/approvals.html", context)


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


def _date(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d") if value else ""


def _register(request: HttpRequest, kind: str) -> HttpResponse | StreamingHttpResponse:
    entity = current_entity(request)
    states = OUTGOING_STATES if kind == "outgoing" else INCOMING_STATES
    form = RegisterFilterForm(request.GET or None, entity=entity, statuses=states)
    data = form.cleaned_data if form.is_valid() else {}
    if kind == RegisterKind.OUTGOING:
        rows: QuerySet[Any] = selectors.register_outgoing(request.user, entity, data)
    else:
        rows = selectors.register_incoming(request.user, entity, data)
    title = RegisterKind(kind).label
    if request.GET.get("format") == "csv":
        stamp = timezone.localdate().isoformat()
        return _register_csv(kind, rows, f"{kind}-{entity.code}-{stamp}.csv")
    # Keyset paging, no COUNT (as the inbox): "Next" carries ?after= the last row shown.
    after = selectors.RegisterCursor.parse(request.GET.get("after", ""), UUID if kind == RegisterKind.OUTGOING else int)
    page = selectors.register_page(rows, after=after, size=PAGE_SIZE)
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


@login_required
@require_POST
def register_print(request: HttpRequest) -> HttpResponse:
    """Print (PDF) on a register page: the worker prints it as this person sees it, with the
    page's filters; they wait for it on the printout's own page."""
    entity = current_entity(request)
    kind = request.POST.get("kind", "")
    if kind not in RegisterKind.values:
        raise Http404
    states = OUTGOING_STATES if kind == RegisterKind.OUTGOING else INCOMING_STATES
    form = RegisterFilterForm(request.POST, entity=entity, statuses=states)
    if not form.is_valid():  # only a tampered form: the page's own filters were valid
        return redirect(f"{reverse(f'documents:{kind}')}?entity={entity.code}")
    try:
        export = exports.register_export_request(user=request.user, entity=entity, kind=kind, filters=form.cleaned_data)
    except PermissionDenied as exc:
        raise Http404 from exc
    return redirect("documents:register_export", pk=export.pk)


@login_required
def register_export(request: HttpRequest, pk: UUID) -> HttpResponse | FileResponse:
    """A printed register: "being prepared" until the worker has stored it, then the PDF itself;
    for its requester only, while still staff of its entity, for a day."""
    export = get_object_or_404(selectors.register_exports(request.user), pk=pk)
    kind = RegisterKind(export.kind)
    query = urlencode({"entity": export.entity.code, **export.filters})
    register_url = f"{reverse(f'documents:{kind}')}?{query}"  # the register with the same filters
    expired = exports.export_expired(export)
    if expired or export.status == ExportStatus.FAILED:
        context = {
            "export": export,
            "expired": expired,
            "heading": _("This printed register is no longer kept")
            if expired
            else _("The printed register could not be prepared"),
            "register_url": register_url,
            "title": kind.label,
            "keep_hours": EXPORT_KEEP_HOURS,
        }
        return render(request, "documents/register_export.html", context, status=410 if expired else 200)
    return pdf_page(
        request,
        export,
        title=_("The printed register is being prepared"),
        document=str(kind.label),
        back_url=register_url,
        back_label=_("Back to the register"),
    )
