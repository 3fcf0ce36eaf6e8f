"""What the letter pages say: statuses as states, people by name, the recipient picker, the entity
switch, letters awaiting approval from any page, the dispatch check page, and no English blank choice."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from documents.constants import LetterStatus
from documents.models import Letter
from documents.selectors import approvals_waiting
from documents.services import letter_approve, letter_draft, letter_submit
from govportal.accounts.constants import Role
from govportal.accounts.models import Membership
from tests.conftest import login_staff
from tests.documents.conftest import content
from tests.factories import EntityFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def signed_in(user, language: str = "ar") -> Client:
    client = login_staff(Client(), Membership.objects.filter(user=user).first())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def approved(office, to=None) -> Letter:
    letter = letter_draft(sender=office["finance"], content=content(to or [office["health"]]), actor=office["clerk"])
    letter_submit(letter=letter, actor=office["clerk"])
    return letter_approve(letter=letter, actor=office["head"])


def status_tag(page: str) -> str:
    return re.search(r'<strong class="tag tag--\w+">([^<]+)</strong>', page).group(1)


# --- statuses and history ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "state", "act"),
    [("ar", "مُعتمَد وموقَّع", "الموافقة والتوقيع"), ("en", "Approved and signed", "Approved and signed")],
)
def test_an_approved_letter_reads_as_a_state_and_its_history_as_an_act(office, language, state, act):
    letter = approved(office)
    page = signed_in(office["clerk"], language).get(f"/documents/letters/{letter.pk}/").content.decode()
    assert status_tag(page) == state
    history = page[page.index('id="history"') :]
    assert act in history


def test_the_history_names_people_with_role_and_entity_never_by_address(office):
    letter = approved(office)
    page = signed_in(office["clerk"]).get(f"/documents/letters/{letter.pk}/").content.decode()
    history = page[page.index('id="history"') :]
    with translation.override("ar"):
        role = Role.ENTITY_HEAD.label
        head = f"<bdi>{office['head'].full_name}</bdi> ({role}، <bdi>{office['finance'].name_ar}</bdi>)"
    assert head in history
    for person in ("clerk", "head"):
        assert office[person].email not in page
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00">', history)


def test_a_person_without_a_name_is_not_shown_by_their_address(office):
    office["head"].full_name = ""
    office["head"].save()
    letter = approved(office)
    page = signed_in(office["clerk"]).get(f"/documents/letters/{letter.pk}/").content.decode()
    assert office["head"].email not in page
    with translation.override("ar"):
        assert translation.pgettext("person", "User without a name on record") in page


# --- the recipient picker ------------------------------------------------------------------------


def test_the_recipients_are_checkboxes_by_kind_each_saying_how_the_letter_reaches_it(office):
    page = signed_in(office["clerk"]).get("/documents/new/").content.decode()
    assert "Ctrl" not in page and '<select name="to"' not in page
    assert '<legend class="picker__legend">الوزارات</legend>' in page
    assert '<legend class="picker__legend">المحافظات</legend>' in page
    health = page[page.index(f'value="{office["health"].pk}"') :][:1200]
    basra = page[page.index(f'value="{office["basra"].pk}"') :][:1200]
    assert 'tag--green">إلكتروني<' in health  # linked, as the sender is
    assert 'tag--amber">ورقي<' in basra  # not linked: paper
    assert 'aria-live="polite"' in page and "js/entity-picker.js" in page


def test_choosing_recipients_by_checkbox_drafts_the_letter_to_them(office):
    form = {
        "subject": "طلب",
        "body": "نص",
        "classification": "normal",
        "priority": "normal",
        "to": [office["health"].pk, office["basra"].pk],
    }
    response = signed_in(office["clerk"]).post("/documents/new/", form)
    assert response.status_code == 302
    letter = Letter.objects.get()
    assert set(letter.recipients.values_list("entity_id", flat=True)) == {office["health"].pk, office["basra"].pk}


def test_no_recipient_is_an_error_linked_to_the_first_checkbox(office):
    form = {"subject": "طلب", "body": "نص", "classification": "normal", "priority": "normal"}
    page = signed_in(office["clerk"]).post("/documents/new/", form).content.decode()
    assert 'href="#id_to_0"' in page and 'id="id_to_0"' in page
    assert not Letter.objects.exists()


# --- which entity, and letters awaiting approval --------------------------------------------------


@pytest.fixture
def head_of_two(office):
    """The Ministry of Finance's head also heads the Ministry of Health."""
    MembershipFactory(user=office["head"], entity=office["health"], role=Role.ENTITY_HEAD)
    return office["head"]


def test_a_person_of_two_entities_sees_and_switches_which_one_they_work_for(office, head_of_two):
    client = signed_in(head_of_two)
    page = client.get("/documents/drafts/").content.decode()
    assert 'name="entity"' in page and office["health"].name_ar in page
    response = client.post("/documents/entity/", {"entity": office["health"].code, "next": "/documents/drafts/?page=2"})
    assert response.status_code == 302 and response["Location"] == "/documents/drafts/"
    page = client.get("/documents/drafts/").content.decode()
    assert re.search(rf'<option value="{office["health"].code}" selected>', page)


