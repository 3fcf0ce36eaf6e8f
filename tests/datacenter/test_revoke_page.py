"""Revoking a certificate goes through a page that says what will happen; only then is it revoked."""

from datacenter.constants import Outcome
from datacenter.services import request_answer
from govportal.verification.constants import ArtifactStatus
from govportal.verification.models import Artifact


def test_revoking_shows_the_consequences_then_asks_for_a_reason(world, submitted, staff_client):
    from govportal.accounts.models import Membership

    certificate = request_answer(item=submitted(), outcome=Outcome.CONFIRMED, reason="", actor=world["issuer"])
    head = staff_client(Membership.objects.get(user=world["head"]))
    head.post("/i18n/setlang/", {"language": "en", "next": "/"})
    url = f"/datacenter/certificates/{certificate.pk}/revoke/"
    assert f'href="{url}"' in head.get(f"/datacenter/certificates/{certificate.pk}/").content.decode()
    page = head.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert f"Revoke certificate <bdi>{certificate.serial}</bdi>?" in html
    assert "At once, anyone who scans its QR code or checks its serial number sees “revoked”" in html
    assert "is told in the portal and by e-mail" in html  # the requesting entity
    assert "This cannot be undone." in html and "No, go back" in html
    assert Artifact.objects.get(pk=certificate.artifact_id).status == ArtifactStatus.VALID

    missing = head.post(url, {"reason": ""})
    assert missing.status_code == 400 and 'class="error-summary"' in missing.content.decode()
    assert Artifact.objects.get(pk=certificate.artifact_id).status == ArtifactStatus.VALID
    assert head.post(url, {"reason": "صدرت خطأً"}).status_code == 302
    artifact = Artifact.objects.get(pk=certificate.artifact_id)
    assert (artifact.status, artifact.revoked_reason) == (ArtifactStatus.REVOKED, "صدرت خطأً")
    assert head.get(url).status_code == 404  # nothing left to revoke


def test_only_the_issuing_entitys_head_sees_the_revoke_page(world, submitted, staff_client):
    from govportal.accounts.models import Membership

    certificate = request_answer(item=submitted(), outcome=Outcome.CONFIRMED, reason="", actor=world["issuer"])
    issuer = staff_client(Membership.objects.get(user=world["issuer"]))
    assert issuer.get(f"/datacenter/certificates/{certificate.pk}/revoke/").status_code == 404
    assert issuer.post(f"/datacenter/certificates/{certificate.pk}/revoke/", {"reason": "x"}).status_code == 404
    assert Artifact.objects.get(pk=certificate.artifact_id).status == ArtifactStatus.VALID
