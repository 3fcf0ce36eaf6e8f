"""axe-core finds no WCAG 2.2 AA violations on the official-correspondence pages.

In Arabic and English, at 360 and 1280 px; screenshots go to test-results/screens/doc-<page>-<language>-<width>.png.
Letters are made with the services and staff are signed in through the real login forms with Django's test
client (the session cookie is handed to the browser): the journey test does all of it in the browser.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from documents.constants import Classification, Priority
from documents.models import Letter, LetterRecipient
from documents.services import (
    LetterContent,
    attachment_add,
    letter_approve,
    letter_dispatch,
    letter_draft,
    letter_open,
    letter_register,
    letter_submit,
    referral_create,
)
from govportal.accounts.constants import Role
from govportal.entities.constants import LinkagePhase
from govportal.entities.services import entity_link, phase_open
from tests.e2e.conftest import submit
from tests.e2e.test_accessibility import wcag_reports
from tests.factories import EntityFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _quick(settings: Any, tmp_path: Path) -> None:
    """Staff accounts need not cost slow password hashes; attachments go to a temporary folder."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


# --- data ----------------------------------------------------------------------------------------


def scene() -> SimpleNamespace:
    """Two linked ministries, each with a registry clerk and a head."""
    phase_open(number=LinkagePhase.MINISTRIES)
    a = entity_link(entity=EntityFactory(name_ar="وزارة المالية", name_en="Ministry of Finance"))
    b = entity_link(entity=EntityFactory(name_ar="وزارة الصحة", name_en="Ministry of Health"))
    return SimpleNamespace(
        a=a,
        b=b,
        clerk_a=MembershipFactory(role=Role.REGISTRY_CLERK, entity=a, user__full_name="سارة كاظم"),
        head_a=MembershipFactory(role=Role.ENTITY_HEAD, entity=a, user__full_name="علي حسن"),
        clerk_b=MembershipFactory(role=Role.REGISTRY_CLERK, entity=b, user__full_name="مريم جاسم"),
        head_b=MembershipFactory(role=Role.ENTITY_HEAD, entity=b, user__full_name="حيدر عباس"),
    )


def draft(
    s: SimpleNamespace,
    subject: str = "طلب تزويد ببيانات الموازنة",
    *,
    backwards: bool = False,
    priority: str = Priority.NORMAL,
    reply_due: dt.date | None = None,
) -> Letter:
    sender, to, clerk = (s.b, s.a, s.clerk_b) if backwards else (s.a, s.b, s.clerk_a)
    content = LetterContent(
        subject=subject,
        body="نرجو تزويدنا بالبيانات المطلوبة.\nمع التقدير.",
        classification=Classification.NORMAL,
        priority=priority,
        reply_due=reply_due,
        to=[to],
        cc=[],
    )
    letter = letter_draft(sender=sender, content=content, actor=clerk.user)
    upload = SimpleUploadedFile("figures.pdf", b"%PDF-1.4\n% figures\n%%EOF\n", content_type="application/pdf")
    attachment_add(letter=letter, upload=upload, actor=clerk.user)
    return letter


def submitted(s: SimpleNamespace, *args: Any, **kwargs: Any) -> Letter:
    letter = draft(s, *args, **kwargs)
    clerk = s.clerk_b if kwargs.get("backwards") else s.clerk_a
    return letter_submit(letter=letter, actor=clerk.user)


def dispatched(s: SimpleNamespace, *args: Any, **kwargs: Any) -> Letter:
    letter = submitted(s, *args, **kwargs)
    clerk, head = (s.clerk_b, s.head_b) if kwargs.get("backwards") else (s.clerk_a, s.head_a)
    letter_approve(letter=letter, actor=head.user)
    return letter_dispatch(letter=letter, actor=clerk.user)


def copy_of(letter: Letter, entity: Any) -> LetterRecipient:
    return LetterRecipient.objects.get(letter=letter, entity=entity)


def registered(s: SimpleNamespace, *args: Any, **kwargs: Any) -> LetterRecipient:
    copy = copy_of(dispatched(s, *args, **kwargs), s.b)
    letter_open(recipient=copy, actor=s.clerk_b.user)
    return letter_register(recipient=copy, actor=s.clerk_b.user)


