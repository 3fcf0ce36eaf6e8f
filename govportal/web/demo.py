"""The demo world loaded by ``seed_demo``: real entity tree, staff for every journey, a citizen."""

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
from govportal.accounts.models import CitizenProfile, Membership, User
from govportal.accounts.services import membership_grant
from govportal.entities.constants import LinkagePhase
from govportal.entities.hierarchy import HIERARCHY
from govportal.entities.models import Entity
from govportal.entities.services import entity_link, hierarchy_load, phase_open

DEMO_DOMAIN = "demo.govportal.iq"


@dataclass(frozen=True)
class DemoStaff:
    """One demo staff account: its e-mail's local part, its name, and its (role, entity code) pairs."""

    login: str
    name: str
    memberships: tuple[tuple[str, str], ...]


# Every journey can be walked with these accounts alone: MOF drafts, approves and dispatches a letter
# to the General Secretariat (COMSEC), whose clerk registers it and replies and whose head signs the
# reply; NDC's issuer answers an authenticity request and NDC's head can revoke the certificate.
# MOF's head also heads the Housing Fund (reschedulings, outlets): the entity switch on /documents/.
STAFF = [
    DemoStaff("registry.clerk", "سارة عبد الله", ((Role.REGISTRY_CLERK, "MOF"),)),
    DemoStaff("entity.head", "علي حسين الجبوري", ((Role.ENTITY_HEAD, "MOF"), (Role.ENTITY_HEAD, "IHF"))),
    DemoStaff("registry.clerk.comsec", "دعاء سعد الموسوي", ((Role.REGISTRY_CLERK, "COMSEC"),)),
    DemoStaff("entity.head.comsec", "كريم عباس الشمري", ((Role.ENTITY_HEAD, "COMSEC"),)),
    DemoStaff("entity.head.ndc", "رشا حميد التميمي", ((Role.ENTITY_HEAD, "NDC"),)),
    DemoStaff("fund.officer", "مريم كاظم", ((Role.FUND_OFFICER, "IHF"),)),
    DemoStaff("outlet.cashier", "حيدر جاسم", ((Role.OUTLET_CASHIER, "IHF"),)),
    DemoStaff("certificate.issuer", "زينب محمد", ((Role.CERTIFICATE_ISSUER, "NDC"),)),
    DemoStaff("training.coordinator", "عمر خالد", ((Role.TRAINING_COORDINATOR, "MOF"),)),
    DemoStaff("training.admin", "نور الهدى سلمان", ((Role.TRAINING_ADMIN, "COMSEC"),)),
    DemoStaff("auditor", "ياسر فاضل", ((Role.AUDITOR, "MOF"),)),
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

    accounts: list[dict[str, Any]] = []
    admin = _user(f"admin@{DEMO_DOMAIN}", password, "مدير النظام", superuser=True)
    accounts.append({"kind": "administrator", "email": admin.email, "roles": [], "totp_secret": _totp_secret(admin)})
    for staff in STAFF:
        user = _user(f"{staff.login}@{DEMO_DOMAIN}", password, staff.name)
        for role, code in staff.memberships:
            membership_grant(user=user, entity=Entity.objects.get(code=code), role=role)
        accounts.append({"kind": "staff", "email": user.email, "roles": [], "totp_secret": _totp_secret(user)})
    citizen = _user(f"citizen@{DEMO_DOMAIN}", password, "أحمد كريم العبيدي")
    CitizenProfile.objects.get_or_create(user=citizen, defaults={"national_id": "199012345678", "phone": "07701234567"})
    accounts.append({"kind": "citizen", "email": citizen.email, "roles": [], "totp_secret": None})
    samples: dict[str, Any] = {}
    for contribute in SAMPLE_MAKERS:
        samples.update(contribute())
    memberships = Membership.objects.filter(user__email__endswith=f"@{DEMO_DOMAIN}").order_by("pk")
    for account in accounts:  # as granted, samples' grants included
        account["roles"] = [
            {"role": role, "entity": code}
            for role, code in memberships.filter(user__email=account["email"]).values_list("role", "entity__code")
        ]
    identities = [identity for make in IDENTITY_MAKERS for identity in make(password)]
    api_clients = [api_client for make in API_CLIENT_MAKERS for api_client in make(password)]
    return {"accounts": accounts, "samples": samples, "identities": identities, "api_clients": api_clients}


# Domain apps add their demo documents here (through their own services) and return sample URLs.
SAMPLE_MAKERS: list[Callable[[], dict[str, Any]]] = []
# Simulated outside parties add the people they know here, given the demo password (the sandbox
# identity provider's test identities: national_id, name, password…).
IDENTITY_MAKERS: list[Callable[[str], list[dict[str, Any]]]] = []
# Other systems' API clients, given the demo password (each {entity, client_id, client_secret, scopes},
# the secret derived from the password so that it stays the same): an agency's billing, a verifier.
API_CLIENT_MAKERS: list[Callable[[str], list[dict[str, Any]]]] = []
