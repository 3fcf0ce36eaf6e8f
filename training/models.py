"""Training: programmes, their sessions, institution quotas, trainees, nominations and places."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govportal.accounts.validators import validate_iraqi_mobile, validate_national_id
from govportal.text import in_reader_language
from training.constants import HOLDING, AttendanceMethod, EnrollmentStatus, NominationStatus, SessionState, System


def certificate_pdf_path(instance: TrainingCertificate, filename: str) -> str:
    return f"training/certificates/{instance.issued_at:%Y}/{instance.serial}.pdf"


class Programme(models.Model):
    """A course, owned by the entity that runs it (the General Secretariat)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    owner = models.ForeignKey(
        "entities.Entity",
        verbose_name=_("organising entity"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Its training administrators run the programme and sign its certificates."),
    )
    title_ar = models.CharField(_("title (Arabic)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    system = models.CharField(_("system it trains for"), max_length=16, choices=System.choices)
    hours = models.PositiveSmallIntegerField(_("hours"), validators=[MinValueValidator(1)])
    audience_ar = models.CharField(_("audience (Arabic)"), max_length=300, blank=True)
    audience_en = models.CharField(_("audience (English)"), max_length=300, blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark"), default=60, validators=[MaxValueValidator(100)], help_text=_("Out of 100.")
    )
    min_attendance = models.PositiveSmallIntegerField(
        _("minimum attendance (%)"),
        default=80,
        validators=[MaxValueValidator(100)],
        help_text=_("Share of the session's days a trainee must attend to complete it."),
    )
    is_active = models.BooleanField(_("open for nominations"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("training programme")
        verbose_name_plural = _("training programmes")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(pass_mark__lte=100), name="programme_pass_mark_max_100"),
            models.CheckConstraint(condition=Q(min_attendance__lte=100), name="programme_min_attendance_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    @property
    def title(self) -> str:
        """In the reader's language; programmes are written in Arabic and English, so Kurdish readers get
        the Arabic."""
        return in_reader_language(ar=self.title_ar, en=self.title_en)

    @property
    def description(self) -> str:
        return in_reader_language(ar=self.description_ar, en=self.description_en)

    @property
    def audience(self) -> str:
        return in_reader_language(ar=self.audience_ar, en=self.audience_en)


class SessionQuerySet(models.QuerySet["Session"]):
    def overlapping(self, session: Session) -> SessionQuerySet:
        """Sessions whose days and daily hours both overlap ``session``'s (itself excluded)."""
        return self.filter(
            start_date__lte=session.end_date,
            end_date__gte=session.start_date,
            start_time__lt=session.end_time,
            end_time__gt=session.start_time,
        ).exclude(pk=session.pk)

    def upcoming(self) -> SessionQuerySet:
        return self.filter(end_date__gte=timezone.localdate())


class Session(models.Model):
    """A workshop of a programme: the same hours on each day from ``start_date`` to ``end_date``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="sessions"
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), blank=True)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainer"),
        on_delete=models.PROTECT,
        related_name="training_sessions",
        help_text=_("A staff member; marks attendance and records results."),
    )
    capacity = models.PositiveIntegerField(_("seats"), validators=[MinValueValidator(1)])
    enrollment_opens_at = models.DateTimeField(_("nominations open"))
    enrollment_closes_at = models.DateTimeField(_("nominations close"))
    lock_days = models.PositiveSmallIntegerField(
        _("locked days before start"),
        default=3,
        help_text=_("From then on only training administrators may nominate or cancel."),
    )
    next_queue_number = models.PositiveIntegerField(_("places handed out"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["start_date", "start_time"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="session_dates_in_order"),
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="session_times_in_order"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_capacity_positive"),
            models.CheckConstraint(
                condition=Q(enrollment_closes_at__gt=F("enrollment_opens_at")), name="session_window_in_order"
            ),
            models.CheckConstraint(condition=~Q(venue="") | ~Q(online_url=""), name="session_has_a_place"),
        ]
        indexes = [models.Index(fields=["start_date", "end_date"])]

    def __str__(self) -> str:
        return f"{self.programme.code} {self.start_date:%Y-%m-%d}"

    def _at(self, day: dt.date, time: dt.time) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, time))

    @property
    def starts_at(self) -> dt.datetime:
        return self._at(self.start_date, self.start_time)

    @property
    def ends_at(self) -> dt.datetime:
        return self._at(self.end_date, self.end_time)

    @property
    def locks_at(self) -> dt.datetime:
        """From then on only training administrators nominate or cancel places."""
        return self.starts_at - dt.timedelta(days=self.lock_days)

    @property
    def is_locked(self) -> bool:
        return timezone.now() >= self.locks_at

    @property
    def nominations_close_at(self) -> dt.datetime:
        """The coordinators' one cut-off for nominating: the window's close or the lock, whichever is first."""
        return min(self.enrollment_closes_at, self.locks_at)

    def state_at(self, now: dt.datetime) -> SessionState:
        """The one reading of the dates that pages and services share."""
        if now >= self.ends_at:
            return SessionState.FINISHED
        if now >= self.starts_at:
            return SessionState.RUNNING
        if now >= self.locks_at:
            return SessionState.LOCKED
        if now >= self.nominations_close_at:
            return SessionState.CLOSED  # coordinators may still cancel places until the lock
        if now >= self.enrollment_opens_at:
            return SessionState.OPEN
        return SessionState.UPCOMING

    @property
    def state(self) -> SessionState:
        return self.state_at(timezone.now())

    @property
    def state_tone(self) -> str:
        return {
            SessionState.UPCOMING: "grey",
            SessionState.OPEN: "green",
            SessionState.CLOSED: "amber",
            SessionState.LOCKED: "amber",
            SessionState.RUNNING: "blue",
            SessionState.FINISHED: "grey",
        }[self.state]

    @property
    def days(self) -> list[dt.date]:
        count = (self.end_date - self.start_date).days + 1
        return [self.start_date + dt.timedelta(days=n) for n in range(count)]


class Quota(models.Model):
    """Seats of one programme given to one institution: the national target shared out."""

    entity = models.ForeignKey("entities.Entity", verbose_name=_("institution"), on_delete=models.PROTECT)
    programme = models.ForeignKey(Programme, verbose_name=_("programme"), on_delete=models.PROTECT)
    seats = models.PositiveIntegerField(_("seats"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        ordering = ["programme__code", "entity__path"]
        constraints = [models.UniqueConstraint(fields=["entity", "programme"], name="quota_one_per_entity_programme")]

    def __str__(self) -> str:
        return f"{self.entity.code} · {self.programme.code}: {self.seats}"


class Trainee(models.Model):
    """An employee of a state institution who is (to be) trained; may or may not have an account."""

    full_name = models.CharField(_("full name"), max_length=200)
    national_id = models.CharField(
        _("national ID number"), max_length=12, unique=True, validators=[validate_national_id]
    )
    job_title = models.CharField(_("job title"), max_length=200)
    entity = models.ForeignKey(
        "entities.Entity", verbose_name=_("institution"), on_delete=models.PROTECT, related_name="+"
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True, validators=[validate_iraqi_mobile])
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trainee",
        help_text=_("Linked when the e-mail address is that of a portal account; lets them check in themselves."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("trainee")
        verbose_name_plural = _("trainees")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name


class Nomination(models.Model):
    """An institution's coordinator puts an employee forward for a session; the Secretariat decides."""

    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.PROTECT, related_name="+")
    trainee = models.ForeignKey(Trainee, verbose_name=_("trainee"), on_delete=models.PROTECT, related_name="+")
    entity = models.ForeignKey(
        "entities.Entity", verbose_name=_("nominating institution"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=NominationStatus.choices, default=NominationStatus.NOMINATED
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("nominated by"), on_delete=models.PROTECT, related_name="+"
    )
    nominated_at = models.DateTimeField(_("nominated at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["nominated_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["trainee", "session"],
                condition=Q(status=NominationStatus.NOMINATED),
                name="nomination_one_pending_per_trainee_session",
            ),
            models.CheckConstraint(
                condition=~Q(status=NominationStatus.REJECTED) | ~Q(reason=""), name="nomination_rejected_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["status", "nominated_at"])]

    def __str__(self) -> str:
        return f"{self.trainee} → {self.session}"

    @property
    def status_tone(self) -> str:
        return {"nominated": "blue", "approved": "green", "rejected": "red"}[self.status]


class EnrollmentQuerySet(models.QuerySet["Enrollment"]):
    def holding(self) -> EnrollmentQuerySet:
        return self.filter(status__in=HOLDING)

    def enrolled(self) -> EnrollmentQuerySet:
        return self.filter(status=EnrollmentStatus.ENROLLED)

    def waitlisted(self) -> EnrollmentQuerySet:
        return self.filter(status=EnrollmentStatus.WAITLISTED).order_by("queue_number")


class Enrollment(models.Model):
    """A place in a session, given when a nomination is approved: a seat, or a turn on the waiting list.

    ``queue_number`` is the order in which places were handed out (taken under the session's row
    lock): the waiting list is served in that order.
    """

    nomination = models.OneToOneField(
        Nomination, verbose_name=_("nomination"), on_delete=models.PROTECT, related_name="enrollment"
    )
    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.PROTECT, related_name="+")
    trainee = models.ForeignKey(Trainee, verbose_name=_("trainee"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=EnrollmentStatus.choices)
    queue_number = models.PositiveIntegerField(_("order of arrival"))
    created_at = models.DateTimeField(_("placed at"), default=timezone.now)
    enrolled_at = models.DateTimeField(_("given a seat at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    score = models.PositiveSmallIntegerField(
        _("assessment score"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["session", "queue_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["trainee", "session"],
                condition=~Q(status=EnrollmentStatus.CANCELLED),
                name="enrollment_one_place_per_trainee_session",
            ),
            models.UniqueConstraint(fields=["session", "queue_number"], name="enrollment_unique_queue_number"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100), name="enrollment_score_max_100"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[EnrollmentStatus.COMPLETED, EnrollmentStatus.FAILED]) | Q(score__isnull=False),
                name="enrollment_result_has_score",
            ),
        ]
        indexes = [models.Index(fields=["session", "status", "queue_number"])]

    def __str__(self) -> str:
        return f"{self.trainee} · {self.session} ({self.status})"

    @property
    def status_tone(self) -> str:
        return {
            "enrolled": "green",
            "waitlisted": "amber",
            "cancelled": "grey",
            "completed": "blue",
            "failed": "red",
        }[self.status]


class Attendance(models.Model):
    """Whether a trainee was there on one day of the session."""

    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("enrollment"), on_delete=models.PROTECT, related_name="attendance"
    )
    day = models.DateField(_("day"))
    present = models.BooleanField(_("present"))
    method = models.CharField(_("recorded by"), max_length=16, choices=AttendanceMethod.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("marked by"), on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["enrollment", "day"], name="attendance_one_per_day")]

    def __str__(self) -> str:
        return f"{self.enrollment.trainee} {self.day}: {self.present}"


class TrainingCertificate(models.Model):
    """Issued when a trainee completes a session: signed by the organising entity, verifiable by QR."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    serial = models.CharField(_("serial"), max_length=64, unique=True)
    enrollment = models.OneToOneField(
        Enrollment, verbose_name=_("enrollment"), on_delete=models.PROTECT, related_name="certificate"
    )
    issuing_entity = models.ForeignKey(
        "entities.Entity", verbose_name=_("issuing entity"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    artifact = models.OneToOneField(
        "verification.Artifact", verbose_name=_("verifiable record"), on_delete=models.PROTECT, related_name="+"
    )
    pdf = models.FileField(_("PDF"), upload_to=certificate_pdf_path, blank=True, max_length=200)

    class Meta:
        verbose_name = _("training certificate")
        verbose_name_plural = _("training certificates")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.serial
