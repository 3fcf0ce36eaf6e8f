"""An official letter, end to end in real Chromium.

A registry clerk of ministry A drafts a letter to linked ministry B with an attachment and submits it;
A's head approves and signs it; the clerk dispatches it and sees its outgoing number. B's clerk opens it
(the delivery is recorded), registers it and refers it to B's head with a minute and a due date; the head
finds it under "My referrals", drafts a reply (a draft addressed to A) and closes the referral. A's clerk
then sees the tracking: delivered, registered with B's incoming number and by whom, and the history.
A clerk of a third entity cannot reach the letter nor its attachment.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from documents.constants import LetterStatus, RecipientKind
from documents.models import Letter, LetterRecipient, Referral
from govportal.accounts.constants import Role
from govportal.audit.labels import action_label
from govportal.entities.constants import LinkagePhase
from govportal.entities.services import entity_link, phase_open
from tests.e2e.conftest import arabic, sign_in_as, status_of
from tests.factories import EntityFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "طلب تزويد ببيانات الموازنة الاستثمارية"
BODY = "نرجو تزويدنا ببيانات الموازنة الاستثمارية للعام الحالي.\nمع التقدير."
MINUTE = "يرجى إعداد الجواب خلال أسبوع"


def arabic_action(action: str) -> str:
    with translation.override("ar"):
        return action_label(action)


def arabic_status(status: str) -> str:
    with translation.override("ar"):
        return translation.pgettext("letter status", status)


def press(page: Any, label: str) -> None:
    page.get_by_role("button", name=arabic(label), exact=True).click()
    page.wait_for_load_state()


def test_draft_approve_dispatch_register_refer_reply_track(page, new_page, settings, private_files, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # five accounts, quickly
    phase_open(number=LinkagePhase.MINISTRIES)
    a = entity_link(entity=EntityFactory(code="MOF", name_ar="وزارة المالية", name_en="Ministry of Finance"))
    b = entity_link(entity=EntityFactory(code="MOH", name_ar="وزارة الصحة", name_en="Ministry of Health"))
    c = EntityFactory(code="MOE", name_ar="وزارة التربية", name_en="Ministry of Education")
    clerk_a = MembershipFactory(role=Role.REGISTRY_CLERK, entity=a, user__full_name="سارة كاظم").user
    head_a = MembershipFactory(role=Role.ENTITY_HEAD, entity=a, user__full_name="علي حسن").user
    clerk_b = MembershipFactory(role=Role.REGISTRY_CLERK, entity=b, user__full_name="مريم جاسم").user
    head_b = MembershipFactory(role=Role.ENTITY_HEAD, entity=b, user__full_name="حيدر عباس").user
    clerk_c = MembershipFactory(role=Role.REGISTRY_CLERK, entity=c).user
    scan = tmp_path / "budget.pdf"
    scan.write_bytes(b"%PDF-1.4\n% budget figures\n%%EOF\n")

    # --- A's clerk drafts the letter with an attachment and submits it ---------------------------
    sign_in_as(page, clerk_a)
    page.goto("/documents/new/")
    page.fill("input[name=subject]", SUBJECT)
    page.fill("textarea[name=body]", BODY)
    page.locator(f"input[name=to][value='{b.pk}']").check()
    page.set_input_files("input[name=attachment]", str(scan))
    press(page, "Save the draft")
    letter = Letter.objects.get()
    letter_path = f"/documents/letters/{letter.pk}/"
    expect(page).to_have_url(re.compile(re.escape(letter_path) + "$"))
    attachment = letter.attachments.get()
    assert attachment.name == "budget.pdf" and attachment.content_type == "application/pdf"
    expect(page.locator(f"main a[href='/documents/attachments/{attachment.pk}/']")).to_have_text("budget.pdf")
    press(page, "Submit for approval")
    expect(page.locator(".banner--success")).to_contain_text(
        arabic("The letter has been sent to the head of the entity for approval.")
    )
    letter.refresh_from_db()
    assert letter.status == LetterStatus.SUBMITTED

    # --- A's head approves and signs ---------------------------------------------------------------
    head = new_page()
    sign_in_as(head, head_a)
    head.goto(letter_path)
    expect(head.locator("form[action$='/return/'] textarea[name=comment]")).to_be_visible()
    press(head, "Approve and sign the letter")
    expect(head.locator(".banner--success")).to_be_visible()
    letter.refresh_from_db()
    assert (letter.status, letter.signer_id) == (LetterStatus.APPROVED, head_a.pk)

    # --- A's clerk checks who gets it how, dispatches it and sees the outgoing number ----------------
    page.reload()
    expect(page.locator("main .tag").first).to_have_text(arabic_status("Approved and signed"))
    page.get_by_role("link", name=arabic("Dispatch the letter"), exact=True).click()
    expect(page.locator("#electronic + p + ul")).to_contain_text(b.name_ar)
    expect(page.locator("#paper")).to_have_count(0)
    press(page, "Dispatch the letter")
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DISPATCHED and letter.number == f"MOF/1/{letter.year}"
    expect(page.locator(".banner--success")).to_contain_text(letter.number)
    expect(page.locator("main h1")).to_contain_text(letter.number)

    # --- B's clerk finds it in the inbox, opens it (delivered), registers and refers it --------------
    clerk = new_page()
    sign_in_as(clerk, clerk_b)
    clerk.goto("/documents/")
    row = clerk.locator("main table tbody tr", has_text=SUBJECT)
    expect(row).to_contain_text(letter.number)
    expect(row).to_contain_text(arabic("New"))
    row.get_by_role("link", name=SUBJECT).click()
    expect(clerk).to_have_url(re.compile(re.escape(letter_path) + "$"))
    copy = LetterRecipient.objects.get(letter=letter, entity=b)
    assert copy.delivered_at is not None and copy.delivered_by_id == clerk_b.pk
    press(clerk, "Register as incoming")
    copy.refresh_from_db()
    incoming = copy.incoming_number
    assert incoming and copy.registered_by_id == clerk_b.pk
    expect(clerk.locator(".banner--success")).to_contain_text(incoming)
    expect(clerk.locator(f"#copy-{copy.pk} + dl")).to_contain_text(incoming)
    due = timezone.localdate() + dt.timedelta(days=7)
    referral_form = clerk.locator(f"form[action$='/copies/{copy.pk}/refer/']")
    referral_form.locator("select[name=referred_to]").select_option(str(head_b.pk))
    referral_form.locator("textarea[name=minute]").fill(MINUTE)
    referral_form.locator("input[name=due]").fill(due.isoformat())
    press(clerk, "Refer the letter")
    expect(clerk.locator(".banner--success")).to_contain_text(arabic("The letter has been referred."))
    referral = Referral.objects.get()
    assert (referral.referred_to_id, referral.minute, referral.due) == (head_b.pk, MINUTE, due)

    # --- the referee finds it, drafts a reply and closes the referral ---------------------------------
    referee = new_page()
    sign_in_as(referee, head_b)
    referee.goto("/documents/referrals/")
    referred = referee.locator("main table tbody tr", has_text=SUBJECT)
    expect(referred).to_contain_text(MINUTE)
    expect(referred).to_contain_text(clerk_b.full_name)
    referred.get_by_role("link", name=incoming).click()
    expect(referee).to_have_url(re.compile(re.escape(letter_path) + f"#referral-{referral.pk}$"))
    expect(referee.locator(f"#referral-{referral.pk}")).to_be_visible()

    press(referee, "Draft a reply")
    reply = Letter.objects.get(in_reply_to=letter)
    assert (reply.status, reply.sender_entity_id) == (LetterStatus.DRAFT, b.pk)
    assert list(reply.recipients.values_list("entity_id", "kind")) == [(a.pk, RecipientKind.TO)]
    expect(referee).to_have_url(re.compile(rf"/documents/letters/{reply.pk}/edit/$"))
    expect(referee.locator("input[name=to]:checked")).to_have_count(1)
    expect(referee.locator("input[name=to]:checked")).to_have_attribute("value", str(a.pk))
    expect(referee.locator("input[name=subject]")).to_have_value(re.compile(re.escape(SUBJECT)))
    referee.goto(f"/documents/letters/{reply.pk}/")
    expect(referee.locator("main .tag").first).to_have_text(arabic_status("Draft"))
    expect(referee.locator("main a[href='" + letter_path + "']")).to_contain_text(letter.number)

    referee.goto(letter_path)
    closing = referee.locator(f"form[action$='/referrals/{referral.pk}/close/']")
    closing.locator("textarea[name=note]").fill("أعددنا مسودة الجواب")
    press(referee, "Close the referral")
    expect(referee.locator(".banner--success")).to_contain_text(arabic("The referral has been closed."))
    referral.refresh_from_db()
    assert referral.closed_at is not None
    referee.goto("/documents/referrals/")
    expect(referee.locator("main table")).to_have_count(0)

    # --- A's clerk sees the tracking and the history ---------------------------------------------------
    page.goto(letter_path)
    tracking = page.locator("table", has=page.locator("th", has_text=arabic("Delivered at")))
    b_row = tracking.locator("tbody tr", has_text=b.name_ar)
    delivered, registered = b_row.locator("td").nth(3), b_row.locator("td").nth(4)
    expect(delivered).not_to_contain_text(arabic("Not yet"))
    expect(delivered).to_contain_text(clerk_b.full_name)  # opened by
    expect(registered).to_contain_text(incoming)
    expect(registered).to_contain_text(clerk_b.full_name)  # registered by
    history = page.locator("ol.timeline")
    for action in ("letter_draft", "letter_submit", "letter_approve", "letter_dispatch", "letter_deliver"):
        expect(history).to_contain_text(arabic_action(action))
    expect(history.locator("li", has_text=arabic_action("letter_approve"))).to_contain_text(head_a.full_name)
    expect(history).not_to_contain_text("@")  # people by name, never by e-mail address
    expect(history.locator("li", has_text=arabic_action("letter_register"))).to_contain_text(incoming)
    expect(history.locator("li", has_text=arabic_action("letter_refer"))).to_have_count(1)
    expect(history.locator("li", has_text=arabic_action("referral_close"))).to_have_count(1)

    # --- a clerk of a third entity reaches neither the letter nor its file -------------------------------
    elsewhere = new_page()
    sign_in_as(elsewhere, clerk_c)
    assert status_of(elsewhere, letter_path) == 404
    assert status_of(elsewhere, f"/documents/attachments/{attachment.pk}/") == 404
