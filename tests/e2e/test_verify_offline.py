"""The offline scanner at national scale, in real Chromium with no connection.

The scanner pins the trust root's public keys (on the page) and trusts an issuer's key only through
the trust list the root signed; a document's status comes from the status list its token names,
also signed by the root. Both are fetched while online and kept on the device; everything below is
then checked with the browser offline.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from govportal.verification import crypto, trust
from govportal.verification.services import (
    artifact_note_add,
    artifact_revoke,
    artifact_supersede,
    key_revoke,
    key_rotate,
)
from tests.e2e.test_accessibility import AXE_OPTIONS, VIEWPORTS, axe
from tests.e2e.test_verify_scan import (
    KEYS_UPDATED,
    LISTS_STORE,
    RESULT,
    TRUST_STORE,
    b64url_json,
    check,
    english_date,
    expect_not_genuine,
    issue,
    open_scanner,
)
from tests.factories import EntityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTS_STATUS = "[data-scan-lists-status]"
NOT_AN_ENTITY_KEY = "It was not signed with any key of a government entity on this portal."
REFUSED_LIST = "The list of keys could not be checked: it is not signed by the portal’s trust root."
NAMES = {"ar": "صندوق الإسكان العراقي", "en": "Iraqi Housing Fund", "ckb": "سندووقی نیشتەجێبوونی عێراقی"}


@pytest.fixture
def english(choose_language: Any) -> None:
    choose_language("en")


def housing_fund() -> Any:
    return EntityFactory(code="IHF", name_ar=NAMES["ar"], name_en=NAMES["en"], name_ckb=NAMES["ckb"])


def list_date(page: Any) -> dt.datetime:
    """When the status list this device keeps was signed: what it says holds on or before then."""
    token = page.evaluate(f"JSON.parse(localStorage.getItem('{LISTS_STORE}'))['/verify/status-lists/0'].token")
    return dt.datetime.fromtimestamp(b64url_json(token.split(".")[1])["iat"], tz=dt.UTC)


def test_offline_a_genuine_document_a_revoked_one_and_one_signed_by_a_revoked_key(page, english):
    fund = housing_fund()
    finance = EntityFactory(code="MOF", name_en="Ministry of Finance")
    genuine = issue(fund, "IHF-RC-2026-000001", holder="أ. ك. ا.")
    revoked = issue(fund, "IHF-RC-2026-000002", holder="س. م.")
    by_revoked_key = issue(finance, "MOF-2026-000001")
    replaced, replacement = issue(fund, "IHF-RC-2026-000003"), issue(fund, "IHF-RC-2026-000004")
    changed = issue(fund, "IHF-RC-2026-000005")
    # Imported from the old register: dated 2019, signed at import by a key made today.
    imported = issue(fund, "IHF-CT-2019-000123", issued_at=dt.datetime(2019, 3, 5, 10, 30, tzinfo=dt.UTC))
    # All on the server before the scanner fetches its lists.
    artifact_revoke(artifact=revoked, reason="Issued by mistake")
    key_revoke(kid=by_revoked_key.key.kid, reason="Key left on a laptop")
    artifact_supersede(artifact=replaced, replacement=replacement)
    artifact_note_add(artifact=changed, text="Partially refunded %(amount)s IQD on %(date)s.", params={"amount": "1"})

    open_scanner(page)
    expect(page.locator(LISTS_STATUS)).to_contain_text("Register of revoked and replaced documents updated")
    page.context.set_offline(True)
    listed_on = english_date(list_date(page))
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))

    result = check(page, genuine.token)
    expect(result.locator(".panel--genuine")).to_contain_text("Signature genuine")
    expect(result.locator(".panel--genuine .panel__mark")).to_have_text("✓")
    expect(result.locator(".tag--green")).to_have_text("Valid")
    expect(result).to_contain_text(f"according to this device’s copy of the register, updated {listed_on}")
    details = result.locator(".summary-list")
    expect(details).to_contain_text("Iraqi Housing Fund IHF")  # the issuer's name from the trust list
    expect(details).to_contain_text("Certificate of authenticity of issuance")
    expect(details.locator("bdi", has_text=genuine.serial)).to_be_visible()
    expect(details).to_contain_text(english_date(genuine.issued_at))
    expect(details.locator(".summary-list__row", has_text="Holder")).to_contain_text("أ. ك. ا.")

    result = check(page, revoked.token)
    failure = result.locator(".panel--not-genuine")
    expect(failure).to_contain_text("This document has been revoked")
    expect(failure.locator(".panel__mark")).to_have_text("✗")
    expect(failure).to_contain_text(
        f"Revoked on or before {listed_on}, according to this device’s copy of the register."
    )
    expect(result.locator(".tag--red")).to_have_text("Revoked")
    expect(result.locator(".panel--genuine")).to_have_count(0)
    expect(result.locator(".summary-list")).to_contain_text(revoked.serial)

    expect_not_genuine(check(page, by_revoked_key.token), "The key that signed it has been revoked.")

    result = check(page, replaced.token)
    expect(result.locator(".panel--not-genuine")).to_contain_text("This document has been replaced")
    expect(result.locator(".panel--not-genuine")).to_contain_text(
        f"Replaced by a newer document on or before {listed_on}"
    )
    expect(result.locator(".tag--red")).to_have_text("Superseded")

    result = check(page, changed.token)
    expect(result.locator(".panel--changed")).to_contain_text("it has changed since it was issued")
    expect(result.locator(".panel--changed")).to_contain_text("Check it with a connection to see what changed")
    expect(result.locator(".tag--amber")).to_have_text("Valid, with changes")
    expect(result.locator(".panel--genuine")).to_have_count(0)

    result = check(page, imported.token)
    expect(result.locator(".panel--genuine")).to_contain_text("Signature genuine")
    expect(result.locator(".summary-list")).to_contain_text("5 March 2019")

    assert asked == [], asked  # every answer came from this device


def test_an_expired_copy_of_the_register_is_amber_and_does_not_claim_valid(page, english):
    """A device offline for longer than the lists' lifetime: the signature still checks, the status does not."""
    artifact = issue(housing_fund(), "IHF-RC-2026-000001")
    page.clock.install(time=timezone.now())  # the page's clock, running from now
    open_scanner(page)
    page.context.set_offline(True)
    page.clock.set_system_time(timezone.now() + trust.LIST_LIFETIME + dt.timedelta(days=1))
    page.locator("[data-scan-keys-refresh]").click()  # offline: only says how old its copies are
    expect(page.locator(KEYS_UPDATED)).to_contain_text("This device’s copy of the keys expired on")
    expect(page.locator(LISTS_STATUS)).to_contain_text("expired on")
    result = check(page, artifact.token)
    expect(result.locator(".panel--changed")).to_contain_text(
        "Signature genuine, but its status cannot be confirmed on this device"
    )
    expect(result.locator(".panel--changed")).to_contain_text("This device’s copy of the register expired on")
    expect(result.locator(".tag--amber")).to_have_text("Not confirmed")
    expect(result.locator(".panel--genuine")).to_have_count(0)
    expect(result.locator(".tag--green")).to_have_count(0)


