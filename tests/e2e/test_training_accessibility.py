"""axe-core finds no WCAG 2.2 AA violations on the training pages, in Arabic and English, at 360 and 1280 px.

Screenshots go to test-results/screens/tr-<page>-<language>-<width>.png. Data is made with the services;
staff are signed in through the real login forms with Django's test client (the session cookie is handed
to the browser): the journey test does it all in the browser.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from govportal.accounts.constants import Role
from tests.e2e.conftest import submit
from tests.e2e.test_accessibility import wcag_reports
from tests.factories import EntityFactory, MembershipFactory, ProgrammeFactory, QuotaFactory, SessionFactory
from training import checkin
from training.models import Session
from training.services import (
    TraineeDetails,
    attendance_mark,
    enrollment_complete,
    nomination_approve,
    nomination_create,
    nomination_reject,
    trainee_upsert,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = ["حسن علي الربيعي", "فاطمة جواد الموسوي", "كرار عباس الشمري"]


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """Issuing queues the PDF rendering, which these pages do not need; and fast password hashes."""
    from govportal.pdf.tasks import pdf_render

    monkeypatch.setattr(pdf_render, "apply_async", lambda *args, **kwargs: None)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def scene(capacity: int = 2) -> SimpleNamespace:
    """The Secretariat's programme and a session; the Ministry of Finance nominated three, two seated."""
    secretariat = EntityFactory(code="COMSEC", name_ar="الأمانة العامة لمجلس الوزراء", name_en="General Secretariat")
    ministry = EntityFactory(code="MOF", name_ar="وزارة المالية", name_en="Ministry of Finance")
    programme = ProgrammeFactory(
        owner=secretariat,
        code="DMS-101",
        title_ar="إدارة الوثائق الإلكترونية",
        title_en="Electronic document management",
        audience_ar="موظفو الصادر والوارد",
        audience_en="Registry clerks",
    )
    admin = MembershipFactory(entity=secretariat, role=Role.TRAINING_ADMIN)
    trainer = MembershipFactory(entity=secretariat, role=Role.REGISTRY_CLERK)
    coordinator = MembershipFactory(entity=ministry, role=Role.TRAINING_COORDINATOR)
    trainee_member = MembershipFactory(entity=ministry, role=Role.REGISTRY_CLERK)
    session = SessionFactory(programme=programme, trainer=trainer.user, capacity=capacity)
    QuotaFactory(entity=ministry, programme=programme, seats=5)
    QuotaFactory(entity=EntityFactory(name_ar="محافظة البصرة", name_en="Basra Governorate"), programme=programme)
    places = []
    for i, name in enumerate(NAMES):
        email = trainee_member.user.email if i == 0 else ""
        trainee = trainee_upsert(
            entity=ministry, details=TraineeDetails(name, f"19850123456{i}", "مسجل الصادرة", email=email)
        )
        nomination = nomination_create(session=session, trainee=trainee, actor=coordinator.user)
        places.append(nomination_approve(nomination=nomination, actor=admin.user))
    return SimpleNamespace(
        session=session,
        programme=programme,
        admin=admin,
        trainer=trainer,
        coordinator=coordinator,
        trainee_member=trainee_member,
        places=places,
        ministry=ministry,
    )


def held_today(s: SimpleNamespace) -> Session:
    """Time passes: the session is on today (one day)."""
    today = timezone.localdate()
    Session.objects.filter(pk=s.session.pk).update(start_date=today, end_date=today)
    s.session.refresh_from_db()
    return s.session


def completed(s: SimpleNamespace) -> Any:
    held_today(s)
    attendance_mark(session=s.session, day=timezone.localdate(), present={s.places[0].pk}, actor=s.trainer.user)
    return enrollment_complete(enrollment=s.places[0], score=88, actor=s.trainer.user).certificate


# --- the pages ------------------------------------------------------------------------------------


