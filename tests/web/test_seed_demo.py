"""The demo world: loaded twice it is the same world, its logins are the last thing printed, and
every journey can be walked with its accounts alone."""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.test import Client

from datacenter.models import Certificate
from documents.demo import DEMO_SUBJECT
from documents.models import Letter
from govportal.accounts.models import CitizenProfile, Membership, User
from govportal.env import parse_email_url
from tests.conftest import login_staff
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

DEMO = "demo.govportal.iq"
EXPECTED = {
    ("registry.clerk", "registry_clerk", "MOF"),
    ("entity.head", "entity_head", "MOF"),
    ("entity.head", "entity_head", "IHF"),
    ("registry.clerk.comsec", "registry_clerk", "COMSEC"),
    ("entity.head.comsec", "entity_head", "COMSEC"),
    ("entity.head.ndc", "entity_head", "NDC"),
    ("certificate.issuer", "certificate_issuer", "NDC"),
    ("fund.officer", "fund_officer", "IHF"),
    ("outlet.cashier", "outlet_cashier", "IHF"),
    ("training.coordinator", "training_coordinator", "MOF"),
    ("training.admin", "training_admin", "COMSEC"),
    ("auditor", "auditor", "MOF"),
}


def seed(settings) -> str:
    """seed_demo as `make run` runs it, with the development console mailer writing where it prints."""
    out = io.StringIO()
    settings.MAILERS = {"default": {**parse_email_url("console://"), "OPTIONS": {"stream": out}}}
    call_command("seed_demo", "--password", PASSWORD, stdout=out)
    return out.getvalue()


def signed_in(login: str) -> Client:
    return login_staff(Client(), Membership.objects.filter(user__email=f"{login}@{DEMO}").first())


@pytest.fixture
def demo(settings, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        return seed(settings)


@pytest.mark.django_db(transaction=True)  # commits for real, as `make run` does: e-mails go out on commit
def test_seeding_twice_makes_the_same_world_and_ends_with_the_logins(settings):
    demo = seed(settings)
    memberships = set(Membership.objects.filter(user__email__endswith=f"@{DEMO}").values_list("pk", flat=True))
    users = User.objects.count()
    again = seed(settings)
    assert set(Membership.objects.filter(user__email__endswith=f"@{DEMO}").values_list("pk", flat=True)) == memberships
    assert User.objects.count() == users
    assert Letter.objects.filter(subject=DEMO_SUBJECT).count() == 1
    granted = {
        (m.user.email.removesuffix(f"@{DEMO}"), m.role, m.entity.code)
        for m in Membership.objects.filter(user__email__endswith=f"@{DEMO}").select_related("user", "entity")
    }
    assert granted == EXPECTED

    for printed in (demo, again):
        assert "Subject:" not in printed and "base64" not in printed  # the e-mails were held, not printed
        lines = printed.rstrip("\n").splitlines()
        assert lines[-1].startswith("Staff accounts need the 6-digit code")
        table = "\n".join(lines[lines.index("Demo data loaded.") :])
        for login, _, code in EXPECTED:
            assert f"{login}@{DEMO}" in table and code in table
        assert re.search(r"entity\.head@\S+\s+Head of entity\s+MOF", table)
        assert re.search(r"^\s+Head of entity\s+IHF\s+\(same account\)$", table, re.MULTILINE)
        assert re.search(r"entity\.head\.ndc@\S+\s+Head of entity\s+NDC", table)
        assert re.search(r"registry\.clerk\.comsec@\S+\s+Registry clerk\s+COMSEC", table)
        assert f"admin@{DEMO}" in table and f"citizen@{DEMO}" in table
        assert "NDC = National Data Centre" in table
        clients = printed[printed.index("API clients (client credentials") : printed.rindex("Staff accounts need")]
        assert re.search(
            r"^\s+MOE-DIST-KARKH\s+demo-moe-dist-karkh-billing\s+\S+\s+bills:write bills:read$", clients, re.M
        )
        assert re.search(r"^\s+FBSA\s+demo-fbsa-verifier\s+\S+\s+verify$", clients, re.M)
    assert "e-mails sent while loading it are not shown" in demo
    assert re.search(r"^\s+198507220143\s+\S+\s+هيوا جلال رشيد$", demo, re.MULTILINE)  # national sign-in


def test_seed_demo_json_lists_the_sandbox_identities(settings):
    out = io.StringIO()
    call_command("seed_demo", "--password", PASSWORD, "--json", stdout=out)
    identities = {person["national_id"]: person for person in json.loads(out.getvalue())["identities"]}
    owner = User.objects.get(email=f"citizen@{DEMO}").citizen_profile
    assert identities[owner.national_id]["name"] == owner.user.full_name  # owns the demo loan
    assert not CitizenProfile.objects.filter(national_id="198507220143").exists()  # no account yet
    assert all(person["password"] == PASSWORD and person["name"] for person in identities.values())


def test_seed_demo_json_lists_api_clients_whose_credentials_work(settings):
    out = io.StringIO()
    call_command("seed_demo", "--password", PASSWORD, "--json", stdout=out)
    clients = {client["client_id"]: client for client in json.loads(out.getvalue())["api_clients"]}
    billing = clients["demo-moe-dist-karkh-billing"]
    assert (billing["entity"], billing["scopes"]) == ("MOE-DIST-KARKH", ["bills:write", "bills:read"])
    assert (clients["demo-fbsa-verifier"]["entity"], clients["demo-fbsa-verifier"]["scopes"]) == ("FBSA", ["verify"])
    again = io.StringIO()
    call_command("seed_demo", "--password", PASSWORD, "--json", stdout=again)
    assert json.loads(again.getvalue())["api_clients"] == list(clients.values())  # `make run` prints the same
    client = Client()
    token = client.post(
        "/api/v1/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": billing["client_id"],
            "client_secret": billing["client_secret"],
        },
    ).json()["access_token"]
    bills = client.get("/api/v1/bills", headers={"Authorization": f"Bearer {token}"}).json()["items"]
    # The directorate's bills for the demo citizen wait for him to sign in with the national identity.
    mine = [bill for bill in bills if bill["national_id"].endswith("5678")]
    assert len(mine) == 2 and not any(bill["payer_linked"] for bill in mine)
    assert len(bills) == 3  # seeded twice, posted once


