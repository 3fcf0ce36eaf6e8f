"""Auditors' files of documents to check: upload a CSV of serials and dates, follow its progress,
download the answers. Only auditors see these pages (anyone else: not found).

The check runs in a Celery task; the file's page shows how far it has got (a "Check progress"
link, no automatic refresh) and, when the file is refused, every bad row with what is wrong.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govportal.entities.models import Entity
from govportal.uploads import check_size, file_size
from govportal.verification.batches import (
    BATCH_ROLES,
    MAX_FILE_BYTES,
    batch_entities,
    batch_progress,
    batch_upload,
    batches_of,
    error_lines,
)
from govportal.verification.constants import BatchStatus
from govportal.web.http import AuthenticatedHttpRequest as HttpRequest
from govportal.web.workspace import Card

STATUS_TONES: dict[str, str] = {
    BatchStatus.QUEUED: "grey",
    BatchStatus.RUNNING: "blue",
    BatchStatus.DONE: "green",
    BatchStatus.FAILED: "red",
}


class BatchForm(forms.Form):
    entity: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=gettext_lazy("For the entity"), queryset=None, empty_label=None
    )
    file = forms.FileField(
        label=gettext_lazy("File of serial numbers and dates (CSV)"),
        allow_empty_file=True,  # the check says why it is refused, as for a file of only its header
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args: Any, entities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entity"].queryset = entities  # type: ignore[attr-defined]
        # Built here, not at import, so that it reads in the language of the request.
        self.fields["file"].help_text = _(
            "UTF-8 text, one document a line: its serial number, a comma, and its date of issue written "
            "YYYY-MM-DD, as NDC-2026-000123,2026-03-05. A first line serial,date is allowed. At most %(size)s."
        ) % {"size": file_size(MAX_FILE_BYTES)}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        check_size(upload.size, max_bytes=MAX_FILE_BYTES)
        return upload


def _auditor(request: HttpRequest) -> Any:
    """The entities where the user is an auditor; anyone else is told the page does not exist."""
    entities = batch_entities(request.user)
    if not entities.exists():
        raise Http404
    return entities


@login_required
def batches(request: HttpRequest) -> HttpResponse:
    _auditor(request)
    page = Paginator(batches_of(request.user), 25).get_page(request.GET.get("page"))
    for item in page.object_list:
        item.status_tone = STATUS_TONES[item.status]  # type: ignore[attr-defined]
        item.progress = batch_progress(item)  # type: ignore[attr-defined]
    return render(request, "verification/batches/list.html", {"page": page})


@login_required
def batch_new(request: HttpRequest) -> HttpResponse:
    entities = _auditor(request)
    form = BatchForm(request.POST or None, request.FILES or None, entities=entities)
    if len(entities) == 1:
        form.fields["entity"].initial = entities[0]
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = batch_upload(
                entity=form.cleaned_data["entity"], name=upload.name, source=upload, actor=request.user, request=request
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            messages.success(
                request, _("The file %(name)s has been received and is being checked.") % {"name": upload.name}
            )
            return redirect("verify_batch", pk=batch.pk)
    return render(request, "verification/batches/new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def batch_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    batch = get_object_or_404(batches_of(request.user), pk=pk)
    batch.status_tone = STATUS_TONES[batch.status]  # type: ignore[attr-defined]
    context = {
        "item": batch,
        "progress": batch_progress(batch),
        "counts": batch.counts,
        "errors": error_lines(batch) if batch.status == BatchStatus.FAILED else [],
        "bad_rows": batch.counts.get("bad_rows", 0),
    }
    return render(request, "verification/batches/detail.html", context)


@login_required
def batch_results(request: HttpRequest, pk: UUID) -> FileResponse:
    batch = get_object_or_404(batches_of(request.user), pk=pk, status=BatchStatus.DONE)
    if not batch.result:
        raise Http404
    stem = batch.name.rsplit(".", 1)[0] or "documents"
    return FileResponse(
        batch.result.open("rb"),
        as_attachment=True,
        filename=f"{stem}-results.csv",
        content_type="text/csv; charset=utf-8",
    )


def auditor_cards(user: Any, entity: Entity, roles: set[str]) -> list[Card]:
    """An auditor's workspace card: check a file of documents."""
    if not roles & {str(role) for role in BATCH_ROLES}:
        return []
    return [Card(title=_("Check many documents from a file"), url=reverse("verify_batches"))]
