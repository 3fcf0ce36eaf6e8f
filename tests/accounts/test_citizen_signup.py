import pytest
from django.core import mail

from govportal.accounts.models import CitizenProfile, User
from tests.factories import CitizenProfileFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "email": "citizen@example.iq",
    "password1": "Baghdad-Tigris-2026",
    "password2": "Baghdad-Tigris-2026",
    "full_name": "أحمد كريم",
    "national_id": "١٩٩٠١٢٣٤٥٦٧٨",  # typed with Arabic-Indic digits on a phone
    "phone": "07701234567",
}


def test_citizen_signs_up_and_is_asked_to_verify_the_email(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", GOOD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/confirm-email/"
    profile = CitizenProfile.objects.get(user__email="citizen@example.iq")
    assert profile.national_id == "199012345678"
    assert profile.user.full_name == "أحمد كريم"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["citizen@example.iq"]
    assert "/accounts/confirm-email/" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("national_id", "12345", "12 مرتبة"),
        ("national_id", "111111111111", "غير صحيح"),
        ("phone", "0123", "07"),
    ],
)
def test_bad_signup_shows_an_arabic_error_and_creates_nothing(client, field, value, message):
    response = client.post("/accounts/signup/", {**GOOD, field: value})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'class="error-summary"' in html
    assert not User.objects.filter(email=GOOD["email"]).exists()


def test_a_national_id_can_hold_only_one_account(client):
    CitizenProfileFactory(national_id="199012345678")
    response = client.post("/accounts/signup/", GOOD)
    assert response.status_code == 200
    assert not User.objects.filter(email=GOOD["email"]).exists()