def test_the_secretariat_receives_registers_and_answers_the_ministrys_letter(demo):
    letter = Letter.objects.get(subject=DEMO_SUBJECT)
    clerk = signed_in("registry.clerk.comsec")
    assert DEMO_SUBJECT in clerk.get("/documents/").content.decode()
    clerk.get(f"/documents/letters/{letter.pk}/")
    copy = letter.recipients.get(entity__code="COMSEC")
    page = clerk.post(f"/documents/copies/{copy.pk}/register/", follow=True).content.decode()
    copy.refresh_from_db()
    assert copy.incoming_number and copy.incoming_number in page
    response = clerk.post(f"/documents/copies/{copy.pk}/reply/")
    reply = Letter.objects.get(in_reply_to=letter)
    assert response["Location"] == f"/documents/letters/{reply.pk}/edit/"
    assert reply.sender_entity.code == "COMSEC"


def test_the_head_of_two_entities_switches_between_them(demo):
    head = signed_in("entity.head")
    page = head.get("/documents/drafts/").content.decode()
    assert 'action="/documents/entity/"' in page and '<option value="IHF"' in page
    assert head.post("/documents/entity/", {"entity": "IHF"}).status_code == 302
    assert head.get("/documents/drafts/").context["entity"].code == "IHF"


def test_the_data_centres_head_can_revoke_its_certificate(demo):
    certificate = Certificate.objects.get(issuing_entity__code="NDC", request__note="demo")
    url = f"/datacenter/certificates/{certificate.pk}/revoke/"
    head = signed_in("entity.head.ndc")
    assert f'href="{url}"' in head.get(f"/datacenter/certificates/{certificate.pk}/").content.decode()
    assert head.get(url).status_code == 200
    assert signed_in("certificate.issuer").get(url).status_code == 404  # the issuer answers, the head revokes
