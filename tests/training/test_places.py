"""Seats, the waiting list in order of arrival, promotion on cancellation, and overlapping sessions."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from govportal.notifications.models import Notification
from tests.factories import MembershipFactory, ProgrammeFactory, QuotaFactory, SessionFactory
from tests.training.conftest import codes, employee, nominate, place
from training.constants import EnrollmentStatus
from training.models import Enrollment, Session
from training.selectors import seats_taken, waitlist_position
from training.services import enrollment_cancel, nomination_approve, nomination_create


@pytest.fixture
def small(world):
    """A two-seat session and room in the quota for a crowd."""
    Session.objects.filter(pk=world.session.pk).update(capacity=2)
    world.session.refresh_from_db()
    world.programme.quota_set.update(seats=10)
    return world


def test_beyond_capacity_trainees_wait_in_the_order_they_were_approved(small):
    nominations = [nominate(small, name=f"متدرب {i}") for i in range(5)]
    # Approved in a different order from the nominations: arrival is the approval.
    order = [nominations[i] for i in (3, 0, 4, 1, 2)]
    places = [nomination_approve(nomination=n, actor=small.admin) for n in order]
    assert [p.status for p in places] == ["enrolled", "enrolled", "waitlisted", "waitlisted", "waitlisted"]
    assert [p.queue_number for p in places] == [1, 2, 3, 4, 5]
    assert [waitlist_position(p) for p in places[2:]] == [1, 2, 3]
    assert seats_taken(small.session) == {"enrolled": 2, "waitlisted": 3, "free": 0}


def test_a_cancelled_seat_goes_to_the_first_waiting_who_is_told(small):
    employee_user = MembershipFactory(entity=small.ministry).user
    first, second = place(small), place(small)
    waiting_first = place(small, email=employee_user.email)
    waiting_second = place(small)
    Notification.objects.all().delete()

    promoted = enrollment_cancel(enrollment=second, reason="تعارض مع مهمة رسمية", actor=small.coordinator)

    assert promoted == waiting_first
    statuses = dict(Enrollment.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: "enrolled",
        second.pk: "cancelled",
        waiting_first.pk: "enrolled",
        waiting_second.pk: "waitlisted",
    }
    assert waitlist_position(Enrollment.objects.get(pk=waiting_second.pk)) == 1
    assert Notification.objects.filter(user=employee_user).count() == 1
    assert Notification.objects.filter(user=small.coordinator).count() == 1


def test_cancelling_a_waiting_place_promotes_nobody(small):
    place(small), place(small)
    waiting, last = place(small), place(small)
    assert enrollment_cancel(enrollment=waiting, reason="", actor=small.admin) is None
    assert Enrollment.objects.get(pk=last.pk).status == EnrollmentStatus.WAITLISTED
    assert waitlist_position(Enrollment.objects.get(pk=last.pk)) == 1


def test_a_place_cannot_be_cancelled_twice(small):
    enrollment = place(small)
    enrollment_cancel(enrollment=enrollment, reason="", actor=small.coordinator)
    with pytest.raises(ValidationError) as caught:
        enrollment_cancel(enrollment=enrollment, reason="", actor=small.coordinator)
    assert codes(caught.value) == {"wrong_state"}


def _overlapping(world, **times):
    session = SessionFactory(
        programme=ProgrammeFactory(owner=world.secretariat),
        trainer=world.trainer,
        start_date=world.session.start_date + dt.timedelta(days=1),
        **times,
    )
    QuotaFactory(entity=world.ministry, programme=session.programme, seats=5)
    return session


def test_a_trainee_cannot_hold_places_in_two_overlapping_sessions(world):
    other = _overlapping(world, start_time=dt.time(12, 0), end_time=dt.time(15, 0))
    trainee = place(world).trainee
    with pytest.raises(ValidationError) as caught:
        nomination_create(session=other, trainee=trainee, actor=world.coordinator)
    assert codes(caught.value) == {"overlap"}


def test_an_overlap_that_appears_after_nominating_is_refused_at_approval(world):
    other = _overlapping(world, start_time=dt.time(8, 0), end_time=dt.time(10, 0))
    trainee = employee(world.ministry)
    first = nomination_create(session=world.session, trainee=trainee, actor=world.coordinator)
    second = nomination_create(session=other, trainee=trainee, actor=world.coordinator)
    nomination_approve(nomination=first, actor=world.admin)
    with pytest.raises(ValidationError) as caught:
        nomination_approve(nomination=second, actor=world.admin)
    assert codes(caught.value) == {"overlap"}
    assert not Enrollment.objects.filter(session=other).exists()


def test_sessions_on_the_same_days_at_other_hours_do_not_overlap(world):
    afternoon = _overlapping(world, start_time=dt.time(13, 0), end_time=dt.time(16, 0))
    trainee = place(world).trainee
    nomination = nomination_create(session=afternoon, trainee=trainee, actor=world.coordinator)
    assert nomination_approve(nomination=nomination, actor=world.admin).status == EnrollmentStatus.ENROLLED


def test_a_cancelled_place_no_longer_blocks_an_overlapping_session(world):
    other = _overlapping(world, start_time=dt.time(9, 0), end_time=dt.time(13, 0))
    enrollment = place(world)
    enrollment_cancel(enrollment=enrollment, reason="", actor=world.coordinator)
    nomination_create(session=other, trainee=enrollment.trainee, actor=world.coordinator)
