"""Activity feeds tell each event as a sentence in the reader's language: the target linked only where
the reader may open it, people by name and role (never an e-mail address), Baghdad time to the second."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from datacenter.selectors import REQUESTER_ROLES
from documents.constants import Classification
from documents.services import letter_draft, letter_submit
from govportal.accounts.constants import Role
from govportal.accounts.services import membership_grant, membership_revoke
from govportal.audit import labels
from govportal.audit.services import audit_record
from tests.conftest import login_staff
from tests.documents.conftest import content, dispatch, make_office
from tests.factories import AuthenticityRequestFactory, EntityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(db):
    return make_office()


TIME = re.compile(r'<time datetime="(?P<iso>[^"]+)">')


def test_every_action_with_a_name_has_a_sentence_and_every_sentence_a_name():
    assert labels.actions_without_sentence() == []


def test_every_action_the_code_records_has_a_name():
    """Each ``audit_record(action="…")`` in the portal's code names an action the feeds can tell."""
    recorded = set()
    for folder in ("govportal", "documents", "collection", "datacenter", "training", "housing_fund"):
        for path in Path(settings.BASE_DIR, folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            # a rate limit's bucket is named with ``action=`` too; it is not an audit action
            text = re.sub(r"ratelimit\.consume\([^)]*\)", "", text)
            recorded |= set(re.findall(r'action="([a-z_]+)"', text))
    recorded.discard("store_true")  # argparse, not an audit action
    named = {action for action, _label in labels.known_actions()}
    assert recorded and not recorded - named, sorted(recorded - named)


def signed_in(membership) -> Client:
    return login_staff(Client(), membership)


def activity(client: Client, entity) -> str:
    page = client.get(f"/workspace/{entity.code}/").content.decode()
    return page[page.index('id="activity"') :]


def test_the_feed_tells_a_letter_as_a_sentence_linked_for_a_head(office):
    letter = dispatch(office)
    head = office["head"].memberships.get()
    with translation.override("ar"):
        feed = activity(signed_in(head), office["finance"])
        dispatched = translation.gettext("Letter %(target)s was dispatched") % {
            "target": f'<a href="/documents/letters/{letter.pk}/"><bdi>{letter.number}</bdi></a>'
        }
    assert dispatched in feed
    assert "letter_dispatch" not in feed and "letter_submit" not in feed  # no raw codes
    assert office["clerk"].full_name in feed and office["clerk"].email not in feed
    assert "رئيس الجهة" in feed  # the approver's role beside their name


def test_the_feed_reads_in_english_for_an_english_reader(office):
    letter = dispatch(office)
    head = office["head"].memberships.get()
    client = signed_in(head)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    feed = activity(client, office["finance"])
    assert f'Letter <a href="/documents/letters/{letter.pk}/"><bdi>{letter.number}</bdi></a> was dispatched' in feed
    assert "Head of entity" in feed


def test_a_confidential_letter_is_neither_linked_nor_named_for_an_auditor(office):
    letter = dispatch(office, classification=Classification.CONFIDENTIAL, subject="ملف سري للغاية")
    auditor = MembershipFactory(entity=office["finance"], role=Role.AUDITOR)
    feed = activity(signed_in(auditor), office["finance"])
    assert f"/documents/letters/{letter.pk}/" not in feed
    assert "ملف سري للغاية" not in feed  # not even the subject recorded when it was drafted
    assert letter.number in feed  # the number only


def test_a_draft_the_reader_cannot_open_is_named_without_its_subject(office):
    draft = letter_draft(
        sender=office["finance"],
        content=content([office["health"]], subject="مسودة سرية", classification=Classification.SECRET),
        actor=office["head"],
    )
    letter = letter_submit(letter=draft, actor=office["head"])
    auditor = MembershipFactory(entity=office["finance"], role=Role.AUDITOR)
    with translation.override("ar"):
        feed = activity(signed_in(auditor), office["finance"])
        hidden = translation.pgettext("audit target", "a letter not yet dispatched")
    assert "مسودة سرية" not in feed and f"/documents/letters/{letter.pk}/" not in feed
    assert hidden in feed


def test_an_authenticity_request_is_a_sentence_with_its_reference_linked_for_whom_may_open_it():
    """The issue's example: "authenticity_request_submit: MOF-R2026-000002" becomes a sentence."""
    entity = EntityFactory()
    head = MembershipFactory(entity=entity, role=Role.ENTITY_HEAD)
    auditor = MembershipFactory(entity=entity, role=Role.AUDITOR)
    assert Role.AUDITOR not in REQUESTER_ROLES
    item = AuthenticityRequestFactory(requesting_entity=entity, reference="MOF-R2026-000002")
    audit_record(action="authenticity_request_submit", actor=head.user, entity=entity, target=item)
    link = f'<a href="/datacenter/requests/{item.pk}/"><bdi>MOF-R2026-000002</bdi></a>'
    with translation.override("ar"):
        sentence = translation.gettext("Authenticity request %(target)s was submitted")
        head_feed = activity(signed_in(head), entity)
        auditor_feed = activity(signed_in(auditor), entity)
    assert sentence % {"target": link} in head_feed
    assert sentence % {"target": "<bdi>MOF-R2026-000002</bdi>"} in auditor_feed and link not in auditor_feed
    assert "authenticity_request_submit" not in head_feed + auditor_feed


def test_roles_granted_and_withdrawn_name_the_person_not_their_address():
    entity = EntityFactory()
    head = MembershipFactory(entity=entity, role=Role.ENTITY_HEAD)
    clerk = UserFactory(full_name="زينب علي")
    granted = membership_grant(user=clerk, entity=entity, role=Role.REGISTRY_CLERK, actor=head.user)
    membership_revoke(membership=granted, actor=head.user)
    feed = activity(signed_in(head), entity)
    with translation.override("ar"):
        named = f"زينب علي ({Role.REGISTRY_CLERK.label})"
    assert feed.count(named) == 2  # granted, then withdrawn (the membership is gone: found by its event)
    assert clerk.email not in feed


def test_times_are_baghdad_time_to_the_second(office):
    dispatch(office)
    feed = activity(signed_in(office["head"].memberships.get()), office["finance"])
    times = TIME.findall(feed)
    assert times
    for iso in times:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00", iso), iso


def test_an_event_of_the_portal_itself_is_told_without_a_person():
    entity = EntityFactory()
    head = MembershipFactory(entity=entity, role=Role.ENTITY_HEAD)
    audit_record(action="loan_settle", entity=entity, data={"number": "L-1"})
    with translation.override("ar"):
        feed = activity(signed_in(head), entity)
        assert translation.pgettext("audit actor", "The portal (automatic)") in feed


def test_a_training_nomination_is_named_by_trainee_and_session_without_an_arrow():
    from tests.factories import SessionFactory, TraineeFactory
    from training.models import Nomination

    entity = EntityFactory()
    head = MembershipFactory(entity=entity, role=Role.ENTITY_HEAD)
    trainee = TraineeFactory(entity=entity, full_name="كرار عباس الشمري")
    session = SessionFactory()
    nomination = Nomination.objects.create(session=session, trainee=trainee, entity=entity, nominated_by=head.user)
    audit_record(action="training_nominate", actor=head.user, entity=entity, target=nomination)
    feed = activity(signed_in(head), entity)
    assert f"<bdi>كرار عباس الشمري ({session})</bdi>" in feed and "→" not in feed