def test_switching_to_an_entity_one_is_not_staff_of_is_not_found(office, head_of_two):
    client = signed_in(head_of_two)
    stranger = EntityFactory()
    assert client.post("/documents/entity/", {"entity": stranger.code}).status_code == 404
    assert client.post("/documents/entity/", {"entity": "NO-SUCH"}).status_code == 404
    assert client.get("/documents/entity/").status_code == 405
    assert client.get("/documents/drafts/").context["entity"] == office["finance"]  # unchanged


def test_a_person_of_one_entity_gets_no_switch(office):
    page = signed_in(office["clerk"]).get("/documents/drafts/").content.decode()
    assert 'action="/documents/entity/"' not in page


def test_letters_awaiting_approval_are_one_click_from_any_page_for_a_head(office, head_of_two):
    for sender, clerk in ((office["finance"], office["clerk"]), (office["health"], office["health_clerk"])):
        letter = letter_draft(sender=sender, content=content([office["basra"]]), actor=clerk)
        letter_submit(letter=letter, actor=clerk)
    client = signed_in(head_of_two)
    page = client.get("/notifications/").content.decode()  # any page
    link = re.search(r'<a href="/documents/approvals/">([^<]*)<span class="count-badge"[^>]*>(\d+)</span>', page)
    assert link and link.group(2) == "2"
    with translation.override("ar"):
        assert translation.ngettext("%(count)s letter", "%(count)s letters", 2) % {"count": 2} in page
    listing = client.get("/documents/approvals/").content.decode()
    assert listing.count("/documents/letters/") >= 2
    assert office["finance"].name_ar in listing and office["health"].name_ar in listing


def test_the_workspace_card_of_letters_awaiting_approval_opens_the_approvals(office):
    letter = letter_draft(sender=office["finance"], content=content([office["health"]]), actor=office["clerk"])
    letter_submit(letter=letter, actor=office["clerk"])
    client = signed_in(office["head"])
    workspace = client.get(f"/workspace/{office['finance'].code}/").content.decode()
    url = f"/documents/approvals/?entity={office['finance'].code}"
    assert f'href="{url}"' in workspace
    assert f"/documents/letters/{letter.pk}/" in client.get(url).content.decode()


def test_a_clerk_has_no_approvals_link(office):
    page = signed_in(office["clerk"]).get("/documents/").content.decode()
    assert "/documents/approvals/" not in page


def test_the_approvals_count_is_one_query(office, head_of_two):
    with CaptureQueriesContext(connection) as queries:
        assert approvals_waiting(head_of_two) == 0
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        assert approvals_waiting(office["clerk"]) is None
    assert len(queries) == 1


# --- dispatch, checked first ---------------------------------------------------------------------


def test_dispatch_is_checked_on_a_page_that_says_who_gets_it_how(office):
    letter = approved(office, to=[office["health"], office["basra"]])
    client = signed_in(office["clerk"])
    page = client.get(f"/documents/letters/{letter.pk}/dispatch/").content.decode()
    electronic = page[page.index('id="electronic"') : page.index('id="paper"')]
    paper = page[page.index('id="paper"') :]
    assert office["health"].name_ar in electronic and office["basra"].name_ar not in electronic
    assert office["basra"].name_ar in paper
    letter.refresh_from_db()
    assert letter.status == LetterStatus.APPROVED  # looking changes nothing
    assert client.post(f"/documents/letters/{letter.pk}/dispatch/").status_code == 302
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DISPATCHED


def test_only_the_sender_s_writers_reach_the_dispatch_page(office):
    letter = approved(office)
    auditor = MembershipFactory(entity=office["finance"], role=Role.AUDITOR).user
    assert signed_in(auditor).get(f"/documents/letters/{letter.pk}/dispatch/").status_code == 404
    assert signed_in(office["health_clerk"]).get(f"/documents/letters/{letter.pk}/dispatch/").status_code == 404


# --- no English on Arabic pages -------------------------------------------------------------------


def test_no_select_shows_django_s_english_blank_choice(office, dispatched):
    letter = dispatched()
    client = signed_in(office["health_clerk"])
    letter_page = client.get(f"/documents/letters/{letter.pk}/").content.decode()
    client.post(f"/documents/copies/{letter.recipients.get(entity=office['health']).pk}/register/")
    referral_page = client.get(f"/documents/letters/{letter.pk}/").content.decode()
    register_page = client.get("/documents/incoming/").content.decode()
    paper_page = client.get("/documents/paper/new/").content.decode()
    for page in (letter_page, referral_page, register_page, paper_page):
        assert "Select an option" not in page
    assert '<option value="" selected>اختر من القائمة</option>' in referral_page + paper_page
