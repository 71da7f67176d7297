"""An alias's redirect page in headless Chromium: opening the old address lands on the
prediction's page, served from a loopback port."""

from __future__ import annotations

import pytest
from conftest import SiteFolder
from playwright.sync_api import Browser, expect
from test_accessibility import serving
from test_aliases import _aliased


@pytest.mark.parametrize("old", ["predictions/old-solar/", "2025/03/solar.html"])
def test_old_address_redirects_to_the_prediction(
    site: SiteFolder, browser: Browser, old: str
) -> None:
    # Catches: a refresh Chromium does not follow (a malformed content attribute) or one
    # that lands on a wrong or missing page (a relative URL from the wrong depth).
    _aliased(site)
    assert site.build() == 0
    with serving(site.output) as base:
        page = browser.new_page()
        response = page.goto(base + old)
        assert response is not None and response.ok
        page.wait_for_url(base + "predictions/solar/")
        expect(page.locator("h1")).to_have_text("Solar")
        page.close()
