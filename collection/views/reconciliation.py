"""Settlement files, discrepancies and the daily reconciliation, for staff of collecting entities.

Fund officers and heads import files and resolve discrepancies; auditors read. Everything is
read through collection.selectors, so staff see only their own entities' rows and discrepancies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from collection import selectors, services
from collection.constants import FETCH_UNDER_WAY, DiscrepancyKind, FetchStatus, Provider, RowOutcome, SettlementStatus
from collection.forms import ResolveForm
from collection.models import Discrepancy
from collection.reconciliation import (
    FETCH_PROVIDERS,
    IMPORT_ROLES,
    MAX_FILE_BYTES,
    OUTCOMES,
    SETTLEMENT_FORMATS,
    Progress,
    can_import,
    error_messages,
    import_entities,
    settlement_fetch_request,
    settlement_import,
    settlement_progress,
)
from govportal.accounts.selectors import entities_of
from govportal.text import items_joined
from govportal.uploads import check_size, file_size
from govportal.web.csv_export import csv_response
from govportal.web.forms import apply_service_errors
from govportal.web.http import AuthenticatedHttpRequest as HttpRequest

OUTCOME_TONES = {
    RowOutcome.MATCHED: "green",
    RowOutcome.AMOUNT_MISMATCH: "red",
    RowOutcome.UNKNOWN: "amber",
    RowOutcome.STATUS_MISMATCH: "red",
    RowOutcome.DUPLICATE: "amber",
    RowOutcome.OTHER_ENTITY: "red",
    "missing": "red",
}
STATUS_TONES = {
    SettlementStatus.QUEUED: "grey",
    SettlementStatus.PROCESSING: "blue",
    SettlementStatus.DONE: "green",
    SettlementStatus.FAILED: "red",
}


# --- Forms -------------------------------------------------------------------------------


class UploadForm(forms.Form):
    provider = forms.ChoiceField(label=gettext_lazy("Payment company"))
    file = forms.FileField(
        label=gettext_lazy("Settlement file (CSV)"),
        allow_empty_file=True,  # the importer says why it is refused, as for a file of only its header
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args: Any, entities: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [(p, Provider(p).label) for p in SETTLEMENT_FORMATS]  # type: ignore[attr-defined]
        # Built here, not at import, so that it reads in the language of the request.
        formats = str(pgettext("list separator", "; ")).join(
            f"{Provider(p).label}: {items_joined(columns)}" for p, columns in SETTLEMENT_FORMATS.items()
        )
        self.fields["file"].help_text = _(
            "The daily file from the payment company, as it was sent, at most %(size)s. Its first line names "
            "its columns: %(formats)s."
        ) % {"formats": formats, "size": file_size(MAX_FILE_BYTES)}
        # A sandbox file names no merchant account: someone importing for several entities says whose it is.
        if entities is not None and len(entities) > 1:
            self.fields["entity"] = forms.ModelChoiceField(
                label=gettext_lazy("Collecting entity"),
                queryset=entities,
                required=False,
                help_text=gettext_lazy(
                    "Whose payments a sandbox file settles. Other companies' files name their merchant account."
                ),
            )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        check_size(upload.size, max_bytes=MAX_FILE_BYTES)
        return upload


class FetchForm(forms.Form):
    """A provider's settlement file of one day, fetched through its adapter (yesterday by default)."""

    provider = forms.ChoiceField(label=gettext_lazy("Payment company"))
    day = forms.DateField(
        label=gettext_lazy("Day"),
        help_text=gettext_lazy("The day whose settled payments the file lists."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        today = timezone.localdate()
        kwargs.setdefault("initial", {"day": today - dt.timedelta(days=1)})
        kwargs.setdefault("auto_id", "id_fetch_%s")  # the upload form on the same page has a provider too
        super().__init__(*args, **kwargs)
        offered = [p for p in FETCH_PROVIDERS if p != Provider.SANDBOX or settings.PAYMENT_SANDBOX]
        self.fields["provider"].choices = [(p, Provider(p).label) for p in offered]  # type: ignore[attr-defined]
        self.fields["day"].widget.attrs["max"] = today.isoformat()

    def clean_day(self) -> dt.date:
        day: dt.date = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The day cannot be in the future."))
        return day


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[("open", gettext_lazy("Open")), ("resolved", gettext_lazy("Resolved")), ("all", gettext_lazy("All"))],
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("Any kind")), *DiscrepancyKind.choices],
    )


class DayForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}))


# --- Settlement files ----------------------------------------------------------------------


def _reader(request: HttpRequest) -> None:
    """Staff of a collecting entity (or administrators); anyone else is told the page does not exist."""
    if not (request.user.is_superuser or selectors.collecting_entities(request.user).exists()):
        raise Http404


