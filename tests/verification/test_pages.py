import datetime as dt

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from govportal.verification.models import Artifact
from govportal.verification.services import (
    artifact_issue,
    artifact_revoke,
    artifact_supersede,
    verification_counts_flush,
)
from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db


def issue(serial="NDC-2026-000001", entity=None):
    return artifact_issue(
        entity=entity or EntityFactory(code="NDC"),
        kind="certificate",
        serial=serial,
        content=b"facts",
        display=[("Holder", "\u0623. \u0643. \u0639."), ("National ID number", "\u2022" * 8 + "5678")],
    )


def arabic(msgid):
    with translation.override("ar"):
        return gettext(msgid)


def test_the_qr_link_says_genuine_with_masked_details_and_no_login(client):
    artifact = issue()
    response = client.get(artifact.path)
    html = response.content.decode()
    assert response.status_code == 200
    assert arabic("This document is genuine") in html
    assert "NDC-2026-000001" in html
    assert "\u2022" * 8 + "5678" in html
    assert response.headers["Referrer-Policy"] == "no-referrer"
    client.get(artifact.path)  # the second visitor is served the shared rendering, and counted too
    verification_counts_flush()  # with Redis, counts reach the register once a minute
    assert Artifact.objects.get(pk=artifact.pk).verify_count == 2


def test_a_signed_in_visitor_gets_their_own_page_not_the_shared_one(client, staff_client):
    artifact = issue()
    client.get(artifact.path)  # an anonymous visit fills the shared cache
    from tests.factories import MembershipFactory

    member = MembershipFactory()
    html = staff_client(member).get(artifact.path).content.decode()
    assert member.user.get_short_name() in html  # their own header, not the anonymous one


def test_revocation_shows_at_once_with_date_and_reason(client):
    artifact = issue()
    client.get(artifact.path)  # cached as valid
    artifact_revoke(artifact=artifact, reason="صدر خطأً")
    html = client.get(artifact.path).content.decode()
    assert arabic("Revoked") in html
    assert "صدر خطأً" in html


def test_a_superseded_document_links_to_its_replacement(client):
    entity = EntityFactory(code="NDC")
    old, new = issue("NDC-2026-000001", entity), issue("NDC-2026-000002", entity)
    artifact_supersede(artifact=old, replacement=new)
    html = client.get(old.path).content.decode()
    assert new.path in html


def test_garbage_gives_a_clear_not_genuine_page_not_an_error(client):
    nul_kid = "eyJhbGciOiJFUzI1NiIsImtpZCI6Ilx1MDAwMCJ9.e30.AAAA"  # {"alg":"ES256","kid":"\u0000"}
    for token in ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", nul_kid]:
        response = client.get(f"/v/{token}")
        assert response.status_code == 200
        assert arabic("This document is not genuine") in response.content.decode()


def test_verification_is_rate_limited_per_address(client, settings):
    settings.VERIFY_RATE_LIMIT_PER_MINUTE = 3
    artifact = issue()
    codes = [client.get(artifact.path).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get(artifact.path, REMOTE_ADDR="10.9.8.7").status_code == 200


def test_auditor_with_paper_checks_by_serial_and_date(client):
    artifact = issue()
    today = timezone.localdate(artifact.issued_at)
    html = client.get("/verify/", {"serial": "ndc-2026-000001", "issued_on": today.isoformat()}).content.decode()
    assert arabic("This document is genuine") in html
    empty = client.get("/verify/", {"serial": "", "issued_on": ""})
    assert 'class="error-summary"' in empty.content.decode()


def lookup_answer(client, language, serial, day):
    client.cookies["govportal_language"] = language
    response = client.get("/verify/", {"serial": serial, "issued_on": day.isoformat()})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_mistyped_serial_or_date_finds_nothing_and_is_not_called_forged(client, language):
    """Nothing found is not forgery: a neutral answer asking to check the details, the same whether
    the serial exists with another date or does not exist at all."""
    artifact = issue()
    day = timezone.localdate(artifact.issued_at)
    wrong_date = lookup_answer(client, language, artifact.serial, day - dt.timedelta(days=1))
    unknown = lookup_answer(client, language, "NDC-2026-999999", day - dt.timedelta(days=1))
    with translation.override(language):
        assert gettext("No document matches these details") in wrong_date
        check = "Check the serial number and the date of issue as they are printed on the document, then try again."
        assert gettext(check) in wrong_date
        for verdict in ("This document is not genuine", "This document is genuine", "Not genuine"):
            assert gettext(verdict) not in wrong_date
    assert "panel--not-genuine" not in wrong_date and "panel--neutral" in wrong_date
    assert f'value="{artifact.serial}"' in wrong_date  # what they typed, kept to correct it
    assert wrong_date.replace(artifact.serial, "SERIAL") == unknown.replace("NDC-2026-999999", "SERIAL")


def test_a_document_found_by_serial_whose_key_was_revoked_is_not_genuine(client):
    from govportal.verification.services import key_revoke

    artifact = issue()
    key_revoke(kid=artifact.key.kid, reason="compromised")
    html = lookup_answer(client, "en", artifact.serial, timezone.localdate(artifact.issued_at))
    assert "This document is not genuine" in html and "The key that signed it has been revoked." in html


def test_jwks_lists_active_and_retired_keys_with_issuer_and_status(client):
    from govportal.verification.models import TrustRootKey

    artifact = issue()
    body = client.get("/.well-known/jwks.json")
    assert body["Content-Type"] == "application/jwk-set+json"
    assert "max-age=300" in body["Cache-Control"]
    keys = body.json()["keys"]
    root = TrustRootKey.objects.get()
    assert keys == [
        {
            **artifact.key.public_jwk,
            "kid": artifact.key.kid,
            "alg": "ES256",
            "use": "sig",
            "iss": "NDC",
            "status": "active",
        },
        # the trust root, which signs the trust list and the status lists
        {
            **root.public_jwk,
            "kid": root.kid,
            "alg": "ES256",
            "use": "sig",
            "iss": "SECRETARIAT",
            "status": "trust_root",
        },
    ]
    assert all("d" not in key for key in keys)


def test_a_change_noted_on_a_valid_document_turns_its_page_amber_at_once(client):
    from django.core.exceptions import ValidationError

    from govportal.verification.services import artifact_note_add

    artifact = issue()
    assert "panel--genuine" in client.get(artifact.path).content.decode()  # the shared page is cached
    note = "Partially refunded %(amount)s IQD on %(date)s."
    artifact_note_add(artifact=artifact, text=note, params={"amount": "5"})
    html = client.get(artifact.path).content.decode()
    assert "panel--changed" in html and "panel--genuine" not in html
    day = timezone.localdate()
    with translation.override("ar"):
        line = gettext("Partially refunded %(amount)s IQD on %(date)s.") % {
            "amount": "<bdi>5</bdi>",
            "date": date_format(day, "DATE_FORMAT"),
        }
    assert line in html
    assert client.get(f"{artifact.path}/json").json()["changed"] is True
    artifact_revoke(artifact=artifact, reason="withdrawn")
    html = client.get(artifact.path).content.decode()
    assert arabic("This document has been revoked") in html and "panel--changed" not in html
    with pytest.raises(ValidationError):
        artifact_note_add(artifact=artifact, text=note, params={"amount": "1"})
