"""The Nu HTML checker (vnu) finds no problem on the letter pages, in Arabic and English.

Runs where the checker is installed: ``VNU_JAR`` names its jar (java -jar), or ``vnu`` is on the PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

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

pytestmark = pytest.mark.django_db


def checker() -> list[str]:
    jar = os.environ.get("VNU_JAR", "")
    if jar and Path(jar).is_file() and shutil.which("java"):
        return ["java", "-jar", jar]
    if shutil.which("vnu"):
        return ["vnu"]
    pytest.skip("the Nu HTML checker is not installed (set VNU_JAR to vnu.jar)")


def test_the_letter_pages_are_valid_html(office, tmp_path):
    command = checker()
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
    clients: dict[int, Client] = {}  # one sign-in each: a TOTP code is accepted once
    for language in ("ar", "en"):
        for name, (user, url) in pages.items():
            client = clients.get(user.pk) or clients.setdefault(user.pk, signed_in(user))
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            response = client.get(url)
            assert response.status_code == 200, (name, response.status_code)
            (tmp_path / f"{name}-{language}.html").write_bytes(response.content)
        errors = clients[office["clerk"].pk].post("/documents/new/", {"subject": "", "body": ""})
        (tmp_path / f"new-errors-{language}.html").write_bytes(errors.content)
    found = subprocess.run(  # noqa: S603 — our own files, a fixed command
        [*command, *sorted(str(path) for path in tmp_path.glob("*.html"))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.returncode == 0 and not found.stderr.strip(), found.stderr
