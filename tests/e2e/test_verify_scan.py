"""The field auditor's offline scanner at /verify/scan checks signatures in the browser.

It verifies the ES256 token with WebCrypto against the trust list (itself verified against the root
keys the page pins), asks /v/<token>/json for the live status when online, keeps working offline
(localStorage + service worker), and passes axe. The offline journeys with the status lists are in
test_verify_offline.py.
"""

from __future__ import annotations

import base64
import io
import json
import re
from typing import Any

import pytest
import qrcode
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from govportal.verification.services import (
    artifact_issue,
    artifact_note_add,
    artifact_revoke,
    artifact_supersede,
    key_revoke,
)
from tests.e2e.test_accessibility import AXE_OPTIONS, VIEWPORTS, axe
from tests.factories import EntityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERIAL = "NDC-2026-000001"
RESULT = "[data-scan-result]"
# The keys status once the scanner has finished updating its lists (busy until then).
KEYS_UPDATED = "[data-scan-keys-status][aria-busy=false]"
TRUST_STORE = "govportal.verify.trust"
LISTS_STORE = "govportal.verify.status-lists"

# Headless Chromium on Linux has no BarcodeDetector (and no camera): these stand in for both,
# so that the camera and photo paths of the page run. The detector "sees" window.__qrValue.
FAKE_DETECTOR_AND_CAMERA = """
window.__detectCalls = [];
window.BarcodeDetector = class {
  static async getSupportedFormats() { return ["qr_code", "ean_13"]; }
  constructor(options) { window.__detectorFormats = options.formats; }
  async detect(source) {
    window.__detectCalls.push(source.constructor.name);
    return window.__qrValue ? [{ rawValue: window.__qrValue, format: "qr_code" }] : [];
  }
};
if (navigator.mediaDevices) {
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    window.__cameraConstraints = constraints;
    const canvas = document.createElement("canvas");
    canvas.width = 64; canvas.height = 64;
    const context = canvas.getContext("2d");
    setInterval(() => {
      context.fillStyle = "#" + Math.floor(Math.random() * 4095).toString(16);
      context.fillRect(0, 0, 64, 64);
    }, 50);
    const stream = canvas.captureStream(10);
    window.__cameraStream = stream;
    return stream;
  };
}
"""


def data_centre() -> Any:
    from govportal.entities.models import Entity

    found = Entity.objects.filter(code="NDC").first()
    return found or EntityFactory(code="NDC", name_ar="المركز الوطني للبيانات", name_en="National Data Centre")


def issue(entity: Any = None, serial: str = SERIAL, holder: str = "", issued_at: Any = None) -> Any:
    return artifact_issue(
        entity=entity or data_centre(),
        kind="certificate",
        serial=serial,
        content=b"certificate of authenticity of issuance " + serial.encode(),
        display=[("Holder", "أ. ك.")],
        holder=holder,
        issued_at=issued_at,
    )


def signed_before_status_lists(artifact: Any) -> Any:
    """The artifact with its token signed again as before the status lists: no ``status`` claim, so
    the scanner reads its status offline from the older list by token digest (/verify/status.json)."""
    from govportal.verification import crypto
    from govportal.verification.models import Artifact
    from govportal.verification.services import token_payload

    key = artifact.key
    payload = token_payload(
        entity=artifact.entity,
        kind=artifact.kind,
        serial=artifact.serial,
        issued_at=artifact.issued_at,
        digest_hex=artifact.digest,
    )
    private_key = crypto.unwrap_private_key(key.private_key_encrypted, key.kid)
    token = crypto.jws_sign(payload, kid=key.kid, private_key=private_key)
    Artifact.objects.filter(pk=artifact.pk).update(token=token, status_index=None)
    artifact.refresh_from_db()
    return artifact


def stored_trust_list(page: Any) -> dict[str, Any]:
    """The claims of the trust list the scanner keeps (it verified the signature before keeping it)."""
    token = page.evaluate(f"JSON.parse(localStorage.getItem('{TRUST_STORE}')).token")
    return b64url_json(token.split(".")[1])


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(part: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def english_date(moment: Any) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B} {local.year}"