def test_a_key_the_trust_list_does_not_name_is_refused(page, english):
    fund = housing_fund()
    first = issue(fund, "IHF-RC-2026-000001")
    open_scanner(page)

    # A key made after this device fetched its list, and a document it signed: refused offline.
    page.context.set_offline(True)
    key_rotate(entity=fund)
    newer = issue(fund, "IHF-RC-2026-000002")
    assert newer.key.kid != first.key.kid
    expect_not_genuine(check(page, newer.token), NOT_AN_ENTITY_KEY)
    expect(page.locator(RESULT)).not_to_contain_text(newer.serial)  # nothing of an unchecked token is shown

    # Online, the scanner fetches the list again once, and the new key is in it.
    page.context.set_offline(False)
    expect(check(page, newer.token).locator(".panel--genuine")).to_contain_text("This document is genuine")

    claims = b64url_json(newer.token.split(".")[1])
    forger = crypto.generate_key()
    # Someone's own key under a kid nobody listed: refused, even after asking for the list again.
    forged = crypto.jws_sign({**claims, "sn": "IHF-RC-2026-999999"}, kid="IHF-20261207-0badc0de", private_key=forger)
    expect_not_genuine(check(page, forged), NOT_AN_ENTITY_KEY)
    # The same key under the kid of a listed key: the signature does not match.
    impostor = crypto.jws_sign(claims, kid=newer.key.kid, private_key=forger)
    expect_not_genuine(check(page, impostor), "The signature does not match")
    # The trust root signs lists, not documents: pinned, yet no entity's key.
    root = trust.root_active()
    by_root = crypto.jws_sign(
        claims, kid=root.kid, private_key=crypto.unwrap_private_key(root.private_key_encrypted, root.kid)
    )
    expect_not_genuine(check(page, by_root), NOT_AN_ENTITY_KEY)

    # A retired key verifies what it signed before it retired, and nothing dated after.
    old = first.key
    old.refresh_from_db()
    assert old.retired_at is not None
    expect(check(page, first.token).locator(".panel--genuine")).to_contain_text("This document is genuine")
    late = crypto.jws_sign(
        {**claims, "iat": int(old.retired_at.timestamp()) + 3600},
        kid=old.kid,
        private_key=crypto.unwrap_private_key(old.private_key_encrypted, old.kid),
    )
    expect_not_genuine(check(page, late), "It is dated after the key that signed it was retired.")


def serve(body: str) -> Any:
    """A route handler answering with ``body`` in place of the server."""
    return lambda route: route.fulfill(status=200, content_type="application/trustlist+jwt", body=body)


