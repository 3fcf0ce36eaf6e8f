import re

import pytest
from django.core import mail
from django.test import Client

from govportal.accounts.models import CitizenProfile, User
from govportal.audit.models import AuditEvent
from tests.factories import CitizenProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "email": "citizen@example.iq",
    "password1": "Baghdad-Tigris-2026",
    "password2": "Baghdad-Tigris-2026",
    "full_name": "أحمد كريم",
    "national_id": "١٩٩٠١٢٣٤٥٦٧٨",  # typed with Arabic-Indic digits on a phone
    "phone": "07701234567",
}


def in_language(client, language):
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return client


def sign_up(client, capture, data=GOOD):
    with capture(execute=True):
        return client.post("/accounts/signup/", data)


def confirmation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body).group(1)


def test_citizen_signs_up_and_is_asked_to_verify_the_email(client, django_capture_on_commit_callbacks):
    response = sign_up(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/confirm-email/"
    profile = CitizenProfile.objects.get(user__email="citizen@example.iq")
    assert profile.national_id == "199012345678"
    assert profile.user.full_name == "أحمد كريم"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["citizen@example.iq"]
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_confirming_the_email_in_the_same_browser_signs_the_citizen_in(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)
    assert client.get("/me/").status_code == 302  # not signed in before confirming
    link = confirmation_link(mail.outbox[0])
    assert client.get(link).status_code == 200
    confirmed = client.post(link)
    assert confirmed.status_code == 302
    me = client.get("/me/")
    assert me.status_code == 200
    assert "أحمد كريم" in me.content.decode()


def test_confirming_in_another_browser_confirms_and_asks_to_sign_in(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)
    other = Client()
    link = confirmation_link(mail.outbox[0])
    confirmed = other.post(link)
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == "/accounts/login/"
    assert other.get("/me/").status_code == 302
    assert User.objects.get(email=GOOD["email"]).emailaddress_set.get().verified


REQUIRED = {
    "ar": {
        "email": "أدخل عنوان بريدك الإلكتروني.",
        "full_name": "أدخل اسمك الكامل.",
        "national_id": "أدخل رقم بطاقتك الوطنية.",
        "phone": "أدخل رقم هاتفك المحمول.",
        "password1": "اختر كلمة مرور.",
        "password2": "اكتب كلمة المرور مرة أخرى.",
    },
    "en": {
        "email": "Enter your e-mail address.",
        "full_name": "Enter your full name.",
        "national_id": "Enter your national ID number.",
        "phone": "Enter your mobile phone number.",
        "password1": "Choose a password.",
        "password2": "Type the password again.",
    },
}


@pytest.mark.parametrize("language", ["ar", "en"])
def test_an_empty_form_says_what_each_field_needs_beside_it_and_in_a_summary(client, language):
    response = in_language(client, language).post("/accounts/signup/", {})
    html = response.content.decode()
    assert response.status_code == 200
    assert "هذا الحقل مطلوب" not in html and "This field is required" not in html
    summary = html[html.index('class="error-summary"') : html.index("</ul>", html.index('class="error-summary"'))]
    for field, message in REQUIRED[language].items():
        assert f'href="#id_{field}"' in summary and message in summary
        assert f'<div class="field__error" id="id_{field}_error">' in html
        assert message in html[html.index(f'id="id_{field}_error"') :].split("</div>")[0]
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("language", "field", "value", "message"),
    [
        ("ar", "national_id", "12345", "12 مرتبة"),
        ("ar", "national_id", "111111111111", "غير صحيح"),
        ("ar", "phone", "0123", "07"),
        ("ar", "email", "citizen.example.iq", "name@example.com"),
        ("ar", "password1", "1234567890", "أرقام"),
        ("en", "national_id", "12345", "exactly 12 digits"),
        ("en", "phone", "0123", "starting with 07"),
        ("en", "email", "citizen.example.iq", "like name@example.com"),
        ("en", "password1", "1234567890", "entirely numeric"),
    ],
)
def test_a_bad_value_gets_its_own_message_beside_the_field_and_nothing_is_created(
    client, language, field, value, message
):
    data = {**GOOD, field: value}
    if field == "password1":
        data["password2"] = value
    response = in_language(client, language).post("/accounts/signup/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html[html.index(f'id="id_{field}_error"') :].split("</div>")[0]
    assert 'class="error-summary"' in html
    assert not User.objects.filter(email=GOOD["email"]).exists()


def test_after_an_error_every_field_keeps_its_value_but_the_passwords(client):
    html = client.post("/accounts/signup/", {**GOOD, "phone": "0123"}).content.decode()
    assert 'name="email" value="citizen@example.iq"' in html
    assert 'name="full_name" value="أحمد كريم"' in html
    assert 'name="national_id" value="١٩٩٠١٢٣٤٥٦٧٨"' in html
    assert 'name="phone" value="0123"' in html
    assert GOOD["password1"] not in html


def test_passwords_that_differ_are_named_beside_the_second(client):
    response = client.post("/accounts/signup/", {**GOOD, "password2": "Baghdad-Tigris-2027"})
    html = response.content.decode()
    assert html[html.index('id="id_password2_error"') :].split("</div>")[0].count("<p>") == 1
    assert not User.objects.exists()


# --- a national ID number already registered: nothing on the page tells -----------------------------


def _answer(response, client) -> tuple[int, str, str]:
    """What the person signing up sees: the status, where they are sent, and that page's main text."""
    page = client.get(response.headers["Location"])
    main = page.content.decode().split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return response.status_code, response.headers["Location"], main


@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_registered_national_id_gets_the_answer_of_a_new_account_and_its_owner_an_email(
    language, django_capture_on_commit_callbacks
):
    new = in_language(Client(), language)
    first = {**GOOD, "email": "first@example.iq"}
    status, location, text = _answer(sign_up(new, django_capture_on_commit_callbacks, first), new)
    expected = (status, location, text.replace("first@example.iq", GOOD["email"]))
    assert GOOD["email"] in expected[2]  # "… sent to citizen@example.iq"
    mail.outbox.clear()

    owner = CitizenProfileFactory(national_id="199012345679").user
    again = in_language(Client(), language)
    response = sign_up(again, django_capture_on_commit_callbacks, {**GOOD, "national_id": "199012345679"})
    assert _answer(response, again) == expected  # the same words, the same next page
    assert User.objects.count() == 2  # the first sign-up and the owner; nobody new
    assert [message.to for message in mail.outbox] == [[owner.email]]  # nothing to the address typed
    body = mail.outbox[0].subject + mail.outbox[0].body
    if language == "ar":
        assert "حاول أحدهم إنشاء حساب" in body
    else:
        assert "Someone tried to create a new account" in body
    assert "•5679" in body and GOOD["email"] in body
    assert "/accounts/login/" in body and "/accounts/password/reset/" in body
    event = AuditEvent.objects.get(action="citizen_signup_duplicate")
    assert event.target_id == str(owner.pk)


def test_a_registered_national_id_with_another_accounts_email_tells_both_owners(
    client, django_capture_on_commit_callbacks
):
    owner = CitizenProfileFactory(national_id="199012345679").user
    other = UserFactory(email="someone.else@example.iq")
    response = sign_up(
        client, django_capture_on_commit_callbacks, {**GOOD, "national_id": "199012345679", "email": other.email}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/accounts/confirm-email/"
    assert sorted(message.to[0] for message in mail.outbox) == sorted([owner.email, other.email])
    assert not CitizenProfile.objects.filter(user=other).exists()


def test_the_owner_is_not_flooded_with_emails(client, django_capture_on_commit_callbacks):
    owner = CitizenProfileFactory(national_id="199012345679").user
    for n in range(3):
        data = {**GOOD, "national_id": "199012345679", "email": f"try{n}@example.iq"}
        assert sign_up(client, django_capture_on_commit_callbacks, data).status_code == 302
    assert [message.to for message in mail.outbox] == [[owner.email]]  # one per confirmation-mail interval
    assert AuditEvent.objects.filter(action="citizen_signup_duplicate").count() == 3


def test_sign_ups_stay_rate_limited(client):
    for _n in range(20):
        assert client.post("/accounts/signup/", {}).status_code == 200
    assert client.post("/accounts/signup/", {}).status_code == 429
