"""The training pages through the test client: who sees what, forms, exports, the calendar file, reminders."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from govportal.accounts.models import Membership
from govportal.notifications.models import Notification
from tests.factories import EntityFactory, MembershipFactory
from tests.training.conftest import move_to, nominate, place, today
from training import checkin
from training.constants import EnrollmentStatus, NominationStatus
from training.ics import session_ics
from training.models import Attendance, Enrollment, Nomination, Session
from training.services import reminders_send


@pytest.fixture
def as_user(staff_client):
    signed_in = {}

    def make(user):
        # One sign-in per person: a TOTP code is accepted once.
        if user.pk not in signed_in:
            signed_in[user.pk] = staff_client(Membership.objects.filter(user=user).first())
        return signed_in[user.pk]

    return make


def test_the_catalogue_and_a_session_show_to_staff_and_not_to_citizens(world, as_user, client):
    page = as_user(world.coordinator).get("/training/")
    assert page.status_code == 200
    assert world.programme.title_ar in page.content.decode()
    assert as_user(world.coordinator).get(f"/training/sessions/{world.session.pk}/").status_code == 200
    from tests.factories import CitizenProfileFactory

    citizen = CitizenProfileFactory().user
    client.force_login(citizen)
    assert client.get("/training/").status_code == 404
    assert client.get(f"/training/sessions/{world.session.pk}/").status_code == 404


def test_a_coordinator_nominates_through_the_form_and_errors_show_beside_the_fields(world, as_user):
    coordinator = as_user(world.coordinator)
    url = f"/training/sessions/{world.session.pk}/nominate/"
    data = {"entity": world.ministry.pk, "full_name": "حسن علي", "national_id": "١٩٨٥٠١٢٣٤٥٦٧", "job_title": "مسجل"}
    assert coordinator.post(url, data).status_code == 302
    assert Nomination.objects.get().trainee.national_id == "198501234567"  # Arabic-Indic digits accepted
    bad = coordinator.post(url, {**data, "national_id": "123"})
    assert bad.status_code == 400
    assert 'class="field__error"' in bad.content.decode()
    # The same employee again: the service's refusal, shown on the page.
    again = coordinator.post(url, data)
    assert again.status_code == 400 and Nomination.objects.count() == 1


def test_a_coordinator_cannot_nominate_for_another_institution(world, as_user):
    url = f"/training/sessions/{world.session.pk}/nominate/"
    data = {"entity": world.other.pk, "full_name": "x", "national_id": "198501234567", "job_title": "y"}
    assert as_user(world.coordinator).post(url, data).status_code == 400
    assert not Nomination.objects.exists()


def test_the_import_form_reports_bad_rows_on_the_page(world, as_user):
    content = "full_name,national_id,job_title\nحسن,198501234567,مسجل\nفاطمة,12,مديرة\n".encode()
    response = as_user(world.coordinator).post(
        f"/training/sessions/{world.session.pk}/import/",
        {"entity": world.ministry.pk, "file": SimpleUploadedFile("l.csv", content)},
    )
    assert response.status_code == 400
    assert "<bdi>3</bdi>" in response.content.decode()  # the bad line
    assert not Nomination.objects.exists()


def test_the_admin_approves_and_rejects_from_the_queue(world, as_user):
    first, second = nominate(world), nominate(world)
    admin = as_user(world.admin)
    queue = admin.get("/training/nominations/")
    assert queue.status_code == 200 and first.trainee.full_name in queue.content.decode()
    assert admin.post(f"/training/nominations/{first.pk}/approve/").status_code == 302
    assert admin.post(f"/training/nominations/{second.pk}/reject/", {"reason": "خارج الفئة"}).status_code == 302
    assert Enrollment.objects.get().nomination == first
    assert Nomination.objects.get(pk=second.pk).status == NominationStatus.REJECTED
    # A coordinator sees the outcome but cannot decide.
    third = nominate(world)
    coordinator = as_user(world.coordinator)
    assert coordinator.post(f"/training/nominations/{third.pk}/approve/").status_code == 404
    assert Nomination.objects.get(pk=third.pk).status == NominationStatus.NOMINATED
    assert (
        as_user(world.other_coordinator).get("/training/nominations/").content.decode().count(first.trainee.full_name)
        == 0
    )


def test_another_institutions_coordinator_cannot_cancel_a_place(world, as_user):
    enrollment = place(world)
    assert as_user(world.other_coordinator).post(f"/training/enrollments/{enrollment.pk}/cancel/").status_code == 404
    assert as_user(world.coordinator).post(f"/training/enrollments/{enrollment.pk}/cancel/").status_code == 302
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.CANCELLED


def test_cancelling_a_place_first_shows_what_will_happen(world, as_user):
    Session.objects.filter(pk=world.session.pk).update(capacity=1)
    seated, waiting = place(world, name="سارة محمود"), place(world)
    assert (seated.status, waiting.status) == (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED)
    coordinator = as_user(world.coordinator)
    coordinator.post("/i18n/setlang/", {"language": "en", "next": "/"})
    url = f"/training/enrollments/{seated.pk}/cancel/"
    assert url in coordinator.get(f"/training/sessions/{world.session.pk}/").content.decode()
    page = coordinator.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Cancel the place of <bdi>سارة محمود</bdi>?" in html
    assert "<bdi>سارة محمود</bdi> loses their seat in this session." in html
    assert "The seat goes at once to the first person on the waiting list" in html
    assert "This cannot be undone." in html and f'href="/training/sessions/{world.session.pk}/"' in html
    assert Enrollment.objects.get(pk=seated.pk).status == EnrollmentStatus.ENROLLED  # a look changes nothing
    assert coordinator.post(url, {"reason": "مهمة رسمية"}).status_code == 302
    assert Enrollment.objects.get(pk=seated.pk).status == EnrollmentStatus.CANCELLED
    assert Enrollment.objects.get(pk=waiting.pk).status == EnrollmentStatus.ENROLLED
    assert coordinator.get(url).status_code == 404  # nothing left to cancel
    assert as_user(world.other_coordinator).get(f"/training/enrollments/{waiting.pk}/cancel/").status_code == 404


def test_the_trainer_marks_attendance_and_records_results_on_the_page(world, as_user):
    first, second = place(world), place(world)
    move_to(world.session, today() - dt.timedelta(days=1), days=2)
    trainer = as_user(world.trainer)
    url = f"/training/sessions/{world.session.pk}/attendance/"
    assert trainer.get(url).status_code == 200
    for day in world.session.days:
        trainer.post(url, {"day": day.isoformat(), "present": [str(first.pk)]})
    assert Attendance.objects.filter(present=True).count() == 2
    assert trainer.post(f"/training/enrollments/{first.pk}/result/", {"score": "90"}).status_code == 302
    assert Enrollment.objects.get(pk=first.pk).status == EnrollmentStatus.COMPLETED
    certificate = Enrollment.objects.get(pk=first.pk).certificate
    assert as_user(world.coordinator).get(f"/training/certificates/{certificate.pk}/").status_code == 200
    assert as_user(world.other_coordinator).get(f"/training/certificates/{certificate.pk}/").status_code == 404
    assert as_user(world.coordinator).get(url).status_code == 404  # not their checklist
    assert Enrollment.objects.get(pk=second.pk).status == EnrollmentStatus.ENROLLED


def test_the_checkin_page_marks_a_signed_in_trainee_present(world, as_user):
    user = MembershipFactory(entity=world.ministry).user
    enrollment = place(world, email=user.email)
    move_to(world.session, today(), days=1)
    display = as_user(world.trainer).get(f"/training/sessions/{world.session.pk}/checkin/")
    assert display.status_code == 200 and b"checkin-qr" in display.content
    token = checkin.checkin_token(world.session.pk)
    trainee = as_user(user)
    assert trainee.get(f"/training/checkin/{token}/").status_code == 200
    assert trainee.post(f"/training/checkin/{token}/").status_code == 200
    assert Attendance.objects.get(enrollment=enrollment).present
    assert trainee.get("/training/checkin/not-a-token/").status_code == 400


def test_reports_are_for_the_administrators_with_csv_and_xlsx(world, as_user):
    place(world), nominate(world)
    admin = as_user(world.admin)
    page = admin.get("/training/reports/")
    assert page.status_code == 200 and b"bar-chart" in page.content
    csv_text = b"".join(admin.get("/training/reports/?export=csv&table=institutions").streaming_content).decode(
        "utf-8-sig"
    )
    header, *rows = csv_text.strip().splitlines()
    ministry_row = next(row for row in rows if row.startswith(world.ministry.code))
    assert ministry_row.split(",")[2:5] == ["3", "2", "1"]  # quota, nominated, seated
    from openpyxl import load_workbook

    xlsx = admin.get("/training/reports/?export=xlsx&table=programmes")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=2, column=1).value == world.programme.code
    assert sheet.cell(row=2, column=3).value == 6  # both ministries' quotas
    assert as_user(world.coordinator).get("/training/reports/").status_code == 404


def test_the_calendar_file_follows_rfc_5545(world):
    Session.objects.filter(pk=world.session.pk).update(venue="قاعة 1, الطابق الثاني; بغداد")
    world.session.refresh_from_db()
    text = session_ics(world.session)
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert text.count("BEGIN:VEVENT") == 3
    start = world.session.start_date
    assert f"DTSTART:{start:%Y%m%d}T060000Z" in text  # 09:00 in Baghdad is 06:00 UTC
    assert f"UID:{world.session.pk}-{start:%Y%m%d}@" in text
    unfolded = text.replace("\r\n ", "")
    assert "LOCATION:قاعة 1\\, الطابق الثاني\\; بغداد" in unfolded
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_reminders_go_once_to_seated_trainees_of_sessions_starting_soon(world, django_capture_on_commit_callbacks):
    user = MembershipFactory(entity=world.ministry).user
    seated = place(world, email=user.email)
    by_mail = place(world, email="employee@mof.example.iq")
    move_to(world.session, today() + dt.timedelta(days=2))
    Notification.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(days=2) == 2
        assert reminders_send(days=2) == 0
    assert Notification.objects.filter(user=user).count() == 1
    assert [m.to for m in mail.outbox if "employee@mof.example.iq" in m.to] == [["employee@mof.example.iq"]]
    assert Enrollment.objects.filter(reminder_sent_at__isnull=False).count() == 2
    assert seated.pk != by_mail.pk


def test_other_entities_trainers_and_admins_see_no_attendance_page(world, as_user):
    outsider = MembershipFactory(entity=EntityFactory(), role="training_admin").user
    assert as_user(outsider).get(f"/training/sessions/{world.session.pk}/attendance/").status_code == 404


def test_an_administrator_schedules_a_session_and_mistakes_are_shown(world, as_user):
    admin = as_user(world.admin)
    url = f"/training/programmes/{world.programme.pk}/sessions/new/"
    start = today() + dt.timedelta(days=20)
    data = {
        "start_date": start.isoformat(),
        "end_date": (start + dt.timedelta(days=1)).isoformat(),
        "start_time": "09:00",
        "end_time": "13:00",
        "venue": "",
        "online_url": "",
        "trainer_email": world.trainer.email,
        "capacity": "25",
        "enrollment_opens_at": f"{today().isoformat()}T08:00",
        "enrollment_closes_at": f"{(start - dt.timedelta(days=5)).isoformat()}T23:00",
        "lock_days": "3",
    }
    before = Session.objects.count()
    assert admin.post(url, data).status_code == 400  # no venue and no link
    assert admin.post(url, {**data, "venue": "قاعة 2", "trainer_email": "nobody@example.iq"}).status_code == 400
    assert Session.objects.count() == before
    response = admin.post(url, {**data, "venue": "قاعة 2"})
    assert response.status_code == 302
    session = Session.objects.get(venue="قاعة 2")
    assert (session.capacity, session.trainer, session.days) == (
        25,
        world.trainer,
        [start, start + dt.timedelta(days=1)],
    )
    assert as_user(world.coordinator).post(url, {**data, "venue": "قاعة 3"}).status_code == 404


def test_the_workspaces_show_training_cards_with_counts(world, as_user):
    nominate(world), nominate(world)
    admin_page = as_user(world.admin).get(f"/workspace/{world.secretariat.code}/").content.decode()
    assert "/training/nominations/" in admin_page and "<bdi>2</bdi>" in admin_page
    coordinator_page = as_user(world.coordinator).get(f"/workspace/{world.ministry.code}/").content.decode()
    # A count of nominations takes its plural form: Arabic's dual, not "2 ترشيحات".
    assert "/training/" in coordinator_page and "ترشيحان بانتظار القرار" in coordinator_page
    coordinator = as_user(world.coordinator)
    coordinator.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    coordinator_page = coordinator.get(f"/workspace/{world.ministry.code}/").content.decode()
    assert "2 nominations awaiting a decision" in coordinator_page