def _with_tones(settlements: Any) -> list[Any]:
    items = list(settlements)
    for settlement in items:
        settlement.status_tone = STATUS_TONES[settlement.status]
        settlement.progress = settlement_progress(settlement)
    return items


def _settlements_page(
    request: HttpRequest, *, form: UploadForm | None = None, fetch_form: FetchForm | None = None, status: int = 200
) -> HttpResponse:
    allowed = can_import(request.user)
    page = Paginator(selectors.settlement_files(request.user), 25).get_page(request.GET.get("page"))
    items = _with_tones(page.object_list)
    context = {
        "form": (form or UploadForm(entities=import_entities(request.user))) if allowed else None,
        "fetch_form": (fetch_form or FetchForm()) if allowed else None,
        "page": page,
        "items": items,
        "running": any(item.progress.running for item in items),
    }
    return render(request, "collection/reconciliation/settlements.html", context, status=status)


@login_required
def settlements(request: HttpRequest) -> HttpResponse:
    """The settlement files this person may see, and (fund officers, heads) the upload form and the
    request for a day's file from the payment company."""
    allowed = can_import(request.user)
    if not allowed:
        _reader(request)
    if request.method != "POST":
        return _settlements_page(request)
    if not allowed:
        raise Http404
    form = UploadForm(request.POST, request.FILES, entities=import_entities(request.user))
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            settlement = settlement_import(
                provider=form.cleaned_data["provider"],
                name=upload.name,
                source=upload,
                actor=request.user,
                entity=form.cleaned_data.get("entity"),
                request=request,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            messages.success(
                request, _("The file %(name)s has been received and is being reconciled.") % {"name": upload.name}
            )
            return redirect("collection:settlement_detail", pk=settlement.pk)
    return _settlements_page(request, form=form, status=400)


@login_required
@require_POST
def settlement_fetch(request: HttpRequest) -> HttpResponse:
    """Ask the payment company for a day's settlement file: a task fetches and imports it."""
    if not can_import(request.user):
        raise Http404
    form = FetchForm(request.POST)
    if form.is_valid():
        try:
            fetch = settlement_fetch_request(
                provider=form.cleaned_data["provider"],
                day=form.cleaned_data["day"],
                actor=request.user,
                request=request,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            # Just asked for: the page follows it by itself (the reader can stop that there).
            return redirect(reverse("collection:settlement_fetch_detail", args=[fetch.pk]) + "?watch=1")
    return _settlements_page(request, fetch_form=form, status=400)


@login_required
def settlement_fetch_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    """How a request for a day's file is going; once the file is in, its own page (reconciliation)."""
    fetch = get_object_or_404(selectors.settlement_fetches(request.user).select_related("file"), pk=pk)
    if fetch.status == FetchStatus.IMPORTED and fetch.file is not None:
        return redirect("collection:settlement_detail", pk=fetch.file.pk)
    context = {"fetch": fetch, "running": fetch.status in FETCH_UNDER_WAY, "progress": Progress(fetch.status, 0, 0)}
    return render(request, "collection/reconciliation/fetch.html", context)


@login_required
def settlement_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    settlement = get_object_or_404(selectors.settlement_files(request.user), pk=pk)
    settlement.status_tone = STATUS_TONES[settlement.status]
    mine = selectors.settlement_counts(request.user, settlement)
    counts = [
        {
            "outcome": outcome,
            "label": _label(outcome),
            "tone": OUTCOME_TONES[outcome],
            "mine": mine.get(outcome, 0),
            "all": settlement.counts.get(outcome, 0),
        }
        for outcome in OUTCOMES
    ]
    rows = selectors.settlement_rows(request.user, settlement).select_related("discrepancy").order_by("line")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.tone = OUTCOME_TONES.get(row.outcome, "grey")
    missing = selectors.discrepancies_visible(request.user).filter(file=settlement, kind=DiscrepancyKind.MISSING)
    context = {
        "settlement": settlement,
        "progress": settlement_progress(settlement),
        "counts": counts,
        "page": page,
        "missing": missing.order_by("payment__succeeded_at")[:200],
        "missing_count": missing.count(),
        "errors": error_messages(settlement.errors) if settlement.status == SettlementStatus.FAILED else [],
    }
    return render(request, "collection/reconciliation/settlement_detail.html", context)


def _label(outcome: str) -> str:
    if outcome == "missing":
        return str(DiscrepancyKind.MISSING.label)
    return str(RowOutcome(outcome).label)


# --- Discrepancies -------------------------------------------------------------------------


@login_required
def discrepancies(request: HttpRequest) -> HttpResponse:
    _reader(request)
    form = QueueFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    items = selectors.discrepancies_visible(request.user)
    state = data.get("state") or "open"
    if state == "open":
        items = items.filter(resolved_at__isnull=True)
    elif state == "resolved":
        items = items.filter(resolved_at__isnull=False)
    if data.get("kind"):
        items = items.filter(kind=data["kind"])
    page = Paginator(items.order_by("-created_at", "-pk"), 25).get_page(request.GET.get("page"))
    return render(request, "collection/reconciliation/discrepancies.html", {"form": form, "page": page})


def _can_resolve(request: HttpRequest, item: Discrepancy) -> bool:
    if item.resolved_at is not None:
        return False
    if item.collecting_entity_id is None:
        return bool(request.user.is_superuser)
    return entities_of(request.user, roles=IMPORT_ROLES).filter(pk=item.collecting_entity_id).exists()


def _discrepancy_page(request: HttpRequest, item: Discrepancy, form: ResolveForm | None, status: int) -> HttpResponse:
    can_resolve = _can_resolve(request, item)
    context = {
        "item": item,
        "tone": OUTCOME_TONES.get(item.kind, "amber"),
        "can_resolve": can_resolve,
        "form": (form or ResolveForm()) if can_resolve else None,
    }
    return render(request, "collection/reconciliation/discrepancy.html", context, status=status)


@login_required
def discrepancy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(selectors.discrepancies_visible(request.user), pk=pk)
    return _discrepancy_page(request, item, None, 200)


@login_required
@require_POST
def discrepancy_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(selectors.discrepancies_visible(request.user), pk=pk)
    if not _can_resolve(request, item):
        raise Http404
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.discrepancy_resolve(
                discrepancy=item,
                resolution=form.cleaned_data["resolution"],
                note=form.cleaned_data["note"],
                actor=request.user,
                request=request,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The discrepancy has been resolved."))
            return redirect("collection:discrepancies")
    return _discrepancy_page(request, item, form, 400)


# --- Daily reconciliation -------------------------------------------------------------------


def _day(request: HttpRequest) -> tuple[DayForm, dt.date]:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    form = DayForm(request.GET if "day" in request.GET else None, initial={"day": yesterday})
    return form, (form.cleaned_data["day"] if form.is_bound and form.is_valid() else yesterday)


def _chart(summary: dict[str, Any]) -> list[dict[str, Any]]:
    paid = summary["paid"]["amount"]
    rows = []
    for key, label in [
        ("paid", _("Paid with us")),
        ("settled", _("Settled by the payment company")),
        ("fees", _("Fees kept by the company")),
        ("awaiting", _("Not settled yet")),
        ("discrepancies", _("In question (discrepancies)")),
    ]:
        amount = summary[key]["amount"]
        rows.append(
            {
                "key": key,
                "label": label,
                "count": summary[key]["count"],
                "amount": amount,
                "linked": f"{amount:,}",
                "total": f"{paid:,}",
                "percent": min(100, round(amount * 100 / paid)) if paid else 0,
            }
        )
    return rows


@login_required
def reconciliation_day(request: HttpRequest) -> HttpResponse:
    _reader(request)
    form, day = _day(request)
    summary = selectors.reconciliation_day(request.user, day)
    context = {
        "form": form,
        "day": day,
        "summary": summary,
        "chart": _chart(summary),
        "previous": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1) if day < timezone.localdate() else None,
    }
    return render(request, "collection/reconciliation/day.html", context, status=400 if form.errors else 200)


@login_required
def reconciliation_day_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The day's online payments, each with what the settlement files said about it."""
    _reader(request)
    form, day = _day(request)
    if form.errors:
        raise Http404
    payments = selectors.paid_online_as_settled(request.user, day)
    header = [
        "payment_ref", "collecting_entity", "provider", "paid_at", "amount", "status", "settled_at", "txn_id",
        "settled_amount", "fee", "outcome",
    ]  # fmt: skip

    def body() -> Iterator[list[Any]]:
        for p in payments.iterator(chunk_size=2000):
            paid_at = timezone.localtime(p.succeeded_at).isoformat() if p.succeeded_at else ""
            start = [p.payment_ref, p.collecting_entity.code, p.provider, paid_at, p.amount, p.status]
            if p.settled_at is not None:  # a matched line: the provider's amount was ours
                yield [*start, timezone.localtime(p.settled_at).isoformat(), p.settled_txn_id, p.amount,
                       p.settled_fee, RowOutcome.MATCHED]  # fmt: skip
            elif p.row_outcome:
                yield [*start, "", p.row_txn_id, p.row_amount, p.row_fee, p.row_outcome]
            else:
                yield [*start, "", "", "", "", "missing" if p.reported_missing else "not_settled_yet"]

    return csv_response(f"reconciliation-{day.isoformat()}.csv", header, body())
