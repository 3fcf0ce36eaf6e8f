import pytest
from django.http import Http404

from govportal.accounts.constants import Role
from govportal.accounts.selectors import get_for_user_or_404, scope_to_user
from govportal.audit.models import AuditEvent
from govportal.entities.models import Entity
from tests.factories import EntityFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_clerk_of_other_entity_gets_404(staff_client):
    other = EntityFactory()
    client = staff_client(MembershipFactory())
    response = client.get(f"/workspace/{other.code}/")
    assert response.status_code == 404
    assert other.name_ar not in response.content.decode()


def test_missing_and_foreign_entities_look_the_same(staff_client):
    client = staff_client(MembershipFactory())
    foreign = client.get(f"/workspace/{EntityFactory().code}/")
    missing = client.get("/workspace/NO-SUCH-ENTITY/")
    assert foreign.status_code == missing.status_code == 404


def test_member_sees_own_entity_workspace(staff_client):
    membership = MembershipFactory()
    response = staff_client(membership).get(f"/workspace/{membership.entity.code}/")
    assert response.status_code == 200
    assert membership.entity.name_ar in response.content.decode()


def test_head_sees_staff_and_activity_but_clerk_does_not(staff_client):
    head = MembershipFactory(role=Role.ENTITY_HEAD)
    clerk = MembershipFactory(entity=head.entity, role=Role.REGISTRY_CLERK)
    head_page = staff_client(head).get(f"/workspace/{head.entity.code}/").content.decode()
    clerk_page = staff_client(clerk).get(f"/workspace/{head.entity.code}/").content.decode()
    assert clerk.user.email in head_page
    assert clerk.user.email not in clerk_page


def test_scope_is_by_role_when_roles_are_given():
    clerk = MembershipFactory(role=Role.REGISTRY_CLERK)
    entities = scope_to_user(Entity.objects.all(), clerk.user, via="")
    assert list(entities) == [clerk.entity]
    assert not scope_to_user(Entity.objects.all(), clerk.user, via="", roles=[Role.ENTITY_HEAD]).exists()


def test_scope_follows_a_relation_to_the_entity():
    membership = MembershipFactory()
    EntityFactory()  # another entity with its own audit events
    events = scope_to_user(AuditEvent.objects.all(), membership.user, via="entity")
    assert events.exists()
    assert set(events.values_list("entity_id", flat=True)) == {membership.entity.pk}
    with pytest.raises(Http404):
        get_for_user_or_404(Entity.objects.all(), membership.user, via="", code="ENT-NOPE")


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/workspace/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")
