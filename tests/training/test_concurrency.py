"""Places and quotas under concurrency (PostgreSQL): never beyond capacity or quota, the queue in order."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests.training.conftest import employee, nominate
from training.constants import EnrollmentStatus
from training.models import Enrollment, Nomination, Session
from training.services import nomination_approve, nomination_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(calls):
    """Run every call in its own thread (own connection), released at the same moment."""
    start = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            start.wait()
            results.append(call())
        except ValidationError as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_sixty_approvals_at_once_fill_ten_seats_and_queue_the_rest_in_order(world):
    Session.objects.filter(pk=world.session.pk).update(capacity=10)
    world.programme.quota_set.filter(entity=world.ministry).update(seats=60)
    nominations = [nominate(world) for _ in range(60)]

    results, errors = run_together(
        [lambda n=n: nomination_approve(nomination=n, actor=world.admin) for n in nominations]
    )

    assert not errors and len(results) == 60
    places = list(Enrollment.objects.filter(session=world.session).order_by("queue_number"))
    assert [p.queue_number for p in places] == list(range(1, 61))
    assert sum(p.status == EnrollmentStatus.ENROLLED for p in places) == 10
    assert all(p.status == EnrollmentStatus.ENROLLED for p in places[:10])
    waiting = places[10:]
    assert all(p.status == EnrollmentStatus.WAITLISTED for p in waiting)
    # Arrival order = the order the session lock was taken: times never go backwards along the queue.
    times = [p.created_at for p in places]
    assert times == sorted(times)
    assert Session.objects.get(pk=world.session.pk).next_queue_number == 60


def test_concurrent_nominations_never_exceed_the_quota(world):
    trainees = [employee(world.ministry) for _ in range(12)]  # the quota is 3

    results, errors = run_together(
        [lambda t=t: nomination_create(session=world.session, trainee=t, actor=world.coordinator) for t in trainees]
    )

    assert len(results) == 3 and len(errors) == 9
    assert {e.code for e in errors} == {"quota_exceeded"}
    assert Nomination.objects.filter(entity=world.ministry).count() == 3


def test_the_same_trainee_approved_into_two_overlapping_sessions_at_once_gets_one(world):
    from tests.factories import ProgrammeFactory, QuotaFactory, SessionFactory

    other = SessionFactory(programme=ProgrammeFactory(owner=world.secretariat), trainer=world.trainer)
    QuotaFactory(entity=world.ministry, programme=other.programme, seats=3)
    trainee = employee(world.ministry)
    first = nomination_create(session=world.session, trainee=trainee, actor=world.coordinator)
    second = nomination_create(session=other, trainee=trainee, actor=world.coordinator)

    results, errors = run_together(
        [lambda n=n: nomination_approve(nomination=n, actor=world.admin) for n in (first, second)]
    )

    assert len(results) == 1 and [e.code for e in errors] == ["overlap"]
    assert Enrollment.objects.filter(trainee=trainee).count() == 1
