"""Thin views: read through selectors, write through services, show errors beside the fields."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from datacenter import selectors, services
from datacenter.constants import RequestStatus
from datacenter.forms import AnswerForm, QueueFilterForm, ReasonForm, RequestForm, ResubmitForm, ReturnForm
from datacenter.models import AuthenticityRequest, Certificate
from govportal.accounts.constants import Role
from govportal.accounts.selectors import entities_of, roles_in
from govportal.pdf.services import pdf_render
from govportal.verification.constants import ArtifactStatus
from govportal.web.forms import apply_service_errors
from govportal.web.http import AuthenticatedHttpRequest as HttpRequest


@login_required
def index(request: HttpRequest) -> HttpResponse:
    if entities_of(request.user, roles=selectors.ISSUER_ROLES).exists():
        return redirect("datacenter:queue")
    return redirect("datacenter:requests")


@login_required
def requests_sent_list(request: HttpRequest) -> HttpResponse:
    if not entities_of(request.user, roles=selectors.REQUESTER_ROLES).exists():
        raise Http404
    page = Paginator(selectors.requests_sent(request.user).order_by("-submitted_at"), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "datacenter/requests.html", {"page": page, **_nav(request)})


@login_required
def request_new(request: HttpRequest) -> HttpResponse:
    entities = entities_of(request.user, roles=selectors.REQUESTER_ROLES)
    if not entities.exists():
        raise Http404
    form = RequestForm(request.POST or None, request.FILES or None, requesting_entities=entities)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.request_submit(
                requesting_entity=form.cleaned_data["requesting_entity"],
                issuing_entity=form.cleaned_data["issuing_entity"],
                details=form.details(),
                attachment=form.cleaned_data["attachment"],
                note=form.cleaned_data["note"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Request %(reference)s has been sent.") % {"reference": item.reference})
            return redirect("datacenter:request_detail", pk=item.pk)
    return render(request, "datacenter/request_form.html", {"form": form})


def _visible_request(request: HttpRequest, pk: UUID) -> AuthenticityRequest:
    return get_object_or_404(selectors.requests_visible(request.user), pk=pk)


def _nav(request: HttpRequest) -> dict[str, bool]:
    """Which parts of the certificates area this person has (the sub-navigation shows only those)."""
    return {
        "is_issuer": entities_of(request.user, roles=selectors.ISSUER_ROLES).exists(),
        "is_requester": entities_of(request.user, roles=selectors.REQUESTER_ROLES).exists(),
    }


def _detail_context(request: HttpRequest, item: AuthenticityRequest, **forms: object) -> dict[str, object]:
    """The request page: which actions this person may take is decided by their roles, every time."""
    is_issuer = bool(roles_in(request.user, item.issuing_entity) & {str(r) for r in selectors.ISSUER_ROLES})
    is_requester = bool(roles_in(request.user, item.requesting_entity) & {str(r) for r in selectors.REQUESTER_ROLES})
    return {
        "item": item,
        "certificate": Certificate.objects.filter(request=item).first(),
        "can_answer": is_issuer and item.status in (RequestStatus.SUBMITTED, RequestStatus.UNDER_REVIEW),
        "can_resubmit": is_requester and item.status == RequestStatus.RETURNED,
        "answer_form": AnswerForm(),
        "return_form": ReturnForm(),
        "resubmit_form": ResubmitForm(),
        **forms,
    }


@login_required
def request_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    item = _visible_request(request, pk)
    return render(request, "datacenter/request_detail.html", _detail_context(request, item))


@login_required
def request_attachment(request: HttpRequest, pk: UUID) -> FileResponse:
    """The scan, only through this permission-checked view (never a public URL)."""
    item = _visible_request(request, pk)
    extension = (item.attachment.name or "").rsplit(".", 1)[-1]
    return FileResponse(
        item.attachment.open("rb"),
        as_attachment=True,
        filename=f"{item.reference}.{extension}",
        content_type=item.attachment_content_type,
    )


def _post_action(request: HttpRequest, pk: UUID, form_class: type, action: object, template_key: str) -> HttpResponse:
    item = _visible_request(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(item, form.cleaned_data)  # type: ignore[operator]
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("datacenter:request_detail", pk=item.pk)
    context = _detail_context(request, item, **{template_key: form})
    return render(request, "datacenter/request_detail.html", context, status=400)


@login_required
@require_POST
def request_review(request: HttpRequest, pk: UUID) -> HttpResponse:
    item = _visible_request(request, pk)
    try:
        services.request_start_review(item=item, actor=request.user, request=request)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("datacenter:request_detail", pk=item.pk)


@login_required
@require_POST
def request_answer_view(request: HttpRequest, pk: UUID) -> HttpResponse:
    def answer(item: AuthenticityRequest, data: dict) -> None:
        certificate = services.request_answer(
            item=item,
            outcome=data["outcome"],
            reason=data["reason"],
            actor=request.user,
            request=request,
        )
        messages.success(request, _("Certificate %(serial)s has been issued.") % {"serial": certificate.serial})

    return _post_action(request, pk, AnswerForm, answer, "answer_form")


@login_required
@require_POST
def request_return_view(request: HttpRequest, pk: UUID) -> HttpResponse:
    def send_back(item: AuthenticityRequest, data: dict) -> None:
        services.request_return(item=item, reason=data["reason"], actor=request.user, request=request)
        messages.success(request, _("The request has been returned to the requester."))

    return _post_action(request, pk, ReturnForm, send_back, "return_form")


@login_required
@require_POST
def request_resubmit_view(request: HttpRequest, pk: UUID) -> HttpResponse:
    def resubmit(item: AuthenticityRequest, data: dict) -> None:
        services.request_resubmit(item=item, note=data["note"], actor=request.user, request=request)
        messages.success(request, _("The request has been sent again."))

    return _post_action(request, pk, ResubmitForm, resubmit, "resubmit_form")


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The issuing entity's incoming requests: overdue first, then by due date."""
    if not entities_of(request.user, roles=selectors.ISSUER_ROLES).exists():
        raise Http404
    form = QueueFilterForm(request.GET or None)
    items = selectors.request_queue(request.user)
    data = form.cleaned_data if form.is_valid() else {}
    items = items.filter(status=data["status"]) if data.get("status") else items.open()
    if data.get("document_type"):
        items = items.filter(document_type=data["document_type"])
    items = selectors.search_requests(items, data.get("q", ""))
    page = Paginator(items.overdue_first(), 25).get_page(request.GET.get("page"))
    return render(request, "datacenter/queue.html", {"page": page, "form": form, **_nav(request)})