def inbox(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    registered(s)
    dispatched(s, "طلب عاجل بشأن التعيينات", priority=Priority.URGENT)
    dispatched(s, "دعوة إلى اجتماع")  # a third letter: a second page (PAGE_SIZE is 2 here)
    enter_as(s.clerk_b)
    page.goto("/documents/")
    expect(page.locator("main table tbody tr")).to_have_count(2)
    expect(page.locator("nav.pagination a[rel=next]")).to_be_visible()


def inbox_next_page(page: Any, enter_as: Callable[[Any], None]) -> None:
    inbox(page, enter_as)
    page.locator("nav.pagination a[rel=next]").click()
    expect(page.locator("main table tbody tr")).to_have_count(1)
    expect(page.locator("nav.pagination a")).to_have_count(1)  # back to the first page


def drafts(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    draft(s)
    submitted(s, "طلب ثانٍ بانتظار الموافقة", priority=Priority.IMMEDIATE)
    enter_as(s.clerk_a)
    page.goto("/documents/drafts/")
    expect(page.locator("main table tbody tr")).to_have_count(2)


def letter_new(page: Any, enter_as: Callable[[Any], None]) -> None:
    enter_as(scene().clerk_a)
    page.goto("/documents/new/")
    expect(page.locator("#id_to_filter")).to_be_visible()  # the picker's script ran


def letter_new_errors(page: Any, enter_as: Callable[[Any], None]) -> None:
    enter_as(scene().clerk_a)
    page.goto("/documents/new/")
    submit(page)
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".field--error").first).to_be_visible()


