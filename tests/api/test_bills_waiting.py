"""A bill posted for a national ID nobody has an account with waits, and joins the account of the citizen
whose national ID the identity platform verifies: at national sign-up, at a national sign-in, when an
e-mail account is linked. A national ID typed at an e-mail sign-up, unverified, claims nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from collection.models import Obligation
from collection.services import bill_post
from govportal.accounts.models import CitizenProfile, User
from govportal.accounts.services import citizen_register_national, national_identity_link, national_signin
from govportal.audit.models import AuditEvent
from tests.factories import CitizenProfileFactory, EntityFactory, UserFactory

pytestmark = pytest.mark.django_db

NATIONAL_ID = "199012345678"


@pytest.fixture
def waiting_bill():
    return bill_post(
        entity=EntityFactory(code="MOE-DIST-W", name_ar="مديرية توزيع كهرباء"),
        national_id=NATIONAL_ID,
        purpose="قائمة الكهرباء لشهر نيسان 2026",
        amount=37_000,
        due_date=timezone.localdate() + dt.timedelta(days=15),
        reference="ELEC-W-1",
        category="electricity",
    )


def bills_page(client, user: User) -> str:
    client.force_login(user)
    response = client.get("/collection/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_bill_waits_without_a_payer(waiting_bill):
    assert waiting_bill.payer is None and waiting_bill.payer_national_id == NATIONAL_ID


def test_a_new_citizen_signing_up_nationally_finds_the_bill(client, waiting_bill):
    user = UserFactory()
    citizen_register_national(user=user, full_name="أحمد كريم", national_id=NATIONAL_ID, provider="ur")
    waiting_bill.refresh_from_db()
    assert waiting_bill.payer == user
    assert "قائمة الكهرباء لشهر نيسان 2026" in bills_page(client, user)
    assert AuditEvent.objects.get(action="obligation_link").target_id == str(waiting_bill.pk)


def test_a_known_citizen_finds_it_at_their_next_national_sign_in(client, waiting_bill):
    profile = CitizenProfileFactory(national_id=NATIONAL_ID, national_id_verified_at=timezone.now())
    national_signin(user=profile.user, national_id=NATIONAL_ID)
    waiting_bill.refresh_from_db()
    assert waiting_bill.payer == profile.user
    assert "ELEC-W-1" in bills_page(client, profile.user)


def test_an_email_sign_up_with_the_typed_national_id_does_not_claim_it(
    client, waiting_bill, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {
                "email": "someone@example.iq",
                "password1": "Baghdad-Tigris-2026",
                "password2": "Baghdad-Tigris-2026",
                "full_name": "من كتب الرقم",
                "national_id": NATIONAL_ID,
                "phone": "07701234567",
            },
        )
    assert response.status_code == 302
    profile = CitizenProfile.objects.get(national_id=NATIONAL_ID)
    assert not profile.national_id_verified
    waiting_bill.refresh_from_db()
    assert waiting_bill.payer is None
    assert "ELEC-W-1" not in bills_page(client, profile.user)
    # Neither does a national sign-in event for an ID the account never had verified.
    national_signin(user=profile.user, national_id=NATIONAL_ID)
    waiting_bill.refresh_from_db()
    assert waiting_bill.payer is None


def test_linking_the_email_account_to_the_national_identity_claims_it(client, waiting_bill):
    profile = CitizenProfileFactory(national_id=NATIONAL_ID)  # typed at an e-mail sign-up, unverified
    national_identity_link(user=profile.user, national_id=NATIONAL_ID, provider="ur")
    waiting_bill.refresh_from_db()
    assert waiting_bill.payer == profile.user
    assert "ELEC-W-1" in bills_page(client, profile.user)


def test_only_bills_of_that_national_id_are_claimed(waiting_bill):
    other = bill_post(
        entity=waiting_bill.collecting_entity,
        national_id="198700001111",
        purpose="قائمة أخرى",
        amount=5_000,
        due_date=timezone.localdate(),
        reference="ELEC-W-2",
    )
    user = UserFactory()
    citizen_register_national(user=user, full_name="أحمد كريم", national_id=NATIONAL_ID, provider="ur")
    assert list(Obligation.objects.filter(payer=user)) == [waiting_bill]
    other.refresh_from_db()
    assert other.payer is None
