"""Attendance by the trainer and by self check-in, results, and the signed training certificate."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govportal.pdf.services import pdf_render
from govportal.verification.display import display_rows
from govportal.verification.services import token_verify
from tests.factories import MembershipFactory
from tests.training.conftest import codes, move_to, pdf_text_and_qr, place, today
from training import checkin
from training.constants import CHECKIN_SLOT_SECONDS, AttendanceMethod, EnrollmentStatus
from training.models import Attendance, Enrollment, TrainingCertificate
from training.services import (
    attendance_mark,
    attendance_self_checkin,
    enrollment_complete,
)


@pytest.fixture
def running(world):
    """Three trainees placed; the two-day session started yesterday and ends today."""
    places = [place(world) for _ in range(3)]
    move_to(world.session, today() - dt.timedelta(days=1), days=2)
    return places


def test_the_trainer_marks_each_day_and_may_correct_it(world, running):
    first, second, third = running
    yesterday = world.session.start_date
    attendance_mark(session=world.session, day=yesterday, present={first.pk, second.pk}, actor=world.trainer)
    attendance_mark(session=world.session, day=yesterday, present={first.pk, third.pk}, actor=world.trainer)
    marks = dict(Attendance.objects.filter(day=yesterday).values_list("enrollment_id", "present"))
    assert marks == {first.pk: True, second.pk: False, third.pk: True}
    assert Attendance.objects.filter(method=AttendanceMethod.CHECKLIST, marked_by=world.trainer).count() == 3


def test_only_the_trainer_and_the_administrators_take_attendance(world, running):
    attendance_mark(session=world.session, day=today(), present=set(), actor=world.admin)
    for outsider in (world.coordinator, MembershipFactory(entity=world.secretariat).user):
        with pytest.raises(PermissionDenied):
            attendance_mark(session=world.session, day=today(), present=set(), actor=outsider)


def test_attendance_is_for_the_sessions_days_up_to_today(world, running):
    for day, code in (
        (today() + dt.timedelta(days=1), "not_a_session_day"),
        (today() - dt.timedelta(days=5), "not_a_session_day"),
    ):
        with pytest.raises(ValidationError) as caught:
            attendance_mark(session=world.session, day=day, present=set(), actor=world.trainer)
        assert codes(caught.value) == {code}
    move_to(world.session, today(), days=2)
    with pytest.raises(ValidationError) as caught:
        attendance_mark(session=world.session, day=today() + dt.timedelta(days=1), present=set(), actor=world.trainer)
    assert codes(caught.value) == {"future_day"}


def _attend_all(world, enrollments):
    for day in world.session.days:
        attendance_mark(session=world.session, day=day, present={e.pk for e in enrollments}, actor=world.trainer)


def test_passing_with_enough_attendance_completes_with_a_certificate(world, running):
    first, second, third = running
    _attend_all(world, [first, second])  # the third never came
    done = enrollment_complete(enrollment=first, score=75, actor=world.trainer)
    low_score = enrollment_complete(enrollment=second, score=59, actor=world.trainer)
    absent = enrollment_complete(enrollment=third, score=95, actor=world.trainer)
    assert (done.status, low_score.status, absent.status) == ("completed", "failed", "failed")
    certificate = TrainingCertificate.objects.get()
    assert certificate.enrollment == done
    assert certificate.serial == f"COMSEC-TR-{certificate.issued_at.year}-000001"
    assert certificate.artifact.kind == "training_certificate"
    with pytest.raises(ValidationError) as caught:
        enrollment_complete(enrollment=done, score=80, actor=world.trainer)
    assert codes(caught.value) == {"wrong_state"}


def test_results_wait_for_the_last_day(world):
    enrollment = place(world)
    with pytest.raises(ValidationError) as caught:
        enrollment_complete(enrollment=enrollment, score=90, actor=world.trainer)
    assert codes(caught.value) == {"too_early"}
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ENROLLED


def test_the_certificates_qr_code_decodes_to_a_url_that_verifies(world, running, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    first = running[0]
    _attend_all(world, [first])
    enrollment_complete(enrollment=first, score=88, actor=world.admin)
    certificate = pdf_render(instance=TrainingCertificate.objects.get())
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(certificate.pdf.read())
    text, url = pdf_text_and_qr(pdf, tmp_path)
    assert first.trainee.full_name in text and certificate.serial in text
    assert urlsplit(url).path == certificate.artifact.path
    result = token_verify(url.rsplit("/v/", 1)[1])
    assert result.genuine and result.status == "valid"
    assert result.details["serial"] == certificate.serial
    shown = " ".join(value for _label, value in display_rows(result.details["display"]))
    assert first.trainee.full_name not in shown and first.trainee.national_id not in shown  # masked


# --- self check-in --------------------------------------------------------------------------------------


@pytest.fixture
def seated_user(world, running):
    user = MembershipFactory(entity=world.ministry).user
    enrollment = running[0]
    enrollment.trainee.user = user
    enrollment.trainee.save(update_fields=["user"])
    return user, enrollment


def test_a_fresh_code_checks_the_trainee_in(world, seated_user):
    user, enrollment = seated_user
    code = checkin.checkin_read(checkin.checkin_token(world.session.pk))
    assert code is not None and code.day == today()
    attendance_self_checkin(session=world.session, day=code.day, user=user)
    mark = Attendance.objects.get(enrollment=enrollment, day=today())
    assert (mark.present, mark.method) == (True, AttendanceMethod.SELF_CHECKIN)


def test_a_code_expires_after_its_slot_and_the_next(world):
    now = 1_800_000_000.0
    token = checkin.checkin_token(world.session.pk, now=now)
    assert checkin.checkin_read(token, now=now + CHECKIN_SLOT_SECONDS) is not None
    assert checkin.checkin_read(token, now=now + 2 * CHECKIN_SLOT_SECONDS) is None
    assert checkin.checkin_read(token, now=now - CHECKIN_SLOT_SECONDS) is None  # not before it exists


def test_a_forged_or_damaged_code_is_refused(world):
    token = checkin.checkin_token(world.session.pk)
    session_hex, day, slot, mac = token.split(".")
    assert checkin.checkin_read(f"{session_hex}.{day}.{slot}.{'0' * len(mac)}") is None
    assert checkin.checkin_read(f"{session_hex}.{day}.{int(slot) + 1}.{mac}") is None
    assert checkin.checkin_read("garbage") is None


def test_someone_without_a_seat_cannot_check_in(world, running):
    stranger = MembershipFactory(entity=world.ministry).user
    with pytest.raises(ValidationError) as caught:
        attendance_self_checkin(session=world.session, day=today(), user=stranger)
    assert codes(caught.value) == {"not_seated"}
    assert not Attendance.objects.exists()
