"""The demo world loaded by ``seed_demo``: real entity tree, one staff member per role, a citizen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import decrypt
from django.db import transaction

from govportal.accounts.constants import Role
from govportal.accounts.models import CitizenProfile, User
from govportal.accounts.services import membership_grant
from govportal.entities.constants import LinkagePhase
from govportal.entities.hierarchy import HIERARCHY
from govportal.entities.models import Entity
from govportal.entities.services import entity_link, hierarchy_load, phase_open

DEMO_DOMAIN = "demo.govportal.iq"


@dataclass(frozen=True)
class DemoStaff:
    role: str
    entity: str
    name: str


STAFF = [
    DemoStaff(Role.REGISTRY_CLERK, "MOF", "سارة عبد الله"),
    DemoStaff(Role.ENTITY_HEAD, "MOF", "علي حسين الجبوري"),
    DemoStaff(Role.FUND_OFFICER, "IHF", "مريم كاظم"),
    DemoStaff(Role.OUTLET_CASHIER, "IHF", "حيدر جاسم"),
    DemoStaff(Role.CERTIFICATE_ISSUER, "NDC", "زينب محمد"),
    DemoStaff(Role.TRAINING_COORDINATOR, "MOF", "عمر خالد"),
    DemoStaff(Role.TRAINING_ADMIN, "COMSEC", "نور الهدى سلمان"),
    DemoStaff(Role.AUDITOR, "MOF", "ياسر فاضل"),
]
# Entities linked in the demo so the rollout page shows progress in phases 1 and 2.
DEMO_UNLINKED_MINISTRIES = {"MOMD", "MOYS", "MOCTA"}
DEMO_LINKED_PHASE_2 = {"GOV-BGD", "GOV-BSR", "GOV-NJF", "GOV-KRB", "CBI", "FBSA", "FCI"}


def _user(email: str, password: str, name: str, *, superuser: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        create = User.objects.create_superuser if superuser else User.objects.create_user
        user = create(email=email, password=password, full_name=name)
    else:
        user.set_password(password)
        user.full_name = name
        user.save(update_fields=["password", "full_name"])
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _totp_secret(user: User) -> str:
    """The user's TOTP secret, set up once so scripts and people can sign in with it."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        authenticator = TOTP.activate(user, generate_totp_secret()).instance
    return str(decrypt(authenticator.data["secret"]))


@transaction.atomic
def demo_load(*, password: str) -> dict[str, Any]:
    hierarchy_load(HIERARCHY)
    for phase in (LinkagePhase.MINISTRIES, LinkagePhase.NON_MINISTRY_AND_GOVERNORATES):
        phase_open(number=phase)
    to_link = Entity.objects.unlinked().filter(linkage_phase=LinkagePhase.MINISTRIES).exclude(
        code__in=DEMO_UNLINKED_MINISTRIES
    ) | Entity.objects.unlinked().filter(code__in=DEMO_LINKED_PHASE_2)
    for entity in to_link:
        entity_link(entity=entity)

    accounts: list[dict[str, object]] = []
    admin = _user(f"admin@{DEMO_DOMAIN}", password, "مدير النظام", superuser=True)
    accounts.append({"role": "administrator", "email": admin.email, "entity": None, "totp_secret": _totp_secret(admin)})
    for staff in STAFF:
        entity = Entity.objects.get(code=staff.entity)
        user = _user(f"{staff.role.replace('_', '.')}@{DEMO_DOMAIN}", password, staff.name)
        membership_grant(user=user, entity=entity, role=staff.role)
        accounts.append(
            {"role": str(staff.role), "email": user.email, "entity": entity.code, "totp_secret": _totp_secret(user)}
        )
    citizen = _user(f"citizen@{DEMO_DOMAIN}", password, "أحمد كريم العبيدي")
    CitizenProfile.objects.get_or_create(user=citizen, defaults={"national_id": "199012345678", "phone": "07701234567"})
    accounts.append({"role": "citizen", "email": citizen.email, "entity": None, "totp_secret": None})
    samples: dict[str, Any] = {}
    for contribute in SAMPLE_MAKERS:
        samples.update(contribute())
    return {"accounts": accounts, "samples": samples}


# Domain apps add their demo documents here (through their own services) and return sample URLs.
SAMPLE_MAKERS: list[Callable[[], dict[str, Any]]] = []