def letter_head(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    letter = submitted(s)
    enter_as(s.head_a)
    page.goto(f"/documents/letters/{letter.pk}/")
    expect(page.locator("form[action$='/approve/']")).to_be_visible()
    expect(page.locator("form[action$='/return/']")).to_be_visible()


def letter_received(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    letter = dispatched(s)
    enter_as(s.clerk_b)
    page.goto(f"/documents/letters/{letter.pk}/")
    expect(page.locator("form[action$='/register/']")).to_be_visible()


def letter_registered(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    copy = registered(s)
    enter_as(s.clerk_b)
    page.goto(f"/documents/letters/{copy.letter_id}/")
    expect(page.locator("form[action$='/refer/'] select[name=referred_to]")).to_be_visible()


def letter_tracking(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    copy = registered(s)
    referral_create(recipient=copy, referred_to=s.head_b.user, minute="للإجابة", due=None, actor=s.clerk_b.user)
    enter_as(s.clerk_a)
    page.goto(f"/documents/letters/{copy.letter_id}/")
    expect(page.locator("#tracking")).to_be_visible()


def outgoing(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    registered(s)
    dispatched(s, "طلب عاجل بشأن التعيينات", priority=Priority.URGENT)
    enter_as(s.clerk_a)
    page.goto("/documents/outgoing/")
    expect(page.locator("main table tbody tr")).to_have_count(2)


def incoming(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    registered(s)
    dispatched(s, "طلب عاجل بشأن التعيينات", priority=Priority.URGENT)
    enter_as(s.clerk_b)
    page.goto("/documents/incoming/")
    expect(page.locator("main table tbody tr")).to_have_count(2)


def referrals(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    today = timezone.localdate()
    for subject, due in (("طلب بيانات الموازنة", today - dt.timedelta(days=1)), ("طلب التعيينات", None)):
        copy = registered(s, subject)
        referral_create(recipient=copy, referred_to=s.head_b.user, minute="للإجابة", due=due, actor=s.clerk_b.user)
    enter_as(s.head_b)
    page.goto("/documents/referrals/")
    expect(page.locator("main table tbody tr")).to_have_count(2)


def overdue(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    past = timezone.localdate() - dt.timedelta(days=3)
    dispatched(s, "طلب بيانات الموازنة", reply_due=past)
    dispatched(s, "استفسار عن التعيينات", backwards=True, reply_due=past)
    enter_as(s.head_a)
    page.goto("/documents/overdue/")
    expect(page.locator("main table tbody tr")).to_have_count(2)


def letter_new_filtered(page: Any, enter_as: Callable[[Any], None]) -> None:
    """The recipient picker narrowed by its filter, one entity chosen, the count announced."""
    s = scene()
    EntityFactory(name_ar="محافظة البصرة", name_en="Basra Governorate", governorate=True)
    enter_as(s.clerk_a)
    page.goto("/documents/new/")
    page.locator("#id_to_filter").fill("الصحه")
    page.locator("#id_to_list input[type=checkbox]:visible").first.check()
    expect(page.locator("#id_to_summary")).not_to_be_empty()


def approvals(page: Any, enter_as: Callable[[Any], None]) -> None:
    """A head of two entities: the letters awaiting approval in both, and the switch between them."""
    s = scene()
    head = MembershipFactory(role=Role.ENTITY_HEAD, entity=s.b, user=s.head_a.user)
    submitted(s)
    submitted(s, "طلب من الوزارة الثانية", backwards=True, priority=Priority.URGENT)
    enter_as(head)
    page.goto("/documents/approvals/")
    expect(page.locator("main table tbody tr")).to_have_count(2)
    expect(page.locator("header a[href='/documents/approvals/'] .count-badge")).to_have_text("2")


def drafts_two_entities(page: Any, enter_as: Callable[[Any], None]) -> None:
    """A head of two entities on the drafts: which entity they work for, and the switch."""
    s = scene()
    head = MembershipFactory(role=Role.ENTITY_HEAD, entity=s.b, user=s.head_a.user)
    submitted(s)
    enter_as(head)
    page.goto("/documents/drafts/")
    expect(page.locator("#entity-switch")).to_be_visible()


def dispatch_check(page: Any, enter_as: Callable[[Any], None]) -> None:
    """The check before dispatching: who receives the letter electronically, who on paper."""
    s = scene()
    basra: Any = EntityFactory(name_ar="محافظة البصرة", name_en="Basra Governorate", governorate=True)
    letter = letter_draft(
        sender=s.a,
        content=LetterContent(
            subject="طلب تزويد ببيانات الموازنة",
            body="نرجو تزويدنا بالبيانات المطلوبة.",
            classification=Classification.NORMAL,
            priority=Priority.NORMAL,
            reply_due=None,
            to=[s.b],
            cc=[basra],
        ),
        actor=s.clerk_a.user,
    )
    letter_submit(letter=letter, actor=s.clerk_a.user)
    letter_approve(letter=letter, actor=s.head_a.user)
    enter_as(s.clerk_a)
    page.goto(f"/documents/letters/{letter.pk}/dispatch/")
    expect(page.locator("#electronic")).to_be_visible()
    expect(page.locator("#paper")).to_be_visible()


def workspace_activity(page: Any, enter_as: Callable[[Any], None]) -> None:
    """The entity's workspace: its activity told as sentences with links."""
    s = scene()
    registered(s)
    enter_as(s.head_a)
    page.goto(f"/workspace/{s.a.code}/")
    expect(page.locator("#activity + ol .timeline__item a").first).to_be_visible()


def paper_new_errors(page: Any, enter_as: Callable[[Any], None]) -> None:
    enter_as(scene().clerk_a)
    page.goto("/documents/paper/new/")
    submit(page)
    expect(page.locator(".error-summary")).to_be_visible()


PAGES: dict[str, Callable[[Any, Callable[[Any], None]], None]] = {
    "inbox": inbox,
    "inbox-next-page": inbox_next_page,
    "drafts": drafts,
    "letter-new": letter_new,
    "letter-new-errors": letter_new_errors,
    "letter-head": letter_head,
    "letter-received": letter_received,
    "letter-registered": letter_registered,
    "letter-tracking": letter_tracking,
    "outgoing": outgoing,
    "incoming": incoming,
    "referrals": referrals,
    "overdue": overdue,
    "paper-new-errors": paper_new_errors,
    "letter-new-filtered": letter_new_filtered,
    "approvals": approvals,
    "drafts-two-entities": drafts_two_entities,
    "letter-dispatch": dispatch_check,
    "workspace-activity": workspace_activity,
}


@pytest.mark.parametrize("language", ["ar", "ckb", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_documents_page_has_no_wcag_violations(
    page, enter_as, choose_language, screenshot, monkeypatch, name, language
):
    # Lists of two rows a page, so that the inbox's third letter brings its pagination into the check.
    monkeypatch.setattr("documents.views.lists.PAGE_SIZE", 2)
    choose_language(language)
    PAGES[name](page, enter_as)
    expect(page.locator("html")).to_have_attribute("lang", language)
    reports = wcag_reports(page, screenshot, f"doc-{name}-{language}")
    assert not reports, "\n".join(reports)
