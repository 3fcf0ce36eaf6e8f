"""The letter's recipient picker by keyboard alone, at 360 and 1280 px: Tab to the filter, type a name
as people spell it (without hamza, with ta marbuta as ha, on a Kurdish keyboard), Tab to the entity,
Space to choose it; the count says how it will go (electronic or paper), Enter in the filter does not
send the form, and the draft goes to the entities chosen. Then the head's header link, one click to the
letters awaiting them."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import expect

from documents.models import Letter
from govportal.accounts.constants import Role
from govportal.entities.constants import LinkagePhase
from govportal.entities.services import entity_link, phase_open
from tests.e2e.conftest import arabic
from tests.factories import EntityFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def summary(count: int, electronic: int, paper: int) -> str:
    with translation.override("ar"):
        return translation.pgettext("chosen recipients", "%(chosen)s: %(electronic)s, %(paper)s") % {
            "chosen": translation.ngettext("%(count)s entity chosen", "%(count)s entities chosen", count)
            % {"count": count},
            "electronic": translation.ngettext("%(count)s electronically", "%(count)s electronically", electronic)
            % {"count": electronic},
            "paper": translation.ngettext("%(count)s on paper", "%(count)s on paper", paper) % {"count": paper},
        }


def tab_to(page: Any, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


@pytest.mark.parametrize("width", [360, 1280])
def test_choosing_recipients_by_keyboard(page, enter_as, width, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    phase_open(number=LinkagePhase.MINISTRIES)
    finance = entity_link(entity=EntityFactory(code="MOF", name_ar="وزارة المالية", name_en="Ministry of Finance"))
    health = entity_link(
        entity=EntityFactory(
            code="MOH", name_ar="وزارة الصحة", name_en="Ministry of Health", name_ckb="وەزارەتی تەندروستی"
        )
    )
    basra = EntityFactory(code="BSR", name_ar="محافظة البصرة", name_en="Basra Governorate", governorate=True)
    for n in range(30):  # a long list, as in the real world
        EntityFactory(code=f"DIR{n}", name_ar=f"مديرية رقم {n}", directorate=True, parent=finance)
    clerk = MembershipFactory(role=Role.REGISTRY_CLERK, entity=finance)
    page.set_viewport_size({"width": width, "height": 800})
    enter_as(clerk)
    page.goto("/documents/new/")
    page.fill("input[name=subject]", "طلب تزويد ببيانات الموازنة")
    page.fill("textarea[name=body]", "نرجو تزويدنا بالبيانات.")
    expect(page.locator("#id_to_summary")).to_have_text(arabic("No entity chosen yet."))

    tab_to(page, "#id_to_filter")
    page.keyboard.type("الصحه")  # "الصحة" as typed without its ta marbuta
    expect(page.locator("#id_to_list .picker__option:visible")).to_have_count(1)
    page.keyboard.press("Enter")  # narrows; never sends the form
    expect(page).to_have_url(page.url)
    assert not Letter.objects.exists()
    page.keyboard.press("Tab")
    expect(page.locator(f"#id_to_list input[value='{health.pk}']")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#id_to_summary")).to_have_text(summary(1, 1, 0))

    page.locator("#id_to_filter").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("بصره")
    expect(page.locator("#id_to_list .picker__option:visible")).to_contain_text("محافظة البصرة")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.locator("#id_to_summary")).to_have_text(summary(2, 1, 1))
    box = page.locator(f"#id_to_list input[value='{basra.pk}']").locator("xpath=..").bounding_box()
    assert box and box["height"] >= 44  # a thumb's target, not a 20 px line
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

    # Typed on a Kurdish keyboard: by the Kurdish name, and the Arabic name with ە for ة.
    page.locator("#id_to_filter").fill("تەندروستی")
    expect(page.locator("#id_to_list .picker__option:visible")).to_have_count(1)
    expect(page.locator("#id_to_list .picker__option:visible")).to_contain_text("وزارة الصحة")
    page.locator("#id_to_filter").fill("محافظە البصرە")
    expect(page.locator("#id_to_list .picker__option:visible")).to_contain_text("محافظة البصرة")

    page.locator("#id_to_filter").fill("")
    expect(page.locator("#id_to_list .picker__option:visible")).to_have_count(32)
    page.get_by_role("button", name=arabic("Save the draft")).click()
    page.wait_for_load_state()
    letter = Letter.objects.get()
    assert set(letter.recipients.values_list("entity_id", flat=True)) == {health.pk, basra.pk}


def test_a_head_reaches_the_letters_awaiting_them_from_any_page(page, enter_as, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from tests.e2e.test_documents_accessibility import scene, submitted

    s = scene()
    submitted(s)
    enter_as(s.head_a)
    page.goto("/notifications/")
    link = page.locator("header a[href='/documents/approvals/']")
    expect(link).to_contain_text(arabic("Awaiting your approval"))
    expect(link.locator(".count-badge")).to_have_text("1")
    link.click()
    expect(page.locator("main h1")).to_have_text(arabic("Awaiting your approval"))
    expect(page.locator("main table tbody tr")).to_have_count(1)