def open_scanner(page: Any) -> None:
    """Open the scanner and wait until it has fetched and verified the trust list and status lists."""
    page.goto("/verify/scan")
    expect(page.locator(KEYS_UPDATED)).to_contain_text("Keys updated")


def check(page: Any, text: str) -> Any:
    page.fill("#scan-token", text)
    page.locator("[data-scan-form] button[type=submit]").click()
    result = page.locator(RESULT)
    expect(result.locator(".panel")).to_be_visible()
    return result


def expect_genuine(result: Any, artifact: Any, title: str = "This document is genuine") -> None:
    """Green, with the issuer by name (its code beside it); online the register's answer says
    "This document is genuine", offline only the signature is known: "Signature genuine"."""
    expect(result.locator(".panel--genuine")).to_contain_text(title)
    expect(result.locator(".panel--genuine .panel__mark")).to_have_text("✓")
    expect(result).to_contain_text(artifact.serial)
    expect(result.locator(".summary-list")).to_contain_text(f"{artifact.entity.name_en} {artifact.entity.code}")
    expect(result).to_contain_text("Certificate of authenticity of issuance")
    expect(result).to_contain_text(english_date(artifact.issued_at))


def expect_not_genuine(result: Any, reason: str) -> None:
    expect(result.locator(".panel--not-genuine")).to_contain_text("Not genuine")
    expect(result.locator(".panel--not-genuine .panel__mark")).to_have_text("✗")
    expect(result).to_contain_text(reason)
    expect(result.locator(".panel--genuine")).to_have_count(0)


@pytest.fixture
def english(choose_language: Any) -> None:
    choose_language("en")


def test_genuine_token_and_link_then_tampered_ones(page, english):
    artifact = issue()
    open_scanner(page)
    expect(page.locator("[data-scan-fallback]")).to_be_hidden()  # the no-JavaScript instructions

    result = check(page, artifact.token)
    expect_genuine(result, artifact)
    expect(result.locator(".tag--green")).to_have_text("Valid")  # online: the live status
    expect(result.locator(".summary-list")).to_contain_text("Holder")  # and the register's masked details
    expect(result.locator(".summary-list")).to_contain_text("أ. ك.")

    result = check(page, f"{settings.SITE_URL}/v/{artifact.token}")  # what the QR code holds
    expect_genuine(result, artifact)

    # The data changed and re-encoded properly: the signature no longer matches.
    header, payload, signature = artifact.token.split(".")
    forged = b64url(json.dumps({**b64url_json(payload), "sn": "NDC-2026-999999"}, separators=(",", ":")).encode())
    result = check(page, f"{header}.{forged}.{signature}")
    expect_not_genuine(result, "The signature does not match")
    expect(result).not_to_contain_text("NDC-2026-999999")  # nothing from a forged token is shown

    # One character of the payload changed.
    index = len(payload) // 2
    tampered = payload[:index] + ("A" if payload[index] != "A" else "B") + payload[index + 1 :]
    result = check(page, f"{header}.{tampered}.{signature}")
    expect_not_genuine(result, "")

    result = check(page, "https://example.com/not-ours")
    expect(result.locator(".panel--neutral")).to_contain_text("not a verification link")


def expect_revoked(result: Any, artifact: Any, reason: str) -> None:
    """A failure, as /v/ shows it: the red panel is the verdict, never a green one with a red tag."""
    failure = result.locator(".panel--not-genuine")
    expect(failure).to_contain_text("This document has been revoked")
    expect(failure.locator(".panel__mark")).to_have_text("✗")
    revoked_on = english_date(type(artifact).objects.get(pk=artifact.pk).revoked_at)
    expect(failure).to_contain_text(f"Revoked on {revoked_on}. Reason: {reason}")
    expect(result.locator(".panel--genuine")).to_have_count(0)
    expect(result.locator(".tag--red")).to_have_text("Revoked")
    expect(result.locator(".summary-list")).to_contain_text(f"{artifact.entity.name_en} {artifact.entity.code}")