def programmes(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    enter_as(s.coordinator)
    page.goto("/training/")
    expect(page.locator("main table tbody tr")).to_have_count(1)  # our seats


def programmes_empty(page: Any, enter_as: Callable[[Any], None]) -> None:
    enter_as(MembershipFactory(role=Role.TRAINING_COORDINATOR))
    page.goto("/training/")
    expect(page.locator(".empty-state")).to_be_visible()


def programme(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    enter_as(s.admin)
    page.goto(f"/training/programmes/{s.programme.pk}/")
    expect(page.locator("form[action$='/quota/']")).to_be_visible()


def session_coordinator(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    enter_as(s.coordinator)
    page.goto(f"/training/sessions/{s.session.pk}/")
    expect(page.locator("form[action$='/nominate/']")).to_be_visible()
    expect(page.locator("main table tbody tr")).to_have_count(3)


def session_nominate_errors(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    enter_as(s.coordinator)
    page.goto(f"/training/sessions/{s.session.pk}/")
    page.fill("input[name=national_id]", "123")
    page.locator("form[action$='/nominate/'] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_be_visible()


def session_import_errors(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    enter_as(s.coordinator)
    page.goto(f"/training/sessions/{s.session.pk}/")
    page.set_input_files(
        "input[name=file]",
        files=[
            {
                "name": "list.csv",
                "mimeType": "text/csv",
                "buffer": "full_name,national_id,job_title\nزينب,12,محاسبة\n".encode(),
            }
        ],
    )
    page.locator("form[action*='/import/'] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".error-summary table")).to_be_visible()


def place_cancel(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    enter_as(s.coordinator)
    page.goto(f"/training/enrollments/{s.places[0].pk}/cancel/")
    expect(page.locator(".warning-text")).to_be_visible()
    expect(page.locator(".consequences li")).to_have_count(4)  # seat, who gets it, quota, for good


def session_admin(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    enter_as(s.admin)
    page.goto(f"/training/sessions/{s.session.pk}/")
    expect(page.locator("main .tag--amber").first).to_be_visible()  # full, and one waiting


def nominations_admin(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    trainee = trainee_upsert(entity=s.ministry, details=TraineeDetails("زينب كاظم", "199512345678", "محاسبة"))
    nomination_create(session=s.session, trainee=trainee, actor=s.coordinator.user)
    enter_as(s.admin)
    page.goto("/training/nominations/")
    expect(page.locator("form[action$='/approve/']")).to_have_count(1)


def nominations_coordinator(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    enter_as(s.coordinator)
    page.goto("/training/nominations/")
    expect(page.locator("main table tbody tr")).to_have_count(3)


def attendance(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    held_today(s)
    enter_as(s.trainer)
    page.goto(f"/training/sessions/{s.session.pk}/attendance/")
    expect(page.locator("input[name=present]")).to_have_count(2)


def session_finished(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    past = timezone.localdate() - dt.timedelta(days=30)
    Session.objects.filter(pk=s.session.pk).update(start_date=past, end_date=past + dt.timedelta(days=1))
    enter_as(s.coordinator)
    page.goto(f"/training/sessions/{s.session.pk}/")
    expect(page.locator("#session-state .tag")).to_have_count(1)
    expect(page.locator("form[action$='/nominate/']")).to_have_count(0)


def session_closed(page: Any, enter_as: Callable[[Any], None]) -> None:
    """The window has closed, the lock is still to come: coordinators may only cancel."""
    s = scene()
    now = timezone.now()
    Session.objects.filter(pk=s.session.pk).update(
        enrollment_opens_at=now - dt.timedelta(days=3), enrollment_closes_at=now - dt.timedelta(hours=1)
    )
    enter_as(s.coordinator)
    page.goto(f"/training/sessions/{s.session.pk}/")
    expect(page.locator("#session-state .tag--amber")).to_be_visible()
    expect(page.locator("a[href$='/cancel/']").first).to_be_visible()


def attendance_all_results(page: Any, enter_as: Callable[[Any], None]) -> None:
    """Every seated trainee has a result: the checklist lists them, nothing left to tick."""
    s = scene()
    held_today(s)
    attendance_mark(session=s.session, day=timezone.localdate(), present={s.places[0].pk}, actor=s.trainer.user)
    for place, score in zip(s.places[:2], (88, 40), strict=True):
        enrollment_complete(enrollment=place, score=score, actor=s.trainer.user)
    enter_as(s.trainer)
    page.goto(f"/training/sessions/{s.session.pk}/attendance/")
    expect(page.locator("#assessed-note")).to_be_visible()
    expect(page.locator("input[name=present]")).to_have_count(0)
    expect(page.locator(".empty-state")).to_have_count(0)


def nominations_coordinator_decided(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    trainee = trainee_upsert(entity=s.ministry, details=TraineeDetails("زينب كاظم", "199512345678", "محاسبة"))
    nomination = nomination_create(session=s.session, trainee=trainee, actor=s.coordinator.user)
    nomination_reject(nomination=nomination, reason="خارج الفئة المستهدفة لهذه الدورة", actor=s.admin.user)
    enter_as(s.coordinator)
    page.goto("/training/nominations/?status=")
    expect(page.locator("main table tbody tr")).to_have_count(4)
    expect(page.locator("main table thead th")).to_have_count(5)  # no column of buttons for a coordinator


def attendance_results(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    completed(s)
    enter_as(s.trainer)
    page.goto(f"/training/sessions/{s.session.pk}/attendance/")
    expect(page.locator("input[name=score]")).to_have_count(1)


def checkin_display(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    held_today(s)
    enter_as(s.trainer)
    page.goto(f"/training/sessions/{s.session.pk}/checkin/")
    expect(page.locator("img.checkin-qr")).to_be_visible()


def checkin_trainee(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    held_today(s)
    enter_as(s.trainee_member)
    page.goto(f"/training/checkin/{checkin.checkin_token(s.session.pk)}/")
    submit(page)
    expect(page.locator(".panel--genuine")).to_be_visible()


def checkin_expired(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    enter_as(s.trainee_member)
    page.goto(f"/training/checkin/{s.session.pk.hex}.20200101.1.abc/")
    expect(page.locator(".panel--not-genuine")).to_be_visible()


def reports(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    completed(s)
    enter_as(s.admin)
    page.goto("/training/reports/")
    expect(page.locator(".bar-chart").first).to_be_visible()


def certificate(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    issued = completed(s)
    enter_as(s.coordinator)
    page.goto(f"/training/certificates/{issued.pk}/")
    expect(page.locator("main h1")).to_contain_text(issued.serial)


def verify(page: Any, enter_as: Callable[[Any], None]) -> None:
    issued = completed(scene())
    page.goto(issued.artifact.path)
    expect(page.locator(".panel--genuine")).to_be_visible()


PAGES: dict[str, Callable[[Any, Callable[[Any], None]], None]] = {
    "programmes": programmes,
    "programmes-empty": programmes_empty,
    "programme": programme,
    "session-coordinator": session_coordinator,
    "session-nominate-errors": session_nominate_errors,
    "session-import-errors": session_import_errors,
    "session-admin": session_admin,
    "place-cancel": place_cancel,
    "nominations-admin": nominations_admin,
    "nominations-coordinator": nominations_coordinator,
    "attendance": attendance,
    "attendance-results": attendance_results,
    "attendance-all-results": attendance_all_results,
    "session-finished": session_finished,
    "session-closed": session_closed,
    "nominations-coordinator-decided": nominations_coordinator_decided,
    "checkin-display": checkin_display,
    "checkin-trainee": checkin_trainee,
    "checkin-expired": checkin_expired,
    "reports": reports,
    "certificate": certificate,
    "verify": verify,
}


@pytest.mark.parametrize("language", ["ar", "ckb", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_training_page_has_no_wcag_violations(page, enter_as, choose_language, screenshot, name, language):
    choose_language(language)
    PAGES[name](page, enter_as)
    expect(page.locator("html")).to_have_attribute("lang", language)
    reports = wcag_reports(page, screenshot, f"tr-{name}-{language}")
    assert not reports, "\n".join(reports)
