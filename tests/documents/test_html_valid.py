"""The Nu HTML checker (vnu) finds no problem on the letter pages, in Arabic and English, including
those the browser walk does not reach (a draft being edited, an approved letter, the paper form)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from documents.services import (
    letter_approve,
    letter_draft,
    letter_open,
    letter_register,
    letter_submit,
    referral_create,
)
from govportal.accounts.constants import Role
from govportal.audit.services import audit_record
from tests.documents.conftest import content, dispatch
from tests.documents.test_pages_wording import signed_in
from tests.factories import AuthenticityRequestFactory, MembershipFactory
from tests.html_checker import html_errors

pytestmark = pytest.mark.django_db


def test_the_letter_pages_are_valid_html(office):
    MembershipFactory(user=office["head"], entity=office["health"], role=Role.ENTITY_HEAD)
    two = [office["health"], office["basra"]]
    approved = letter_draft(sender=office["finance"], content=content(two), actor=office["clerk"])
    letter_submit(letter=approved, actor=office["clerk"])
    letter_approve(letter=approved, actor=office["head"])
    waiting = letter_draft(
        sender=office["finance"], content=content([office["health"]], subject="ثانٍ"), actor=office["clerk"]
    )
    letter_submit(letter=waiting, actor=office["clerk"])
    editable = letter_draft(sender=office["finance"], content=content(two[:1], two[1:]), actor=office["clerk"])
    sent = dispatch(office, cc=[office["basra"]])
    copy = sent.recipients.get(entity=office["health"])
    letter_open(recipient=copy, actor=office["health_clerk"])
    letter_register(recipient=copy, actor=office["health_clerk"])
    referral_create(
        recipient=copy, referred_to=office["health_head"], minute="للإجابة", due=None, actor=office["health_clerk"]
    )
    item = AuthenticityRequestFactory(requesting_entity=office["finance"], reference="MOF-R2026-000002")
    audit_record(action="authenticity_request_submit", actor=office["head"], entity=office["finance"], target=item)
    pages = {
        "new": (office["clerk"], "/documents/new/"),
        "edit": (office["clerk"], f"/documents/letters/{editable.pk}/edit/"),
        "approvals": (office["head"], "/documents/approvals/"),
        "drafts-switch": (office["head"], "/documents/drafts/"),
        "inbox-switch": (office["head"], "/documents/"),
        "dispatch": (office["clerk"], f"/documents/letters/{approved.pk}/dispatch/"),
        "letter-approved": (office["clerk"], f"/documents/letters/{approved.pk}/"),
        "letter-head": (office["head"], f"/documents/letters/{waiting.pk}/"),
        "letter-sent": (office["clerk"], f"/documents/letters/{sent.pk}/"),
        "letter-received": (office["health_clerk"], f"/documents/letters/{sent.pk}/"),
        "referrals": (office["health_head"], "/documents/referrals/"),
        "outgoing": (office["clerk"], "/documents/outgoing/"),
        "incoming": (office["health_clerk"], "/documents/incoming/"),
        "paper": (office["clerk"], "/documents/paper/new/"),
        "workspace": (office["head"], f"/workspace/{office['finance'].code}/"),
    }
    problems: list[str] = []
    clients: dict[int, Client] = {}  # one sign-in each: a TOTP code is accepted once
    for language in ("ar", "en"):
        for name, (user, url) in pages.items():
            client = clients.get(user.pk) or clients.setdefault(user.pk, signed_in(user))
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            response = client.get(url)
            assert response.status_code == 200, (name, response.status_code)
            problems += [f"{name}-{language} {error}" for error in html_errors(response.content)]
        errors = clients[office["clerk"].pk].post("/documents/new/", {"subject": "", "body": ""})
        problems += [f"new-errors-{language} {error}" for error in html_errors(errors.content)]
    assert not problems, "\n".join(problems)