def test_revoked_document_shows_its_live_status(page, english):
    artifact = issue()
    artifact_revoke(artifact=artifact, reason="Issued by mistake")
    open_scanner(page)
    expect_revoked(check(page, artifact.token), artifact, "Issued by mistake")


def test_a_replaced_document_is_a_failure_too(page, english):
    entity = EntityFactory(code="IHF", name_en="Iraqi Housing Fund")
    old, new = issue(entity, "IHF-RC-2026-000001"), issue(entity, "IHF-RC-2026-000002")
    artifact_supersede(artifact=old, replacement=new)
    open_scanner(page)
    result = check(page, old.token)
    expect(result.locator(".panel--not-genuine")).to_contain_text("This document has been replaced")
    expect(result.locator(".panel--not-genuine")).to_contain_text(new.serial)
    expect(result.locator(".panel--genuine")).to_have_count(0)
    expect(result.locator(".tag--red")).to_have_text("Superseded")
    expect(result.locator(f"a[href='{new.path}']")).to_have_text("See the replacement")


def test_a_certificate_signed_before_the_status_lists_reads_its_status_offline_from_the_older_list(page, english):
    """A token with no ``status`` claim: the older list by token digest (/verify/status.json) knows
    what was revoked, with its date and reason; the issuer's name comes from the trust list."""
    artifact = signed_before_status_lists(issue())
    valid = signed_before_status_lists(issue(serial="NDC-2026-000002"))
    artifact_revoke(artifact=artifact, reason="Issued by mistake")
    open_scanner(page)  # online: the keys and the status list are downloaded and kept
    page.wait_for_function("localStorage.getItem('govportal.verify.status') !== null")
    page.context.set_offline(True)
    expect_revoked(check(page, artifact.token), artifact, "Issued by mistake")

    result = check(page, valid.token)  # not in the list: valid as of the list's date
    expect_genuine(result, valid, "Signature genuine")
    expect(result.locator(".tag--green")).to_have_text("Valid")
    expect(result).to_contain_text("according to this device’s copy of the register")


def test_a_document_changed_since_issue_is_amber_not_plainly_valid(page, english):
    """A receipt partly refunded (the note its domain adds through the verification service)."""
    artifact = issue()
    artifact_note_add(
        artifact=artifact, text="Partially refunded %(amount)s IQD on %(date)s.", params={"amount": "30,000"}
    )
    open_scanner(page)
    result = check(page, artifact.token)
    expect(result.locator(".panel--changed")).to_contain_text(
        "This document is genuine, but it has changed since it was issued"
    )
    expect(result.locator(".panel--genuine")).to_have_count(0)
    expect(result.locator(".tag--amber")).to_have_text("Valid, with changes")
    expect(result.locator(".status-notes")).to_have_text(
        f"Partially refunded 30,000 IQD on {english_date(timezone.now())}."
    )


