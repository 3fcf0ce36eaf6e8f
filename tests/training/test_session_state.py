"""One reading of a session's dates (its state), the pages that show it, the attendance page once
results are in, and the coordinator's list of nominations."""

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.utils import formats, timezone, translation

from govportal.accounts.models import Membership
from tests.training.conftest import move_to, nominate, place, today
from training.constants import SessionState
from training.models import Session
from training.services import attendance_mark, enrollment_complete, nomination_approve, nomination_reject


@pytest.fixture
def as_user(staff_client):
    signed_in = {}

    def make(user, language="ar"):
        if user.pk not in signed_in:
            signed_in[user.pk] = staff_client(Membership.objects.filter(user=user).first())
        client = signed_in[user.pk]
        client.post("/i18n/setlang/", {"language": language, "next": "/"})
        return client

    return make


class _Table(HTMLParser):
    """The first table of a page: its header cells and its rows, as text."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._in_table = self._done = False

    def handle_starttag(self, tag, attrs):
        if self._done:
            return
        if tag == "table":
            self._in_table = True
        elif self._in_table and tag == "tr":
            self.rows.append([])
        elif self._in_table and tag in ("th", "td"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if self._in_table and tag in ("th", "td") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            (self.headers if tag == "th" else self.rows[-1]).append(text)
            self._cell = None
        elif tag == "table" and self._in_table:
            self._in_table, self._done = False, True

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_of(html: str) -> tuple[list[str], list[dict[str, str]]]:
    parser = _Table()
    parser.feed(html)
    rows = [dict(zip(parser.headers, row, strict=False)) for row in parser.rows if row]
    return parser.headers, rows


def when(value: dt.datetime, language: str = "ar") -> str:
    with translation.override(language):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def day(value: dt.date, language: str = "ar") -> str:
    with translation.override(language):
        return formats.date_format(value, "DATE_FORMAT")


# --- the state ------------------------------------------------------------------------------------


def test_a_session_moves_through_its_states_in_order(world):
    session = world.session  # nominations opened yesterday, close in 6 days; starts in 10, locks 3 before
    at = session.enrollment_opens_at
    assert session.state_at(at - dt.timedelta(seconds=1)) == SessionState.UPCOMING
    assert session.state_at(at) == SessionState.OPEN
    assert session.nominations_close_at == session.enrollment_closes_at  # the window closes before the lock
    assert session.state_at(session.enrollment_closes_at) == SessionState.CLOSED
    assert session.state_at(session.locks_at) == SessionState.LOCKED
    assert session.state_at(session.starts_at) == SessionState.RUNNING
    assert session.state_at(session.ends_at) == SessionState.FINISHED


def test_the_cut_off_is_the_lock_when_the_window_would_close_later(world):
    session = world.session
    Session.objects.filter(pk=session.pk).update(enrollment_closes_at=session.starts_at)
    session.refresh_from_db()
    assert session.nominations_close_at == session.locks_at
    assert session.state_at(session.locks_at - dt.timedelta(seconds=1)) == SessionState.OPEN
    assert session.state_at(session.locks_at) == SessionState.LOCKED  # never "closed" before it


# --- the session page -------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "finished"), [("ar", "انتهت"), ("en", "It finished on")], ids=["ar", "en"])
def test_a_past_session_says_when_it_finished_and_nothing_about_nominations(world, as_user, language, finished):
    session = move_to(world.session, today() - dt.timedelta(days=30))
    html = as_user(world.coordinator, language).get(f"/training/sessions/{session.pk}/").content.decode()
    state = html[html.index('id="session-state"') :].split("</dd>")[0]
    assert finished in state and day(session.end_date, language) in state
    # The window's dates (still in the future in this test) and the lock appear nowhere.
    for moment in (session.enrollment_opens_at, session.enrollment_closes_at, session.locks_at):
        assert when(moment, language) not in html
    assert ("Nominate" if language == "en" else "رشّح") not in state
    assert 'id="nominate"' not in html


@pytest.mark.parametrize("language", ["ar", "en"])
def test_an_open_session_gives_one_cut_off(world, as_user, language):
    session = world.session
    # The window would close after the lock: the lock is the one cut-off.
    Session.objects.filter(pk=session.pk).update(enrollment_closes_at=session.locks_at + dt.timedelta(hours=9))
    session.refresh_from_db()
    html = as_user(world.coordinator, language).get(f"/training/sessions/{session.pk}/").content.decode()
    assert html.count(when(session.locks_at, language)) == 1
    assert when(session.enrollment_closes_at, language) not in html
    label = "Nominations open" if language == "en" else "الترشيح مفتوح"
    assert label in html
    # And the earlier window close, when it is the earlier one.
    Session.objects.filter(pk=session.pk).update(enrollment_closes_at=session.locks_at - dt.timedelta(days=1))
    session.refresh_from_db()
    html = as_user(world.coordinator, language).get(f"/training/sessions/{session.pk}/").content.decode()
    assert html.count(when(session.enrollment_closes_at, language)) == 1
    assert when(session.locks_at, language) not in html


def test_between_the_window_and_the_lock_coordinators_are_told_they_may_still_cancel(world, as_user):
    session = world.session
    now = timezone.now()
    Session.objects.filter(pk=session.pk).update(
        enrollment_opens_at=now - dt.timedelta(days=3), enrollment_closes_at=now - dt.timedelta(hours=1)
    )
    session.refresh_from_db()
    assert session.state == SessionState.CLOSED
    html = as_user(world.coordinator, "en").get(f"/training/sessions/{session.pk}/").content.decode()
    assert "Nominations closed" in html
    assert f"Coordinators may still cancel places until {when(session.locks_at, 'en')}" in html
    assert 'id="nominate"' not in html  # the page and the service agree: no form


def test_the_catalogue_and_the_programme_tag_each_session_with_its_state(world, as_user):
    move_to(world.session, today() - dt.timedelta(days=30))
    html = as_user(world.admin, "en").get(f"/training/programmes/{world.programme.pk}/").content.decode()
    _headers, rows = table_of(html)
    assert rows[0]["Status"] == "Finished"


# --- attendance once results are in -----------------------------------------------------------------


def _results_recorded(world):
    places = [place(world, name=name) for name in ("سارة محمود", "علي حسن", "زينب كاظم")]
    session = move_to(world.session, today() - dt.timedelta(days=1), days=2)
    for d in session.days:
        attendance_mark(session=session, day=d, present={places[0].pk, places[1].pk}, actor=world.trainer)
    for enrollment, score in zip(places, (90, 40, 75), strict=True):
        enrollment_complete(enrollment=enrollment, score=score, actor=world.trainer)
    return session


@pytest.mark.parametrize(
    ("language", "nobody", "recorded"),
    [
        ("ar", "لا يشغل أحد مقعدًا في هذه الجلسة", "سُجّلت نتائج <bdi>3</bdi> من <bdi>3</bdi>"),
        ("en", "Nobody has a seat in this session.", "Results recorded: <bdi>3</bdi> of <bdi>3</bdi> trainees"),
    ],
    ids=["ar", "en"],
)
def test_after_the_last_result_the_attendance_page_still_counts_the_seats(world, as_user, language, nobody, recorded):
    session = _results_recorded(world)
    html = as_user(world.trainer, language).get(f"/training/sessions/{session.pk}/attendance/").content.decode()
    assert nobody not in html
    assert recorded in html
    checklist = html[html.index('id="checklist"') : html.index('id="results"')]
    for name in ("سارة محمود", "علي حسن", "زينب كاظم"):
        assert name in checklist
    assert 'type="checkbox"' not in checklist  # a result is final: nothing left to tick


def test_the_checkin_code_counts_seats_whose_results_are_in(world, as_user):
    places = [place(world), place(world)]
    session = move_to(world.session, today(), days=1)
    attendance_mark(session=session, day=today(), present={places[0].pk}, actor=world.trainer)
    enrollment_complete(enrollment=places[0], score=90, actor=world.trainer)
    html = as_user(world.trainer, "en").get(f"/training/sessions/{session.pk}/checkin/").content.decode()
    assert "Present today: <bdi>1</bdi> of <bdi>2</bdi>." in html


# --- the coordinator's list of nominations ------------------------------------------------------------


def test_the_coordinators_list_puts_each_header_over_its_own_values(world, as_user):
    pending = nominate(world, name="سارة محمود")
    approved = nominate(world, name="علي حسن")
    rejected = nominate(world, name="زينب كاظم")
    nomination_approve(nomination=approved, actor=world.admin)
    nomination_reject(nomination=rejected, reason="خارج الفئة المستهدفة", actor=world.admin)
    html = as_user(world.coordinator).get("/training/nominations/?status=").content.decode()
    headers, rows = table_of(html)
    assert headers == ["المتدرب", "المؤسسة", "الجلسة التدريبية", "تاريخ الترشيح", "القرار"]  # no column of buttons
    by_name = {row["المتدرب"].split(" مسجل")[0]: row for row in rows}
    nominated_on = day(timezone.localdate(pending.nominated_at))
    assert all(row["تاريخ الترشيح"] == nominated_on for row in rows)
    assert by_name["سارة محمود"]["القرار"] == "بانتظار القرار"
    assert by_name["علي حسن"]["القرار"].startswith("مقبول")
    assert "خارج الفئة المستهدفة" in by_name["زينب كاظم"]["القرار"]
    assert all(row["القرار"] for row in rows)  # never an empty decision


def test_the_administrator_gets_the_buttons_only_beside_what_awaits_them(world, as_user):
    nominate(world, name="سارة محمود")
    nomination_reject(nomination=nominate(world, name="زينب كاظم"), reason="مكرر", actor=world.admin)
    html = as_user(world.admin, "en").get("/training/nominations/?status=").content.decode()
    headers, rows = table_of(html)
    assert headers == ["Trainee", "Institution", "Session", "Nominated on", "Decision", "Actions"]
    assert "Approve" in rows[0]["Actions"] and rows[0]["Decision"] == "Awaiting a decision"
    assert rows[1]["Actions"] == "" and rows[1]["Decision"].startswith("Rejected")
