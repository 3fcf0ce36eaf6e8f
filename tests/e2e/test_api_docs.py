"""The API's documentation is served by the portal itself and works under its Content-Security-Policy."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_csp import CspWatch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_documentation_renders_from_the_portal_with_no_csp_violation(page, live_server, screenshot):
    watch = CspWatch(page)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("govportal API")
    expect(page.locator(".swagger-ui .opblock-summary-path").first).to_be_visible()
    screenshot("api-docs")
    assert watch.violations() == []
    assert all(url.startswith(live_server.url) for url in requests), [
        u for u in requests if not u.startswith(live_server.url)
    ]