def test_service_worker_and_offline_check(page, english):
    artifact = issue()
    open_scanner(page)
    scope = page.evaluate("navigator.serviceWorker.ready.then((registration) => registration.scope)")
    assert scope.endswith("/verify/"), scope
    page.reload()
    expect(page.locator(KEYS_UPDATED)).to_contain_text("Keys updated")
    assert page.evaluate("navigator.serviceWorker.controller !== null"), "the worker does not control the page"
    cached = page.evaluate(
        "caches.open('govportal-verify-v2')"
        ".then((cache) => cache.keys()).then((keys) => keys.map((r) => new URL(r.url).pathname))"
    )
    assert {"/verify/scan", "/verify/status.json", "/static/js/verify-scan.js", "/static/css/app.css"} <= set(cached)
    assert not [path for path in cached if path.startswith("/v/")], cached  # results are never stored
    # The signed lists are kept by the page, which verifies them again whenever it opens.
    assert page.evaluate(f"JSON.parse(localStorage.getItem('{LISTS_STORE}'))['/verify/status-lists/0'].token")

    page.context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker, "the offline page did not come from the worker"
    expect(page.locator(KEYS_UPDATED)).to_contain_text("Keys could not be updated (no connection)")
    expect(page.locator("[data-scan-lists-status]")).to_contain_text(
        "Register of revoked and replaced documents updated"
    )
    result = check(page, artifact.token)
    expect_genuine(result, artifact, "Signature genuine")
    expect(result.locator(".tag--green")).to_have_text("Valid")  # as of this device's copy of the register

    # With no copy of the register at all, the status is not checked, and it says so.
    page.evaluate(f"localStorage.removeItem('{LISTS_STORE}')")
    page.reload()
    expect(page.locator(KEYS_UPDATED)).to_contain_text("Keys could not be updated (no connection)")
    expect(page.locator("[data-scan-lists-status]")).to_have_text(
        "Register of revoked and replaced documents not downloaded yet"
    )
    result = check(page, artifact.token)
    expect(result.locator(".panel--genuine")).to_contain_text("Signature genuine")
    expect(result.locator(".panel--genuine")).to_contain_text(re.compile("live status not checked", re.I))
    expect(result.locator(".tag--grey")).to_have_text("Not checked")
    # The issuer's name comes from the trust list, which this device still holds.
    expect(result.locator(".summary-list")).to_contain_text(f"{artifact.entity.name_en} {artifact.entity.code}")

    # Still not fooled offline.
    header, payload, signature = artifact.token.split(".")
    result = check(page, f"{header}.{payload}.{signature[:-2]}AA")
    expect_not_genuine(result, "The signature does not match")

    # Without a trust list the device cannot check anything offline, and says so plainly.
    page.evaluate(f"localStorage.removeItem('{TRUST_STORE}')")
    page.reload()
    expect(page.locator(KEYS_UPDATED)).to_have_text("Keys not downloaded yet")
    result = check(page, artifact.token)
    expect(result.locator(".panel--neutral")).to_contain_text("Cannot check yet")
    expect(result).to_contain_text("The signing keys have not been downloaded to this device yet")


def verify_in_page(page: Any, token: str, trust_list: dict[str, Any]) -> dict[str, Any]:
    return page.evaluate("([t, l]) => window.govportalVerify.verifyToken(t, l)", [token, trust_list])


def test_revoked_key_after_update_keys_now(page, english):
    artifact = issue()
    open_scanner(page)
    token = artifact.token
    verdict = verify_in_page(page, token, stored_trust_list(page))
    assert verdict["genuine"] is True and verdict["reason"] == ""
    assert verdict["payload"]["sn"] == SERIAL and verdict["payload"]["iss"] == artifact.entity.code

    key_revoke(kid=artifact.key.kid, reason="Key compromised")
    page.locator("[data-scan-keys-refresh]").click()
    expect(page.locator(KEYS_UPDATED)).to_contain_text("Keys updated")
    trust_list = stored_trust_list(page)
    assert [entry["kid"] for entry in trust_list["revoked_keys"]] == [artifact.key.kid]

    assert verify_in_page(page, token, trust_list)["reason"] == "revoked_key"
    result = check(page, token)
    expect_not_genuine(result, "The key that signed it has been revoked.")


def test_verify_token_and_parse_token_directly(page, english):
    artifact = issue()
    open_scanner(page)
    token = artifact.token
    trust_list = stored_trust_list(page)
    header, payload, signature = token.split(".")

    def verify(candidate: str, listed: dict[str, Any]) -> dict[str, Any]:
        return verify_in_page(page, candidate, listed)

    assert verify(token, trust_list)["genuine"] is True
    assert verify(token, {"issuers": [], "revoked_keys": []})["reason"] == "unknown_key"
    assert verify("a.b.c", trust_list)["reason"] == "malformed"
    assert verify("not a token", trust_list)["reason"] == "malformed"
    assert verify(f"{header}.{payload}.{b64url(b'x' * 64)}", trust_list)["reason"] == "bad_signature"
    assert verify(f"{header}.{payload}.{b64url(b'short')}", trust_list)["reason"] == "bad_signature"
    # The key listed under another issuer than the one the token claims.
    other_issuer = {**trust_list, "issuers": [{**entry, "iss": "SOMEONE-ELSE"} for entry in trust_list["issuers"]]}
    assert verify(token, other_issuer)["reason"] == "wrong_issuer"
    none_alg = b64url(json.dumps({"alg": "none", "kid": artifact.key.kid}).encode())
    assert verify(f"{none_alg}.{payload}.", trust_list)["reason"] == "malformed"

    parse = "(text) => window.govportalVerify.parseToken(text)"
    assert page.evaluate(parse, f"{settings.SITE_URL}/v/{token}") == token
    assert page.evaluate(parse, f"  https://portal.gov.iq/v/{token}/json?x=1  ") == token
    assert page.evaluate(parse, token) == token
    assert page.evaluate(parse, "https://example.com/") is None
    assert page.evaluate(parse, "") is None


