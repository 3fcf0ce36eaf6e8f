"""Legacy loan imports, for the fund officers of a branch: upload a file, follow it, read the result.

The import runs in a Celery task; its page shows how far it has got (a "Check progress" link,
no automatic refresh) and, when the file is refused, every bad row with its reasons.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govportal.uploads import check_size, file_size
from govportal.web.http import AuthenticatedHttpRequest as HttpRequest
from housing_fund.constants import ImportStatus
from housing_fund.importer import (
    COLUMNS,
    MAX_FILE_BYTES,
    error_messages,
    import_branches,
    import_progress,
    import_upload,
    imports_of,
)

STATUS_TONES: dict[str, str] = {
    ImportStatus.QUEUED: "grey",
    ImportStatus.RUNNING: "blue",
    ImportStatus.DONE: "green",
    ImportStatus.FAILED: "red",
}


class ImportForm(forms.Form):
    branch: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=gettext_lazy("Branch"), queryset=None, empty_label=None
    )
    file = forms.FileField(
        label=gettext_lazy("Legacy loans file (CSV)"),
        allow_empty_file=True,  # the importer says why it is refused, as for a file of only its header
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]
        # Built here, not at import, so that it reads in the language of the request.
        self.fields["file"].help_text = _(
            "A CSV file exported from the legacy system, UTF-8, whose first line is %(columns)s; at most %(size)s."
        ) % {"columns": ",".join(COLUMNS), "size": file_size(MAX_FILE_BYTES)}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        check_size(upload.size, max_bytes=MAX_FILE_BYTES)
        return upload


def _officer(request: HttpRequest) -> Any:
    """The branches where the user is a fund officer; anyone else is told the page does not exist."""
    branches = import_branches(request.user)
    if not branches.exists():
        raise Http404
    return branches


@login_required
def imports(request: HttpRequest) -> HttpResponse:
    _officer(request)
    page = Paginator(imports_of(request.user), 25).get_page(request.GET.get("page"))
    for item in page.object_list:
        item.status_tone = STATUS_TONES[item.status]  # type: ignore[attr-defined]
        item.progress = import_progress(item)  # type: ignore[attr-defined]
    return render(request, "housing_fund/imports/list.html", {"page": page})


@login_required
def import_new(request: HttpRequest) -> HttpResponse:
    branches = _officer(request)
    form = ImportForm(request.POST or None, request.FILES or None, branches=branches)
    if len(branches) == 1:
        form.fields["branch"].initial = branches[0]
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            loan_import = import_upload(
                branch=form.cleaned_data["branch"], name=upload.name, source=upload, actor=request.user, request=request
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            messages.success(
                request, _("The file %(name)s has been received and is being imported.") % {"name": upload.name}
            )
            return redirect("housing_fund:import_detail", pk=loan_import.pk)
    return render(request, "housing_fund/imports/new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def import_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    loan_import = get_object_or_404(imports_of(request.user), pk=pk)
    loan_import.status_tone = STATUS_TONES[loan_import.status]  # type: ignore[attr-defined]
    failed = loan_import.status == ImportStatus.FAILED
    errors = error_messages(loan_import.errors) if failed else []
    context = {
        "item": loan_import,
        "progress": import_progress(loan_import),
        "counts": loan_import.counts,
        "errors": errors,
        "bad_rows": loan_import.counts.get("bad_rows", 0),  # 0: the file as a whole was refused
    }
    return render(request, "housing_fund/imports/detail.html", context)
