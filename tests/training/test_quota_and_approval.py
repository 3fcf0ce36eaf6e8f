"""Quotas per institution and programme, nomination windows and locks, and the Secretariat's decision."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from govportal.notifications.models import Notification
from tests.factories import QuotaFactory, SessionFactory
from tests.training.conftest import codes, employee, nominate, place
from training.constants import EnrollmentStatus, NominationStatus
from training.models import Enrollment, Nomination, Session
from training.selectors import quota_used
from training.services import enrollment_cancel, nomination_approve, nomination_create, nomination_reject, quota_set


def test_nominating_beyond_the_quota_is_refused_and_changes_nothing(world):
    for _ in range(3):
        nominate(world)
    extra = employee(world.ministry)
    with pytest.raises(ValidationError) as caught:
        nomination_create(session=world.session, trainee=extra, actor=world.coordinator)
    assert codes(caught.value) == {"quota_exceeded"}
    assert Nomination.objects.filter(entity=world.ministry).count() == 3
    # Another institution's quota is its own.
    nominate(world, entity=world.other, actor=world.other_coordinator)


def test_quota_counts_places_across_the_programmes_sessions(world):
    second = SessionFactory(
        programme=world.programme, trainer=world.trainer, start_date=world.session.start_date + dt.timedelta(days=7)
    )
    place(world)
    place(world, session=second)
    nominate(world, session=second)
    assert quota_used(entity=world.ministry, programme=world.programme) == 3
    with pytest.raises(ValidationError) as caught:
        nominate(world, session=second)
    assert codes(caught.value) == {"quota_exceeded"}


def test_a_rejected_nomination_and_a_cancelled_place_give_their_seat_back(world):
    rejected, placed, _third = nominate(world), place(world), nominate(world)
    nomination_reject(nomination=rejected, reason="خارج الفئة المستهدفة", actor=world.admin)
    nominate(world)  # the rejected one's seat
    enrollment_cancel(enrollment=placed, reason="", actor=world.coordinator)
    nominate(world)  # the cancelled one's seat
    with pytest.raises(ValidationError):
        nominate(world)


def test_an_institution_without_a_quota_cannot_nominate(world):
    from tests.factories import EntityFactory, MembershipFactory

    entity = EntityFactory()
    coordinator = MembershipFactory(entity=entity, role="training_coordinator").user
    with pytest.raises(ValidationError) as caught:
        nominate(world, entity=entity, actor=coordinator)
    assert codes(caught.value) == {"no_quota"}


def test_the_quota_cannot_go_below_the_seats_in_use(world):
    nominate(world), nominate(world)
    with pytest.raises(ValidationError) as caught:
        quota_set(programme=world.programme, entity=world.ministry, seats=1, actor=world.admin)
    assert codes(caught.value) == {"quota_below_use"}
    assert quota_set(programme=world.programme, entity=world.ministry, seats=5, actor=world.admin).seats == 5
    with pytest.raises(PermissionDenied):
        quota_set(programme=world.programme, entity=world.ministry, seats=50, actor=world.coordinator)


def test_a_coordinator_nominates_only_their_own_institutions_employees(world):
    theirs = employee(world.other)
    with pytest.raises(PermissionDenied):
        nomination_create(session=world.session, trainee=theirs, actor=world.coordinator)


def test_the_same_employee_cannot_be_nominated_twice_for_a_session(world):
    nomination = nominate(world)
    with pytest.raises(ValidationError) as caught:
        nomination_create(session=world.session, trainee=nomination.trainee, actor=world.coordinator)
    assert codes(caught.value) == {"duplicate"}


def test_nominations_only_inside_the_window_and_before_the_lock_for_coordinators(world):
    session = world.session
    now = timezone.now()
    Session.objects.filter(pk=session.pk).update(enrollment_opens_at=now + dt.timedelta(hours=1))
    session.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        nominate(world)
    assert codes(caught.value) == {"window_not_open"}
    Session.objects.filter(pk=session.pk).update(
        enrollment_opens_at=now - dt.timedelta(days=2), enrollment_closes_at=now - dt.timedelta(minutes=1)
    )
    session.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        nominate(world)
    assert codes(caught.value) == {"window_closed"}
    # Window open, but the session starts in 2 days and locks 3 days before.
    Session.objects.filter(pk=session.pk).update(
        enrollment_closes_at=now + dt.timedelta(days=5),
        start_date=timezone.localdate() + dt.timedelta(days=2),
        end_date=timezone.localdate() + dt.timedelta(days=3),
    )
    session.refresh_from_db()
    assert session.is_locked
    with pytest.raises(ValidationError) as caught:
        nominate(world)
    assert codes(caught.value) == {"session_locked"}
    # The Secretariat still can, and the coordinator may no longer cancel but the admin may.
    enrollment = place(world, actor=world.admin)
    with pytest.raises(ValidationError) as caught:
        enrollment_cancel(enrollment=enrollment, reason="", actor=world.coordinator)
    assert codes(caught.value) == {"session_locked"}
    enrollment_cancel(enrollment=enrollment, reason="مرض", actor=world.admin)
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.CANCELLED


def test_approval_gives_a_seat_and_tells_the_coordinator_and_the_trainee(world):
    from tests.factories import MembershipFactory

    employee_user = MembershipFactory(entity=world.ministry).user
    nomination = nominate(world, email=employee_user.email)
    assert nomination.trainee.user == employee_user  # the e-mail of a portal account links it
    enrollment = nomination_approve(nomination=nomination, actor=world.admin)
    nomination.refresh_from_db()
    assert (nomination.status, nomination.decided_by) == (NominationStatus.APPROVED, world.admin)
    assert enrollment.status == EnrollmentStatus.ENROLLED and enrollment.enrolled_at is not None
    assert Notification.objects.filter(user=world.coordinator).count() == 1
    assert Notification.objects.filter(user=employee_user).count() == 1


def test_only_the_programmes_administrators_decide(world):
    from tests.factories import EntityFactory, MembershipFactory

    nomination = nominate(world)
    admin_elsewhere = MembershipFactory(entity=EntityFactory(), role="training_admin").user
    for actor in (world.coordinator, world.trainer, admin_elsewhere):
        with pytest.raises(PermissionDenied):
            nomination_approve(nomination=nomination, actor=actor)
    assert Nomination.objects.get(pk=nomination.pk).status == NominationStatus.NOMINATED


def test_rejecting_needs_a_reason_and_is_final(world):
    nomination = nominate(world)
    with pytest.raises(ValidationError) as caught:
        nomination_reject(nomination=nomination, reason="  ", actor=world.admin)
    assert codes(caught.value) == {"reason_required"}
    nomination_reject(nomination=nomination, reason="ليس من الفئة المستهدفة", actor=world.admin)
    nomination.refresh_from_db()
    assert (nomination.status, nomination.reason) == (NominationStatus.REJECTED, "ليس من الفئة المستهدفة")
    with pytest.raises(ValidationError) as caught:
        nomination_approve(nomination=nomination, actor=world.admin)
    assert codes(caught.value) == {"wrong_state"}
    assert not Enrollment.objects.exists()


def test_an_institution_has_one_quota_per_programme(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaFactory(entity=world.ministry, programme=world.programme)