def qr_png(text: str) -> bytes:
    buffer = io.BytesIO()
    qrcode.make(text).save(buffer, format="PNG")
    return buffer.getvalue()


def test_camera_and_photo_with_a_stand_in_detector(page, english):
    """The real BarcodeDetector is missing in headless Linux Chromium; a stand-in drives the same code."""
    artifact = issue()
    link = f"{settings.SITE_URL}/v/{artifact.token}"
    page.add_init_script(FAKE_DETECTOR_AND_CAMERA)
    open_scanner(page)
    camera = page.locator("[data-scan-camera]")
    expect(camera).to_be_visible()
    expect(page.locator("[data-scan-no-detector]")).to_be_hidden()

    camera.click()
    expect(page.locator("[data-scan-video-box] video")).to_be_visible()
    page.evaluate("(value) => { window.__qrValue = value; }", link)
    expect_genuine(page.locator(RESULT), artifact)
    expect(page.locator("[data-scan-video-box]")).to_be_hidden()
    assert page.evaluate("window.__cameraStream.getTracks().every((track) => track.readyState === 'ended')")
    assert page.evaluate("window.__cameraConstraints") == {"video": {"facingMode": "environment"}, "audio": False}
    assert page.evaluate("window.__detectorFormats") == ["qr_code"]
    expect(page.locator("#scan-token")).to_have_value(link)

    page.evaluate("() => { window.__qrValue = ''; document.querySelector('#scan-token').value = ''; }")
    photo = page.locator("[data-scan-photo]")
    expect(photo).to_have_attribute("capture", "environment")
    photo.set_input_files({"name": "qr.png", "mimeType": "image/png", "buffer": qr_png(link)})
    expect(page.locator(RESULT).locator(".panel--neutral")).to_contain_text("No QR code was found")
    page.evaluate("(value) => { window.__qrValue = value; }", link)
    photo.set_input_files({"name": "qr.png", "mimeType": "image/png", "buffer": qr_png(link)})
    expect_genuine(page.locator(RESULT), artifact)
    assert "ImageBitmap" in page.evaluate("window.__detectCalls")


def test_without_barcode_detector_the_page_says_how_to_scan(page, english):
    open_scanner(page)
    if page.evaluate("'BarcodeDetector' in window"):
        pytest.skip("this Chromium has a BarcodeDetector")
    expect(page.locator("[data-scan-no-detector]")).to_be_visible()
    expect(page.locator("[data-scan-camera]")).to_be_hidden()
    expect(page.locator("[data-scan-photo-field]")).to_be_hidden()


def test_without_javascript_the_page_gives_instructions(browser, live_server, choose_language):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
        page = context.new_page()
        page.goto("/verify/scan")
        fallback = page.locator("[data-scan-fallback]")
        expect(fallback).to_contain_text("open the link in the QR code with your phone's camera app")
        expect(page.locator("[data-scan-fallback] a")).to_have_attribute("href", "/verify/")
        expect(page.locator("[data-scan-tools]")).to_be_hidden()
    finally:
        context.close()


