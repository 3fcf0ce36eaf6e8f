import pytest

from documents.constants import Classification, Priority
from documents.services import LetterContent, letter_approve, letter_dispatch, letter_draft, letter_submit
from govportal.accounts.constants import Role
from govportal.entities.constants import LinkagePhase
from govportal.entities.services import entity_link, phase_open
from tests.factories import EntityFactory, MembershipFactory


def make_office():
    """Two linked ministries and an unlinked governorate, with their clerks and heads."""
    phase_open(number=LinkagePhase.MINISTRIES)
    finance = entity_link(entity=EntityFactory(code="MOF"))
    health = entity_link(entity=EntityFactory(code="MOH"))
    basra = EntityFactory(code="GOV-BSR", governorate=True)
    return {
        "finance": finance,
        "health": health,
        "basra": basra,
        "clerk": MembershipFactory(entity=finance, role=Role.REGISTRY_CLERK).user,
        "head": MembershipFactory(entity=finance, role=Role.ENTITY_HEAD).user,
        "health_clerk": MembershipFactory(entity=health, role=Role.REGISTRY_CLERK).user,
        "health_head": MembershipFactory(entity=health, role=Role.ENTITY_HEAD).user,
        "basra_clerk": MembershipFactory(entity=basra, role=Role.REGISTRY_CLERK).user,
    }


@pytest.fixture
def office(db):
    return make_office()


def content(to, cc=(), *, subject="طلب تزويد ببيانات الموازنة", body="نرجو تزويدنا بالبيانات المطلوبة.", **extra):
    return LetterContent(
        subject=subject,
        body=body,
        classification=extra.get("classification", Classification.NORMAL),
        priority=extra.get("priority", Priority.NORMAL),
        reply_due=extra.get("reply_due"),
        to=list(to),
        cc=list(cc),
        readers=list(extra.get("readers", [])),
    )


def dispatch(office, to=None, cc=(), **extra):
    """A letter from the Ministry of Finance, drafted, approved by its head and dispatched."""
    letter = letter_draft(
        sender=office["finance"], content=content(to or [office["health"]], cc, **extra), actor=office["clerk"]
    )
    letter_submit(letter=letter, actor=office["clerk"])
    letter_approve(letter=letter, actor=office["head"])
    return letter_dispatch(letter=letter, actor=office["clerk"])


@pytest.fixture
def dispatched(office):
    def make(to=None, cc=(), **extra):
        return dispatch(office, to, cc, **extra)

    return make
