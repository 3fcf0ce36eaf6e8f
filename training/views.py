"""Thin views: read through selectors, write through services, show errors beside the fields."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from govportal.accounts.models import User
from govportal.accounts.selectors import is_staff_member
from govportal.entities.models import Entity
from govportal.pdf.services import pdf_render
from govportal.web.forms import apply_service_errors
from govportal.web.http import AuthenticatedHttpRequest as HttpRequest
from training import checkin, selectors, services
from training.constants import (
    CHECKIN_SLOT_SECONDS,
    HOLDING,
    SEATED,
    EnrollmentStatus,
    NominationStatus,
    SessionState,
)
from training.forms import (
    CancelForm,
    ImportForm,
    NominateForm,
    NominationFilterForm,
    QuotaForm,
    RejectForm,
    ResultForm,
    SessionForm,
)
from training.ics import session_ics
from training.importer import nominations_import
from training.models import Attendance, Enrollment, Nomination, Programme, Quota, Session, TrainingCertificate
from training.reports import report_context, report_export


def _staff_only(request: HttpRequest) -> None:
    if not is_staff_member(request.user):
        raise Http404


def _nav(request: HttpRequest) -> dict[str, bool]:
    return {
        "is_training_admin": selectors.admin_entities(request.user).exists(),
        "is_coordinator": selectors.coordinator_entities(request.user).exists(),
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The catalogue: programmes with their coming sessions; the reader's own quotas, places and sessions."""
    _staff_only(request)
    programmes = list(selectors.programmes_visible(request.user).order_by("code"))
    sessions = selectors.sessions_visible(request.user).upcoming().order_by("start_date", "start_time")
    by_programme: dict[int, list[Session]] = {}
    for session in sessions:
        by_programme.setdefault(session.programme_id, []).append(session)
    coordinator_of = list(selectors.coordinator_entities(request.user))
    quotas = [
        _with_use(quota)
        for quota in Quota.objects.filter(entity__in=coordinator_of, seats__gt=0).select_related("programme", "entity")
    ]
    context = {
        "programmes": [(programme, by_programme.get(programme.pk, [])) for programme in programmes],
        "quotas": quotas,
        "teaching": Session.objects.filter(trainer=request.user).upcoming().select_related("programme"),
        "my_places": Enrollment.objects.filter(trainee__user=request.user)
        .exclude(status=EnrollmentStatus.CANCELLED)
        .select_related("session__programme", "certificate"),
        **_nav(request),
    }
    return render(request, "training/index.html", context)


def _with_use(quota: Quota) -> tuple[Quota, int, int]:
    used = selectors.quota_used(entity=quota.entity, programme=quota.programme)
    return quota, used, max(quota.seats - used, 0)


def _programme(request: HttpRequest, pk: int) -> Programme:
    return get_object_or_404(selectors.programmes_visible(request.user), pk=pk)


def _programme_context(request: HttpRequest, programme: Programme, **extra: Any) -> dict[str, Any]:
    is_admin = selectors.is_admin_of(request.user, programme)
    quotas = Quota.objects.filter(programme=programme).select_related("entity").order_by("-seats", "entity__code")
    if not is_admin:
        quotas = quotas.filter(entity__in=selectors.coordinator_entities(request.user))
    return {
        "programme": programme,
        "sessions": programme.sessions.select_related("trainer").order_by("-start_date"),
        "quotas": [_with_use(quota) for quota in quotas],
        "is_admin": is_admin,
        "quota_form": QuotaForm(),
        "session_form": SessionForm(),
        **_nav(request),
        **extra,
    }


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    return render(request, "training/programme_detail.html", _programme_context(request, programme))


