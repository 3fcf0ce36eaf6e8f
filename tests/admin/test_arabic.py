"""The admin and allauth's pages in Arabic: no English labels, none of the wrong Arabic that
allauth's catalogue carries, and e-mails that greet from the portal's name."""

from __future__ import annotations

import gettext as gnu_gettext
import json
from pathlib import Path
from urllib.parse import urlsplit

import allauth
import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation

from tests.factories import PaymentFactory

pytestmark = pytest.mark.django_db

# What allauth's Arabic catalogue gets wrong: the MFA app named "Ministry of Foreign Affairs",
# misspellings, stray letters, and left-to-right embedding marks left open before punctuation.
WRONG = ["وزارة الخارجية", "لم ترى", "لم تتلقى", "غضو ", "موثقف", "6(unused_count)", "J لقد", "O أنت", "يولد"]
WRONG += ["\u202a.", "\u202a:", "\u202a("]


def _allauth_arabic() -> dict[object, str]:
    locale = Path(allauth.__file__).parent / "locale"
    return gnu_gettext.translation("django", localedir=locale, languages=["ar"])._catalog


def test_every_wrong_arabic_sentence_of_allauth_is_replaced_by_ours():
    wrong = [key for key, text in _allauth_arabic().items() if any(bad in text for bad in WRONG)]
    assert len(wrong) >= 6  # the catalogue still carries them; ours must win over each
    with translation.override("ar"):
        for key in wrong:  # a plural's key is (msgid, form)
            ours = translation.ngettext(key[0], key[0], key[1]) if isinstance(key, tuple) else translation.gettext(key)
            assert not any(bad in ours for bad in WRONG), (key, ours)


def test_the_recovery_codes_count_reads_in_arabic():
    with translation.override("ar"):
        text = translation.ngettext(
            "There is %(unused_count)s out of %(total_count)s recovery codes available.",
            "There are %(unused_count)s out of %(total_count)s recovery codes available.",
            7,
        ) % {"unused_count": 7, "total_count": 10}
    assert text == "يتوفر 7 من أصل 10 من رموز الاسترداد."


def test_the_admin_index_names_the_mfa_section_and_its_authenticators_in_arabic(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "التحقق بخطوتين" in html and "أدوات المصادقة" in html
    assert "وزارة الخارجية" not in html and "Authenticators" not in html


def test_a_changelist_has_no_english_buttons_or_labels(admin_client):
    PaymentFactory(amount=1_250_000)
    html = admin_client.get("/admin/collection/payment/").content.decode()
    assert ">نفِّذ<" in html and ">Run<" not in html
    assert 'alt="Search"' not in html and "ابحث في الدفعات" in html
    assert "Select an option" not in html and "اختر من القائمة" in html  # the portal's blank choice (web/forms.py)
    assert "صفِّ حسب" in html  # the date hierarchy
    assert "1,250,000" in html  # amounts with thousands separators


def test_the_admins_javascript_speaks_arabic(admin_client):
    """Django's Arabic for the admin's scripts lacks the time-zone note and the calendar's labels."""
    script = admin_client.get("/admin/jsi18n/").content.decode()
    assert json.dumps("ملاحظة: أدخل الأوقات بتوقيت")[1:-1] in script
    assert json.dumps("اليوم (%(date)s)")[1:-1] in script


def test_the_verification_page_after_sign_up_has_no_misspelt_arabic(client, django_capture_on_commit_callbacks):
    from tests.accounts.test_citizen_signup import GOOD

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", GOOD)
    html = client.get("/accounts/confirm-email/").content.decode()
    assert "أرسلنا إليك رسالة للتحقق" in html
    assert not any(bad in html for bad in WRONG)


def test_the_sign_up_email_greets_from_the_portals_name(client, django_capture_on_commit_callbacks):
    from tests.accounts.test_citizen_signup import GOOD

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", GOOD)
    (message,) = mail.outbox
    host = urlsplit(settings.SITE_URL).netloc
    assert message.body.startswith("مرحبًا، هذه رسالة من بوابة الحكومة العراقية.")
    assert f"شكرًا لاستخدامك بوابة الحكومة العراقية.\n{host}" in message.body
    assert f"لإنشاء حساب باسم {GOOD['full_name']} في {host}" in message.body
    assert "من موقع" not in message.body and "Hello from" not in message.body


def test_an_english_reader_gets_the_english_email(client, django_capture_on_commit_callbacks):
    from tests.accounts.test_citizen_signup import GOOD

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", GOOD)
    (message,) = mail.outbox
    assert message.body.startswith("Hello from Iraqi Government Portal!")
