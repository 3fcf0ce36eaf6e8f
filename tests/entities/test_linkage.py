import pytest
from django.core.exceptions import ValidationError

from govportal.audit.models import AuditEvent
from govportal.entities.constants import EntityKind, LinkagePhase
from govportal.entities.models import Entity, RolloutPhase
from govportal.entities.services import entity_link, entity_unlink, phase_open
from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "phase"),
    [
        (EntityKind.SECRETARIAT, 1),
        (EntityKind.MINISTRY, 1),
        (EntityKind.NON_MINISTRY, 2),
        (EntityKind.GOVERNORATE, 2),
        (EntityKind.DIRECTORATE, 3),
        (EntityKind.INSTITUTION, 3),
    ],
)
def test_linkage_phase_follows_from_the_kind(kind, phase):
    parent = EntityFactory()
    entity = EntityFactory(kind=kind, parent=parent)
    entity.refresh_from_db()
    assert entity.linkage_phase == phase
    assert Entity.objects.in_phase(phase).filter(pk=entity.pk).exists()


def test_linking_in_a_closed_phase_is_refused_and_changes_nothing():
    RolloutPhase.objects.filter(number=LinkagePhase.DIRECTORATES).update(opened_at=None)
    directorate = EntityFactory(directorate=True)
    events_before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        entity_link(entity=directorate)
    assert error.value.code == "phase_closed"
    directorate.refresh_from_db()
    assert directorate.linked_at is None
    assert AuditEvent.objects.count() == events_before


def test_linking_in_an_open_phase_is_audited(django_user_model):
    actor = django_user_model.objects.create_user(email="admin@example.iq", password="x" * 12)
    phase_open(number=LinkagePhase.MINISTRIES)
    ministry = EntityFactory()
    entity_link(entity=ministry, actor=actor)
    ministry.refresh_from_db()
    assert ministry.is_linked
    event = AuditEvent.objects.for_target(ministry).filter(action="entity_link").get()
    assert event.actor == actor
    assert event.entity == ministry


def test_unlinking_keeps_the_reason_in_the_audit_log():
    phase_open(number=LinkagePhase.MINISTRIES)
    ministry = entity_link(entity=EntityFactory())
    entity_unlink(entity=ministry, reason="linked by mistake")
    ministry.refresh_from_db()
    assert not ministry.is_linked
    assert AuditEvent.objects.for_target(ministry).get(action="entity_unlink").data == {"reason": "linked by mistake"}


def test_exchange_needs_both_ends_linked():
    phase_open(number=LinkagePhase.MINISTRIES)
    phase_open(number=LinkagePhase.NON_MINISTRY_AND_GOVERNORATES)
    ministry = entity_link(entity=EntityFactory())
    governorate = EntityFactory(governorate=True)
    assert not ministry.can_exchange_with(governorate)
    governorate = entity_link(entity=governorate)
    assert ministry.can_exchange_with(governorate)
    assert governorate.can_exchange_with(ministry)


def test_subordinate_entities_need_a_parent():
    with pytest.raises(ValidationError):
        EntityFactory(kind=EntityKind.DIRECTORATE, parent=None)