@login_required
@require_POST
def programme_quota(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    if not selectors.is_admin_of(request.user, programme):
        raise Http404
    form = QuotaForm(request.POST)
    if form.is_valid():
        try:
            quota = services.quota_set(
                programme=programme,
                entity=form.cleaned_data["entity"],
                seats=form.cleaned_data["seats"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(entity)s now has %(seats)d seats in this programme.")
                % {"entity": quota.entity.name, "seats": quota.seats},
            )
            return redirect("training:programme_detail", pk=programme.pk)
    context = _programme_context(request, programme, quota_form=form)
    return render(request, "training/programme_detail.html", context, status=400)


@login_required
@require_POST
def programme_session_new(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    if not selectors.is_admin_of(request.user, programme):
        raise Http404
    form = SessionForm(request.POST)
    if form.is_valid():
        trainer = User.objects.filter(email__iexact=form.cleaned_data["trainer_email"], is_active=True).first()
        if trainer is None:
            form.add_error("trainer_email", _("There is no portal account with this e-mail address."))
        else:
            try:
                session = services.session_create(
                    programme=programme, trainer=trainer, details=form.details(), actor=request.user, request=request
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("The session has been scheduled."))
                return redirect("training:session_detail", pk=session.pk)
    context = _programme_context(request, programme, session_form=form)
    return render(request, "training/programme_detail.html", context, status=400)


# --- sessions and nominating ------------------------------------------------------------------------


IMPORT_IDS = "import_%s"


def _session(request: HttpRequest, pk: UUID) -> Session:
    return get_object_or_404(selectors.sessions_visible(request.user), pk=pk)


def _nominating_entities(request: HttpRequest, session: Session) -> Any:
    """The coordinator's institutions; for the programme's administrators, every institution with a quota."""
    entities = selectors.coordinator_entities(request.user)
    if selectors.is_admin_of(request.user, session.programme):
        with_quota = Quota.objects.filter(programme=session.programme, seats__gt=0).values("entity_id")
        entities = entities | Entity.objects.filter(pk__in=with_quota)
    return entities.order_by("path")


def _session_context(request: HttpRequest, session: Session, **extra: Any) -> dict[str, Any]:
    user = request.user
    is_admin = selectors.is_admin_of(user, session.programme)
    entities = _nominating_entities(request, session)
    coordinator_of = set(selectors.coordinator_entities(user).values_list("pk", flat=True))
    places = list(
        selectors.enrollments_visible(user)
        .filter(session=session)
        .exclude(status=EnrollmentStatus.CANCELLED)
        .select_related("trainee__entity", "nomination__entity")
        .order_by("queue_number")
    )
    waiting = 0
    for place in places:
        if place.status == EnrollmentStatus.WAITLISTED:
            waiting += 1
            place.waitlist_position = waiting  # type: ignore[attr-defined]
        place.can_cancel = place.status in (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED) and (  # type: ignore[attr-defined]
            is_admin or (place.nomination.entity_id in coordinator_of and not session.is_locked)
        )
    pending = selectors.nominations_visible(user).filter(session=session, status=NominationStatus.NOMINATED)
    state = session.state
    may_nominate = entities.exists() and state != SessionState.FINISHED and (is_admin or state == SessionState.OPEN)
    return {
        "session": session,
        "programme": session.programme,
        "state": state,
        "seats": selectors.seats_taken(session),
        "places": places,
        "pending": pending.order_by("nominated_at"),
        "is_admin": is_admin,
        "can_take_attendance": selectors.can_mark_attendance(user, session),
        "may_nominate": may_nominate,
        "nominate_form": NominateForm(entities=entities) if may_nominate else None,
        # Its own ids: the nominate form on the same page has an "entity" field too.
        "import_form": ImportForm(entities=entities, auto_id=IMPORT_IDS) if may_nominate else None,
        "cancel_form": CancelForm(),
        **_nav(request),
        **extra,
    }


@login_required
def session_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    session = _session(request, pk)
    return render(request, "training/session_detail.html", _session_context(request, session))


@login_required
@require_POST
def session_nominate(request: HttpRequest, pk: UUID) -> HttpResponse:
    session = _session(request, pk)
    form = NominateForm(request.POST, entities=_nominating_entities(request, session))
    if form.is_valid():
        try:
            with transaction.atomic():
                trainee = services.trainee_upsert(entity=form.cleaned_data["entity"], details=form.details())
                services.nomination_create(session=session, trainee=trainee, actor=request.user, request=request)
                services.nominations_notify_admins(session=session, entity=trainee.entity, count=1)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s has been nominated for this session.") % {"name": trainee.full_name})
            return redirect("training:session_detail", pk=session.pk)
    context = _session_context(request, session, nominate_form=form)
    return render(request, "training/session_detail.html", context, status=400)


@login_required
@require_POST
def session_import(request: HttpRequest, pk: UUID) -> HttpResponse:
    session = _session(request, pk)
    form = ImportForm(request.POST, request.FILES, entities=_nominating_entities(request, session), auto_id=IMPORT_IDS)
    report = None
    if form.is_valid():
        try:
            report = nominations_import(
                session=session,
                entity=form.cleaned_data["entity"],
                upload=form.cleaned_data["file"],
                actor=request.user,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as error:
            form.add_error("file", error)
        else:
            if report.ok:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s employee has been nominated from the file.",
                        "%(count)s employees have been nominated from the file.",
                        report.imported,
                    )
                    % {"count": report.imported},
                )
                return redirect("training:session_detail", pk=session.pk)
    context = _session_context(request, session, import_form=form, import_report=report)
    return render(request, "training/session_detail.html", context, status=400)


@login_required
def session_calendar(request: HttpRequest, pk: UUID) -> HttpResponse:
    session = _session(request, pk)
    response = HttpResponse(session_ics(session), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="training-{session.start_date:%Y%m%d}.ics"'
    return response


# --- the Secretariat's queue ---------------------------------------------------------------------------


@login_required
def nominations(request: HttpRequest) -> HttpResponse:
    """Administrators: nominations to decide, oldest first. Coordinators: their institution's nominations."""
    _staff_only(request)
    nav = _nav(request)
    if not (nav["is_training_admin"] or nav["is_coordinator"]):
        raise Http404
    # Administrators start on what awaits their decision; anyone may widen the filter.
    params = request.GET or ({"status": NominationStatus.NOMINATED} if nav["is_training_admin"] else None)
    form = NominationFilterForm(params)
    data = form.cleaned_data if form.is_valid() else {}
    items = selectors.nominations_visible(request.user).select_related("enrollment")
    status = data.get("status", "")
    if status:
        items = items.filter(status=status)
    if data.get("place"):
        items = items.filter(enrollment__status=data["place"])
    page = Paginator(items.order_by("nominated_at", "pk"), 50).get_page(request.GET.get("page"))
    admin_of = set(selectors.admin_entities(request.user).values_list("pk", flat=True))
    # The rows this reader may approve or reject; the column of buttons is there only when some are.
    decidable = {
        n.pk for n in page if n.status == NominationStatus.NOMINATED and n.session.programme.owner_id in admin_of
    }
    context = {"page": page, "form": form, "status": status, "decidable": decidable, "reject_form": RejectForm(), **nav}
    return render(request, "training/nominations.html", context)


def _nomination(request: HttpRequest, pk: int) -> Nomination:
    return get_object_or_404(selectors.nominations_visible(request.user), pk=pk)


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/training/") else fallback)


@login_required
@require_POST
def nomination_approve(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _nomination(request, pk)
    try:
        enrollment = services.nomination_approve(nomination=nomination, actor=request.user, request=request)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        name = nomination.trainee.full_name
        if enrollment.status == EnrollmentStatus.ENROLLED:
            messages.success(request, _("Approved: %(name)s has a seat.") % {"name": name})
        else:
            messages.success(
                request,
                _("Approved: the session is full, so %(name)s is number %(position)d on the waiting list.")
                % {"name": name, "position": selectors.waitlist_position(enrollment) or 0},
            )
    return _back(request, reverse("training:nominations"))


@login_required
@require_POST
def nomination_reject(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _nomination(request, pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.nomination_reject(
                nomination=nomination, reason=form.cleaned_data["reason"], actor=request.user, request=request
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The nomination of %(name)s was rejected.") % {"name": nomination.trainee})
    else:
        messages.error(request, _("Give the reason, so that the coordinator knows."))
    return _back(request, reverse("training:nominations"))


@login_required
def enrollment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """What cancelling a place does, with an optional reason (GET); then cancel it (POST)."""
    enrollment = get_object_or_404(selectors.enrollments_visible(request.user), pk=pk)
    session = enrollment.session
    if not (
        selectors.is_admin_of(request.user, session.programme)
        or selectors.is_coordinator_of(request.user, enrollment.nomination.entity)
    ):
        raise Http404
    form = CancelForm(request.POST or None)
    if request.method == "POST":
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        try:
            promoted = services.enrollment_cancel(
                enrollment=enrollment, reason=reason, actor=request.user, request=request
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            text = _("The place of %(name)s was cancelled.") % {"name": enrollment.trainee}
            if promoted is not None:
                text += " " + _("%(name)s moved from the waiting list to the free seat.") % {"name": promoted.trainee}
            messages.success(request, text)
        return redirect("training:session_detail", pk=enrollment.session_id)
    if enrollment.status not in HOLDING:
        raise Http404
    context = {
        "enrollment": enrollment,
        "session": session,
        "seats": selectors.seats_taken(session),
        "form": form,
        "promotes": enrollment.status == EnrollmentStatus.ENROLLED and timezone.now() < session.ends_at,
    }
    return render(request, "training/enrollment_cancel.html", context)


# --- attendance, results, check-in ---------------------------------------------------------------------


def _taught_session(request: HttpRequest, pk: UUID) -> Session:
    session = _session(request, pk)
    if not selectors.can_mark_attendance(request.user, session):
        raise Http404
    return session


def _chosen_day(session: Session, text: str | None) -> dt.date:
    days = session.days
    try:
        day = dt.date.fromisoformat(text or "")
    except ValueError:
        today = timezone.localdate()
        day = today if today in days else days[0]
    return day if day in days else days[0]


@login_required
def attendance(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The trainer's checklist for one day, and the results once the session is over."""
    session = _taught_session(request, pk)
    day = _chosen_day(session, request.POST.get("day") if request.method == "POST" else request.GET.get("day"))
    if request.method == "POST":
        present = {int(value) for value in request.POST.getlist("present") if value.isdigit()}
        try:
            count = services.attendance_mark(
                session=session, day=day, present=present, actor=request.user, request=request
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Attendance for %(day)s saved: %(present)d of %(count)d present.")
                % {"day": day.isoformat(), "present": len(present), "count": count},
            )
            return redirect(f"{reverse('training:attendance', args=[session.pk])}?day={day.isoformat()}")
    return render(request, "training/attendance.html", _attendance_context(request, session, day))


def _attendance_context(request: HttpRequest, session: Session, day: dt.date, **extra: Any) -> dict[str, Any]:
    enrollments = list(
        Enrollment.objects.filter(
            session=session,
            status__in=SEATED,
        )
        .select_related("trainee__entity")
        .order_by("trainee__full_name")
    )
    marks = {
        a.enrollment_id: a
        for a in Attendance.objects.filter(enrollment__session=session, day=day).select_related("marked_by")
    }
    certificates = {c.enrollment_id: c for c in TrainingCertificate.objects.filter(enrollment__session=session)}
    for enrollment in enrollments:
        enrollment.mark = marks.get(enrollment.pk)  # type: ignore[attr-defined]
        enrollment.share = services.attendance_share(enrollment)  # type: ignore[attr-defined]
        enrollment.issued = certificates.get(enrollment.pk)  # type: ignore[attr-defined]
    today = timezone.localdate()
    return {
        "session": session,
        "programme": session.programme,
        "day": day,
        "days": session.days,
        "enrollments": enrollments,
        # Everyone in ``enrollments`` holds a seat; those with a result can no longer be marked.
        "seated": [e for e in enrollments if e.status == EnrollmentStatus.ENROLLED],
        "assessed": [e for e in enrollments if e.status != EnrollmentStatus.ENROLLED],
        "day_is_future": day > today,
        "results_open": today >= session.end_date,
        "result_form": ResultForm(),
        **extra,
    }


@login_required
@require_POST
def enrollment_result(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = get_object_or_404(selectors.enrollments_visible(request.user), pk=pk)
    session = _taught_session(request, enrollment.session_id)
    form = ResultForm(request.POST)
    if form.is_valid():
        try:
            enrollment = services.enrollment_complete(
                enrollment=enrollment, score=form.cleaned_data["score"], actor=request.user, request=request
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if enrollment.status == EnrollmentStatus.COMPLETED:
                messages.success(
                    request,
                    _("%(name)s completed the training; certificate %(serial)s has been issued.")
                    % {"name": enrollment.trainee, "serial": enrollment.certificate.serial},
                )
            else:
                messages.success(request, _("%(name)s did not pass.") % {"name": enrollment.trainee})
    else:
        messages.error(request, _("The score is a whole number from 0 to 100."))
    return redirect(f"{reverse('training:attendance', args=[session.pk])}#results")


@login_required
def checkin_display(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The code shown in the room (on the trainer's screen); it changes every few seconds."""
    session = _taught_session(request, pk)
    today = timezone.localdate()
    url = ""
    if today in session.days:
        token = checkin.checkin_token(session.pk)
        url = request.build_absolute_uri(reverse("training:checkin", args=[token]))
    context = {
        "session": session,
        "programme": session.programme,
        "checkin_url": url,
        "slot_seconds": CHECKIN_SLOT_SECONDS,
        "seconds_left": checkin.seconds_left(),
        "present_today": Attendance.objects.filter(enrollment__session=session, day=today, present=True).count(),
        "seated": selectors.seats_taken(session)["enrolled"],
    }
    return render(request, "training/checkin_display.html", context)


@login_required
def checkin_scan(request: HttpRequest, token: str) -> HttpResponse:
    """Where the room's QR code leads: a signed-in trainee confirms, and is marked present."""
    code = checkin.checkin_read(token)
    session = Session.objects.select_related("programme").filter(pk=code.session_id).first() if code else None
    if code is None or session is None:
        return render(request, "training/checkin.html", {"expired": True}, status=400)
    done = False
    if request.method == "POST":
        try:
            services.attendance_self_checkin(session=session, day=code.day, user=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            done = True
    return render(request, "training/checkin.html", {"session": session, "programme": session.programme, "done": done})


# --- certificates and reports -----------------------------------------------------------------------------


def _certificate(request: HttpRequest, pk: UUID) -> TrainingCertificate:
    return get_object_or_404(selectors.certificates_visible(request.user), pk=pk)


@login_required
def certificate_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    certificate = _certificate(request, pk)
    return render(request, "training/certificate_detail.html", {"certificate": certificate, **_nav(request)})


@login_required
def certificate_pdf(request: HttpRequest, pk: UUID) -> FileResponse:
    """The signed PDF; rendered here on first download if the worker has not done it yet."""
    certificate = pdf_render(instance=_certificate(request, pk))
    return FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"{certificate.serial}.pdf",
        content_type="application/pdf",
    )


@login_required
def reports(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Progress toward the target, per institution and per programme (administrators)."""
    admin_of = selectors.admin_entities(request.user)
    if not admin_of.exists():
        raise Http404
    programmes = Programme.objects.filter(owner__in=admin_of).order_by("code")
    context = report_context(request.GET, programmes)
    export = request.GET.get("export", "")
    if export:
        response = report_export(export, request.GET.get("table", ""), context)
        if response is None:
            raise Http404
        return response
    return render(request, "training/reports.html", {**context, **_nav(request)})
