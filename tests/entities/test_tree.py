import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from govportal.entities.constants import EntityKind
from govportal.entities.hierarchy import HIERARCHY
from govportal.entities.models import Entity
from govportal.entities.services import entity_move, hierarchy_load
from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db


def test_descendants_and_ancestors_in_one_query_each():
    ministry = EntityFactory()
    directorate = EntityFactory(kind=EntityKind.DIRECTORATE, parent=ministry)
    section = EntityFactory(kind=EntityKind.INSTITUTION, parent=directorate)
    EntityFactory()  # unrelated
    with CaptureQueriesContext(connection) as queries:
        below = list(Entity.objects.descendants_of(ministry))
        above = list(Entity.objects.ancestors_of(section))
    assert len(queries) == 2
    assert below == [directorate, section]
    assert above == [ministry, directorate]


def test_moving_an_entity_moves_its_subtree():
    old_parent, new_parent = EntityFactory(), EntityFactory(governorate=True)
    directorate = EntityFactory(kind=EntityKind.DIRECTORATE, parent=old_parent)
    child = EntityFactory(kind=EntityKind.INSTITUTION, parent=directorate)
    entity_move(entity=directorate, parent=new_parent)
    child.refresh_from_db()
    assert list(Entity.objects.ancestors_of(child)) == [new_parent, directorate]
    assert child.depth == 2
    assert not Entity.objects.descendants_of(old_parent).exists()


def test_an_entity_cannot_move_under_its_own_subtree():
    ministry = EntityFactory()
    directorate = EntityFactory(kind=EntityKind.DIRECTORATE, parent=ministry)
    with pytest.raises(ValidationError):
        entity_move(entity=ministry, parent=directorate)


def test_real_hierarchy_loads_once_with_both_names():
    created = hierarchy_load(HIERARCHY)
    assert created == len(HIERARCHY)
    assert hierarchy_load(HIERARCHY) == 0
    fund = Entity.objects.get(code="IHF")
    assert fund.name_ar == "صندوق الإسكان العراقي"
    assert fund.parent.code == "MOCHM"
    secretariat = Entity.objects.get(kind=EntityKind.SECRETARIAT)
    assert secretariat.name_en == "General Secretariat of the Council of Ministers"
    assert Entity.objects.filter(kind=EntityKind.MINISTRY).count() >= 20
    assert Entity.objects.filter(kind=EntityKind.GOVERNORATE).count() == 15
    assert fund.name_ckb == "سندووقی نیشتەجێبوونی عێراقی"
    assert secretariat.name_ckb == "ئەمینداریەتی گشتیی ئەنجومەنی وەزیران"


def test_every_real_entity_has_a_kurdish_name_in_kurdish_letters():
    """ک ی ە, never the Arabic ك ي ة ى a Kurdish name typed on an Arabic keyboard would have."""
    for node in HIERARCHY:
        assert node.name_ckb, node.code
        assert not set("كيةى") & set(node.name_ckb), (node.code, node.name_ckb)
        assert set(node.name_ckb) & set("ەێۆڵڕیک"), (node.code, node.name_ckb)  # Kurdish, not Arabic copied
    assert len({node.name_ckb for node in HIERARCHY}) == len(HIERARCHY)


def test_an_entity_is_named_in_the_readers_language_and_in_arabic_where_it_has_no_kurdish_name():
    named = EntityFactory(name_ar="وزارة المالية", name_en="Ministry of Finance", name_ckb="وەزارەتی دارایی")
    unnamed = EntityFactory(name_ar="وزارة النفط", name_en="Ministry of Oil")
    with translation.override("ckb"):
        assert (named.name, unnamed.name) == ("وەزارەتی دارایی", "وزارة النفط")
    with translation.override("ar"):
        assert named.name == "وزارة المالية"
    with translation.override("en"):
        assert named.name == "Ministry of Finance"
