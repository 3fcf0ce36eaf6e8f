"""A citizen signs up in the browser: a mistake is named beside its field with everything else kept,
the confirmation link signs them in, and a national ID number already registered looks the same."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.conftest import submit
from tests.factories import CitizenProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Baghdad-Tigris-2026"
TEXT = {
    "ar": {"phone": "أدخل رقم هاتف محمول عراقي", "sent": "تم إرسال رسالة تأكيد", "confirm": "تأكيد"},
    "en": {"phone": "Enter an Iraqi mobile number", "sent": "Confirmation email sent", "confirm": "Confirm"},
}


def fill(page: Any, **values: str) -> None:
    for name, value in values.items():
        page.fill(f"input[name={name}]", value)


def sign_up(page: Any, *, email: str, full_name: str, national_id: str, phone: str) -> None:
    page.goto("/accounts/signup/")
    fill(page, email=email, full_name=full_name, national_id=national_id, phone=phone)
    fill(page, password1=PASSWORD, password2=PASSWORD)
    submit(page)


def link_in(message: Any) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", message.body).group(1)


@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_citizen_corrects_a_mistake_confirms_and_is_signed_in(page, choose_language, language):
    choose_language(language)
    sign_up(page, email="zainab@example.iq", full_name="زينب علي حسين", national_id="١٩٩٠١٢٣٤٥٦٧٨", phone="0123")

    # One mistake: named in the summary and beside the phone; what was typed is still there, but the passwords.
    expect(page.locator(".error-summary a[href='#id_phone']")).to_contain_text(TEXT[language]["phone"])
    expect(page.locator("#id_phone_error")).to_contain_text(TEXT[language]["phone"])
    expect(page.locator(".field--error")).to_have_count(1)
    expect(page.locator("input[name=email]")).to_have_value("zainab@example.iq")
    expect(page.locator("input[name=full_name]")).to_have_value("زينب علي حسين")
    expect(page.locator("input[name=national_id]")).to_have_value("١٩٩٠١٢٣٤٥٦٧٨")
    expect(page.locator("input[name=phone]")).to_have_value("0123")
    expect(page.locator("input[name=password1]")).to_have_value("")

    page.locator(".error-summary a[href='#id_phone']").click()
    expect(page.locator("#id_phone")).to_be_focused()
    fill(page, phone="07701234567", password1=PASSWORD, password2=PASSWORD)
    submit(page)
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    expect(page.locator("main")).to_contain_text(TEXT[language]["sent"])

    # The link from the e-mail, opened in the same browser: confirm, and the citizen is in.
    (message,) = mail.outbox
    assert message.to == ["zainab@example.iq"]
    page.goto(link_in(message))
    page.locator("main form:not(.national-signin) button[type=submit]").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/me/$"))  # signed in, on their own page: no second sign-in
    expect(page.locator("main")).to_contain_text("زينب علي حسين")
    expect(page.locator("header form[action='/accounts/logout/'] button")).to_be_visible()


def test_a_registered_national_id_looks_like_a_new_sign_up_and_its_owner_is_told(page):
    owner = CitizenProfileFactory(national_id="199012345678").user
    sign_up(page, email="someone@example.iq", full_name="شخص آخر", national_id="199012345678", phone="07701234567")
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    expect(page.locator("main")).to_contain_text("someone@example.iq")
    expect(page.locator(".error-summary")).to_have_count(0)
    assert [message.to for message in mail.outbox] == [[owner.email]]