@login_required
def certificate_list(request: HttpRequest) -> HttpResponse:
    certificates = selectors.certificates_visible(request.user).order_by("-issued_at")
    page = Paginator(certificates, 25).get_page(request.GET.get("page"))
    return render(request, "datacenter/certificates.html", {"page": page, **_nav(request)})


def _visible_certificate(request: HttpRequest, pk: UUID) -> Certificate:
    return get_object_or_404(selectors.certificates_visible(request.user), pk=pk)


def _can_revoke(request: HttpRequest, certificate: Certificate) -> bool:
    return Role.ENTITY_HEAD in roles_in(request.user, certificate.issuing_entity) and (
        certificate.artifact.status == ArtifactStatus.VALID
    )


@login_required
def certificate_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    certificate = _visible_certificate(request, pk)
    context = {"certificate": certificate, "can_revoke": _can_revoke(request, certificate)}
    return render(request, "datacenter/certificate_detail.html", context)


@login_required
def certificate_pdf(request: HttpRequest, pk: UUID) -> FileResponse:
    """The signed PDF; rendered here on first download if the worker has not done it yet."""
    certificate = pdf_render(instance=_visible_certificate(request, pk))
    return FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"{certificate.serial}.pdf",
        content_type="application/pdf",
    )


@login_required
def certificate_revoke_view(request: HttpRequest, pk: UUID) -> HttpResponse:
    """What revoking does, with the reason to give (GET); then revoke (POST). Nothing before."""
    certificate = _visible_certificate(request, pk)
    if not _can_revoke(request, certificate):
        raise Http404
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_revoke(
                certificate=certificate,
                reason=form.cleaned_data["reason"],
                actor=request.user,
                request=request,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Certificate %(serial)s has been revoked.") % {"serial": certificate.serial})
            return redirect("datacenter:certificate_detail", pk=certificate.pk)
    return render(
        request,
        "datacenter/certificate_revoke.html",
        {"certificate": certificate, "form": form},
        status=400 if form.errors else 200,
    )