def test_a_kurdish_reader_sees_the_issuer_by_its_kurdish_name_online_and_offline(page, choose_language):
    choose_language("ckb")
    entity = EntityFactory(
        code="IHF",
        name_ar="صندوق الإسكان العراقي",
        name_en="Iraqi Housing Fund",
        name_ckb="سندووقی نیشتەجێبوونی عێراقی",
    )
    online, offline = issue(entity, "IHF-RC-2026-000001"), issue(entity, "IHF-RC-2026-000002")
    page.goto("/verify/scan")
    expect(page.locator("html")).to_have_attribute("lang", "ckb")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    # "Keys updated: <day> <month> <year>، <hh:mm>": a Kurdish date and time take the Arabic comma.
    expect(page.locator(KEYS_UPDATED)).to_contain_text(re.compile(r"\d{4}، \d{2}:\d{2}"))
    result = check(page, online.token)
    expect(result.locator(".panel--genuine")).to_be_visible()
    expect(result.locator(".summary-list")).to_contain_text("سندووقی نیشتەجێبوونی عێراقی IHF")
    page.context.set_offline(True)
    result = check(page, offline.token)  # named from the status list this device keeps
    expect(result.locator(".panel--genuine")).to_be_visible()
    expect(result.locator(".summary-list")).to_contain_text("سندووقی نیشتەجێبوونی عێراقی IHF")
    expect(result).not_to_contain_text("صندوق الإسكان العراقي")


@pytest.mark.parametrize("language", ["ar", "ckb", "en"])
def test_scanner_has_no_wcag_violations(page, choose_language, screenshot, language):
    choose_language(language)
    artifact = issue()
    page.goto("/verify/scan")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.fill("#scan-token", artifact.token)
    page.locator("[data-scan-form] button[type=submit]").click()
    expect(page.locator(RESULT).locator(".panel--genuine")).to_be_visible()

    reports = []
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        screenshot(f"verify-scan-{language}-{viewport['width']}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            reports.append(f"--- {page.url} at {viewport['width']}px: the page scrolls sideways by {overflow}px ---")
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports.append(f"--- {page.url} at {viewport['width']}px ---\n{results.generate_report()}")

    # The "not genuine" answer, and a revoked document (the red failure, with the issuer's name).
    header, payload, signature = artifact.token.split(".")
    revoked = issue(serial="NDC-2026-000002")
    artifact_revoke(artifact=revoked, reason="صدرت خطأً")
    for state, token in [("not-genuine", f"{header}.{payload}.{signature[:-2]}AA"), ("revoked", revoked.token)]:
        page.fill("#scan-token", token)
        page.locator("[data-scan-form] button[type=submit]").click()
        expect(page.locator(RESULT).locator(".panel--not-genuine")).to_be_visible()
        for viewport in VIEWPORTS:
            page.set_viewport_size(viewport)
            screenshot(f"verify-scan-{state}-{language}-{viewport['width']}")
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports.append(f"--- {state} ---\n{results.generate_report()}")
    assert not reports, "\n".join(reports)


def test_arabic_page_with_arabic_indic_digits(page, live_server, choose_language):
    """Dates follow the reader's digits preference; serials and codes stay as printed."""
    from govportal.web.digits import ARABIC_INDIC, COOKIE

    choose_language("ar")
    page.context.add_cookies([{"name": COOKIE, "value": ARABIC_INDIC, "url": live_server.url}])
    artifact = issue()
    page.goto("/verify/scan")
    result = check(page, artifact.token)
    local = timezone.localtime(artifact.issued_at)
    year = str(local.year).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    expect(result.locator(".panel--genuine .panel__mark")).to_have_text("✓")
    expect(result.locator(".summary-list")).to_contain_text(year)
    expect(result.locator(".summary-list")).to_contain_text(artifact.serial)  # Western digits, as printed


def test_scanner_works_under_the_strict_csp(page, english):
    from tests.e2e.test_csp import CspWatch, expect_strict_policy

    watch = CspWatch(page)
    artifact = issue()
    response = page.goto("/verify/scan")
    expect_strict_policy(response)
    expect(page.locator(KEYS_UPDATED)).to_contain_text("Keys updated")
    expect_genuine(check(page, artifact.token), artifact)
    page.wait_for_load_state("networkidle")
    assert watch.violations() == []
    assert not [line for line in watch.console if line.startswith(("error", "pageerror"))], watch.console
