"""Development e-mail prints readable: Arabic as Arabic, links whole, nothing base64."""

import io
import re

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client

from govportal.env import parse_email_url

pytestmark = pytest.mark.django_db

LINK = "http://127.0.0.1:8100/accounts/confirm-email/" + "MQ:1vXbQz:Kq8s7dNwLrT2pY" * 6 + "/"


@pytest.fixture
def console(settings):
    """The development mailer (EMAIL_URL=console://, the default with DJANGO_DEBUG=1), its output kept."""
    stream = io.StringIO()
    settings.MAILERS = {"default": {**parse_email_url("console://"), "OPTIONS": {"stream": stream}}}
    return stream


def test_an_arabic_e_mail_with_a_long_link_prints_as_written(console):
    message = EmailMultiAlternatives(
        subject="تأكيد عنوان بريدك الإلكتروني",
        body=f"مرحباً أحمد،\nلتأكيد حسابك افتح الرابط الآتي:\n{LINK}\n\nمع التقدير.",
        from_email="govportal <no-reply@govportal.invalid>",
        to=["citizen@example.iq"],
    )
    message.attach_alternative("<p>مرحباً أحمد</p>", "text/html")
    message.attach("scan.pdf", b"%PDF-1.4", "application/pdf")
    message.send()
    printed = console.getvalue()
    assert "Subject: تأكيد عنوان بريدك الإلكتروني" in printed
    assert "To: citizen@example.iq" in printed
    assert "مرحباً أحمد،\nلتأكيد حسابك افتح الرابط الآتي:" in printed
    assert f"\n{LINK}\n" in printed  # one line, whole: no soft line break, no =3D
    assert "base64" not in printed and "=?utf-8?" not in printed
    assert "[attachment scan.pdf: application/pdf, 8 bytes, not shown]" in printed


def test_the_sign_up_confirmation_link_printed_on_the_console_opens(console, django_capture_on_commit_callbacks):
    data = {
        "email": "citizen@example.iq",
        "password1": "Baghdad-Tigris-2026",
        "password2": "Baghdad-Tigris-2026",
        "full_name": "أحمد كريم",
        "national_id": "199012345678",
        "phone": "07701234567",
    }
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/accounts/signup/", data).status_code == 302
    printed = console.getvalue()
    assert not hasattr(mail, "outbox") or not mail.outbox  # it went to the console, not to the test outbox
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)\n", printed)
    assert link, printed
    assert re.search(r"[\u0600-\u06ff]{3}", printed)  # the Arabic text itself
    assert client.post(link.group(1)).status_code == 302
    assert client.get("/me/").status_code == 200