def test_a_trust_list_not_signed_by_a_pinned_root_is_refused(browser, live_server):
    """Served in place of the real one (as a captive portal or a tampering proxy could): its content
    is the real list's, so only the check of its signature stands between it and a green answer."""
    artifact = issue(housing_fund(), "IHF-RC-2026-000001")
    claims = trust.trust_list_payload()
    root = trust.root_active()
    root_private = crypto.unwrap_private_key(root.private_key_encrypted, root.kid)
    other = crypto.generate_key()
    refused = {
        "a key nobody pinned": crypto.jws_sign(
            claims, kid="root-20261207-0badc0de", private_key=other, typ="trustlist+jwt"
        ),
        "a pinned kid with another key": crypto.jws_sign(claims, kid=root.kid, private_key=other, typ="trustlist+jwt"),
        "the root's signature on another kind of list": crypto.jws_sign(
            claims, kid=root.kid, private_key=root_private, typ="statuslist+jwt"
        ),
    }
    # Requests a service worker handles are not routed: this context has none.
    context = browser.new_context(base_url=live_server.url, service_workers="block")
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    try:
        for case, forged in refused.items():
            page = context.new_page()
            page.route("**/verify/trust-list", serve(forged))
            page.goto("/verify/scan")
            expect(page.locator(KEYS_UPDATED)).to_contain_text(REFUSED_LIST)
            result = check(page, artifact.token)
            expect(result.locator(".panel--neutral")).to_contain_text("Cannot check yet")
            expect(result.locator(".panel--neutral")).to_contain_text(
                "The list of government entities and their keys could not be checked"
            )
            expect(result.locator(".panel--genuine")).to_have_count(0)
            assert page.evaluate(f"localStorage.getItem('{TRUST_STORE}')") is None, case
            page.close()

        # The list the server signs with the pinned root passes, and the same document is genuine...
        page = context.new_page()
        open_scanner(page)
        expect(check(page, artifact.token).locator(".panel--genuine")).to_contain_text("This document is genuine")
        # ...and a forged list arriving later does not replace it: the device keeps its checked copy.
        page.route("**/verify/trust-list", serve(refused["a key nobody pinned"]))
        page.locator("[data-scan-keys-refresh]").click()
        expect(page.locator(KEYS_UPDATED)).to_contain_text("The latest list of keys could not be checked")
        expect(page.locator(KEYS_UPDATED)).to_contain_text("Using the copy from")
        expect(check(page, artifact.token).locator(".panel--genuine")).to_contain_text("This document is genuine")
    finally:
        context.close()


def _in(language: str, msgid: str, **values: str) -> str:
    with translation.override(language):
        text = gettext(msgid)
    return text % values if values else text


def _date_in(language: str, moment: dt.datetime) -> str:
    """A date as the scanner writes it: day, month name in the language (Iraqi names in Arabic), year."""
    local = timezone.localtime(moment)
    return f"{local.day} {_in(language, local.strftime('%B'))} {local.year}"


@pytest.mark.parametrize("language", ["ar", "ckb", "en"])
def test_offline_results_in_each_language(page, choose_language, screenshot, language):
    choose_language(language)
    fund = housing_fund()
    genuine = issue(fund, "IHF-RC-2026-000001", holder="أ. ك. ا.")
    revoked = issue(fund, "IHF-RC-2026-000002", holder="س. م. ع.")
    artifact_revoke(artifact=revoked, reason="Issued by mistake")
    page.goto("/verify/scan")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", "ltr" if language == "en" else "rtl")
    expect(page.locator(KEYS_UPDATED)).to_be_visible()
    page.context.set_offline(True)
    listed_on = _date_in(language, list_date(page))

    reports = []
    for state, artifact in [("genuine", genuine), ("revoked", revoked)]:
        result = check(page, artifact.token)
        details = result.locator(".summary-list")
        expect(details).to_contain_text(f"{NAMES[language]} IHF")
        expect(details).to_contain_text(_in(language, "Certificate of authenticity of issuance"))
        expect(details.locator("bdi", has_text=artifact.serial)).to_be_visible()
        expect(details).to_contain_text(_date_in(language, artifact.issued_at))
        expect(details.locator(".summary-list__row", has_text=_in(language, "Holder"))).to_be_visible()
        if state == "genuine":
            expect(result.locator(".panel--genuine")).to_contain_text(_in(language, "Signature genuine"))
            expect(result.locator(".tag--green")).to_have_text(_in(language, "Valid"))
        else:
            failure = result.locator(".panel--not-genuine")
            expect(failure).to_contain_text(_in(language, "This document has been revoked"))
            line = "Revoked on or before %(date)s, according to this device’s copy of the register."
            expect(failure).to_contain_text(_in(language, line, date=listed_on))
            expect(result.locator(".panel--genuine")).to_have_count(0)
        for viewport in VIEWPORTS:
            page.set_viewport_size(viewport)
            screenshot(f"verify-offline-{state}-{language}-{viewport['width']}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                reports.append(f"--- {state} at {viewport['width']}px: the page scrolls sideways by {overflow}px ---")
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports.append(f"--- {state} ---\n{results.generate_report()}")
    assert not reports, "\n".join(reports)
