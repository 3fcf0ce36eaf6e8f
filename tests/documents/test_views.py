import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from documents.constants import Classification, DeliveryMode, LetterStatus, Priority
from documents.models import Attachment, Letter
from documents.services import attachment_add, letter_draft, letter_register, letter_submit
from govportal.accounts.constants import Role
from govportal.accounts.models import Membership
from govportal.audit.models import AuditEvent
from govportal.verification.services import verify_url
from tests.conftest import login_staff
from tests.documents.conftest import content
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% budget figures\n%%EOF\n"
SUBJECT = "طلب تزويد ببيانات الموازنة"


def signed_in(user) -> Client:
    return login_staff(Client(), Membership.objects.filter(user=user).first())


def upload(data: bytes = PDF, name: str = "figures.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def draft_form(office, **extra):
    return {
        "subject": SUBJECT,
        "body": "نرجو تزويدنا بالبيانات.\nمع التقدير.",
        "classification": Classification.NORMAL,
        "priority": Priority.NORMAL,
        "to": [office["health"].pk],
        **extra,
    }


def test_a_clerk_drafts_with_an_attachment_and_sees_the_letter(office):
    client = signed_in(office["clerk"])
    response = client.post("/documents/new/", draft_form(office, attachment=upload()))
    letter = Letter.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/documents/letters/{letter.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert SUBJECT in page
    attachment = letter.attachments.get()
    assert "figures.pdf" in page and f"/documents/attachments/{attachment.pk}/" in page
    download = client.get(f"/documents/attachments/{attachment.pk}/")
    assert b"".join(download.streaming_content) == PDF


def test_a_refused_attachment_is_shown_beside_the_field_and_nothing_is_kept(office):
    client = signed_in(office["clerk"])
    response = client.post("/documents/new/", draft_form(office, attachment=upload(b"MZ\x90\x00 program", "a.pdf")))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_attachment_error"' in page and 'href="#id_attachment"' in page
    assert SUBJECT in page  # the input is kept
    assert not Letter.objects.exists()
    assert not Attachment.objects.exists()


def test_the_head_approves_and_the_clerk_dispatches_with_a_number(office):
    letter = letter_draft(sender=office["finance"], content=content([office["health"]]), actor=office["clerk"])
    letter_submit(letter=letter, actor=office["clerk"])
    head = signed_in(office["head"])
    assert "documents/letters/" in head.get("/documents/drafts/").content.decode()
    assert head.post(f"/documents/letters/{letter.pk}/approve/").status_code == 302
    letter.refresh_from_db()
    assert letter.status == LetterStatus.APPROVED and letter.signer == office["head"]

    page = signed_in(office["clerk"]).post(f"/documents/letters/{letter.pk}/dispatch/", follow=True)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DISPATCHED
    assert letter.number and letter.number in page.content.decode()


def test_a_clerk_cannot_approve(office):
    letter = letter_draft(sender=office["finance"], content=content([office["health"]]), actor=office["clerk"])
    letter_submit(letter=letter, actor=office["clerk"])
    assert signed_in(office["clerk"]).post(f"/documents/letters/{letter.pk}/approve/").status_code == 404
    letter.refresh_from_db()
    assert letter.status == LetterStatus.SUBMITTED


def test_a_clerk_of_a_third_entity_gets_404_on_the_letter_and_its_attachment(office):
    letter = letter_draft(sender=office["finance"], content=content([office["health"]]), actor=office["clerk"])
    attachment = attachment_add(letter=letter, upload=upload(), actor=office["clerk"])
    stranger = signed_in(office["basra_clerk"])
    assert stranger.get(f"/documents/letters/{letter.pk}/").status_code == 404
    assert stranger.get(f"/documents/attachments/{attachment.pk}/").status_code == 404
    # The recipient does not see a draft either.
    assert signed_in(office["health_clerk"]).get(f"/documents/letters/{letter.pk}/").status_code == 404


def test_a_confidential_letter_is_for_heads_and_named_readers_and_each_read_is_audited(office, dispatched):
    letter = dispatched(classification=Classification.CONFIDENTIAL)
    reader = MembershipFactory(entity=office["health"], role=Role.REGISTRY_CLERK).user
    letter.named_readers.add(reader)
    url = f"/documents/letters/{letter.pk}/"

    assert signed_in(office["health_clerk"]).get(url).status_code == 404
    for user in (office["health_head"], reader):
        before = AuditEvent.objects.filter(action="letter_read", actor=user).count()
        assert signed_in(user).get(url).status_code == 200
        assert AuditEvent.objects.filter(action="letter_read", actor=user).count() == before + 1


def test_the_inbox_lists_immediate_letters_before_normal_ones(office, dispatched):
    dispatched(subject="كتاب اعتيادي")
    dispatched(subject="كتاب فوري", priority=Priority.IMMEDIATE)
    page = signed_in(office["health_clerk"]).get("/documents/").content.decode()
    assert page.index("كتاب فوري") < page.index("كتاب اعتيادي")


def pagination_links(page: str) -> dict[str, str]:
    """The links of the page's pagination, by their text."""
    nav = re.search(r'<nav class="pagination".*?</nav>', page, re.S)
    links = re.findall(r'<a[^>]* href="([^"]*)"[^>]*>(.*?)</a>', nav.group(0), re.S) if nav else []
    return {re.sub(r"<[^>]+>", "", text).strip(): html.unescape(href) for href, text in links}


def test_the_inbox_pages_on_with_next_and_goes_back_to_the_first_page(office, dispatched, monkeypatch):
    monkeypatch.setattr("documents.views.lists.PAGE_SIZE", 2)
    for n in (1, 2, 3):
        dispatched(subject=f"الكتاب رقم {n}")
    client = signed_in(office["health_clerk"])
    with translation.override("ar"):
        next_label, first_label = gettext("Next"), gettext("First page")

    first = client.get("/documents/", {"entity": "MOH"}).content.decode()
    assert "الكتاب رقم 3" in first and "الكتاب رقم 2" in first and "الكتاب رقم 1" not in first
    links = pagination_links(first)
    assert list(links) == [next_label]  # no way back from the first page
    assert "entity=MOH" in links[next_label]  # the other parameters are kept

    second = client.get(f"/documents/{links[next_label]}").content.decode()
    assert "الكتاب رقم 1" in second and "الكتاب رقم 2" not in second
    links = pagination_links(second)
    assert list(links) == [first_label]  # the last page
    assert client.get(f"/documents/{links[first_label]}").content.decode().count("الكتاب رقم") == 2


def test_an_inbox_link_with_a_broken_cursor_shows_the_first_page(office, dispatched):
    dispatched(subject="كتاب اعتيادي")
    response = signed_in(office["health_clerk"]).get("/documents/", {"after": "2.abc.7"})
    assert response.status_code == 200
    assert "كتاب اعتيادي" in response.content.decode()


def test_opening_a_letter_records_delivery_and_registering_gives_an_incoming_number(office, dispatched):
    letter = dispatched()
    client = signed_in(office["health_clerk"])
    client.get(f"/documents/letters/{letter.pk}/")
    copy = letter.recipients.get(entity=office["health"])
    assert copy.delivered_at is not None and copy.delivered_by == office["health_clerk"]
    page = client.post(f"/documents/copies/{copy.pk}/register/", follow=True).content.decode()
    copy.refresh_from_db()
    assert copy.incoming_number and copy.incoming_number in page


def test_an_unlinked_recipient_gets_paper_and_the_sender_records_its_delivery(office, dispatched):
    letter = dispatched(to=[office["basra"]])
    copy = letter.recipients.get()
    assert copy.delivery_mode == DeliveryMode.PAPER
    client = signed_in(office["clerk"])
    assert client.post(f"/documents/copies/{copy.pk}/paper-delivered/").status_code == 302
    copy.refresh_from_db()
    assert copy.delivered_at is not None


def test_refer_then_the_referee_closes_and_a_reply_is_drafted(office, dispatched):
    letter = dispatched()
    copy = letter_register(recipient=letter.recipients.get(entity=office["health"]), actor=office["health_clerk"])
    clerk = signed_in(office["health_clerk"])
    response = clerk.post(
        f"/documents/copies/{copy.pk}/refer/", {"referred_to": office["health_head"].pk, "minute": "للإجابة"}
    )
    assert response.status_code == 302
    referral = copy.referrals.get()
    head = signed_in(office["health_head"])
    assert copy.incoming_number in head.get("/documents/referrals/").content.decode()
    assert head.post(f"/documents/referrals/{referral.pk}/close/", {"note": "تمت الإجابة"}).status_code == 302
    referral.refresh_from_db()
    assert referral.closed_at is not None
    response = clerk.post(f"/documents/copies/{copy.pk}/reply/")
    reply = Letter.objects.get(in_reply_to=letter)
    assert response["Location"] == f"/documents/letters/{reply.pk}/edit/"


def test_the_incoming_register_csv_has_the_incoming_number_and_the_arabic_subject(office, dispatched):
    letter = dispatched()
    copy = letter_register(recipient=letter.recipients.get(entity=office["health"]), actor=office["health_clerk"])
    response = signed_in(office["health_clerk"]).get("/documents/incoming/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert copy.incoming_number in text and SUBJECT in text


def test_the_outgoing_register_filters_by_arabic_text_with_spelling_variants(office, dispatched):
    dispatched(subject="إحالة الموازنة")
    dispatched(subject="كتاب آخر")
    page = signed_in(office["clerk"]).get("/documents/outgoing/", {"q": "احاله"}).content.decode()
    assert "إحالة الموازنة" in page and "كتاب آخر" not in page


needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm") and shutil.which("zbarimg")),
    reason="needs poppler-utils and zbar-tools",
)


@needs_poppler
def test_the_outgoing_register_pdf_lists_the_number(
    office, dispatched, tmp_path: Path, django_capture_on_commit_callbacks
):
    letter = dispatched()
    today = timezone.localdate().isoformat()
    client = signed_in(office["clerk"])
    with django_capture_on_commit_callbacks() as queued:  # the worker has not run yet
        response = client.post("/documents/registers/print/?entity=MOF", {"kind": "outgoing", "date_from": today})
    assert response.status_code == 302
    waiting = client.get(response["Location"])
    assert waiting.status_code == 202 and gettext("The printed register is being prepared") in waiting.content.decode()
    for job in queued:
        job()
    ready = client.get(response["Location"])
    pdf = tmp_path / "register.pdf"
    pdf.write_bytes(b"".join(ready.streaming_content))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert letter.number in text


@needs_poppler
def test_the_letter_pdf_qr_leads_to_its_verify_url(
    office, dispatched, tmp_path: Path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        letter = dispatched()
    for job in queued:  # the worker renders it after dispatch
        job()
    response = signed_in(office["clerk"]).get(f"/documents/letters/{letter.pk}/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(b"".join(response.streaming_content))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert letter.number in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True
    )
    png = next(tmp_path.glob("page*.png"))
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert letter.artifact is not None
    assert decoded.stdout.strip() == verify_url(letter.artifact)


def test_the_workspace_shows_unread_and_immediate_counts(office, dispatched):
    dispatched(priority=Priority.IMMEDIATE)
    html = signed_in(office["health_clerk"]).get(f"/workspace/{office['health'].code}/").content.decode()
    assert "/documents/?entity=MOH" in html


def test_a_clerk_registers_a_paper_letter_from_its_scan(office):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login_staff(Client(), office["clerk"].memberships.get())
    form = {"sender": office["basra"].pk, "number": "م/445", "date": "2026-11-01", "subject": "طلب تخصيصات"}
    refused = client.post("/documents/paper/new/", {**form, "scan": SimpleUploadedFile("a.pdf", b"MZ\x90")})
    assert refused.status_code == 200
    assert 'class="error-summary"' in refused.content.decode()
    assert not Letter.objects.filter(received_on_paper=True).exists()
    response = client.post("/documents/paper/new/", {**form, "scan": SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")})
    assert response.status_code == 302
    letter = Letter.objects.get(received_on_paper=True)
    page = client.get(response.headers["Location"]).content.decode()
    assert letter.recipients.get().incoming_number in page
