"""`foretell serve` in a real browser: an open page reloads by itself after a save.

Headless Chromium (Debian's; Playwright cannot download its own here) keeps a prediction page
open while the test edits the article's file. The test never reloads the page: the injected
script must do it.
"""

from __future__ import annotations

from conftest import SiteFolder, prediction_text
from playwright.sync_api import Browser, Page, expect
from serving import serving

TIMEOUT_MS = 20_000


def mark(page: Page) -> None:
    """Leave a mark in the window: a reload wipes it, a script patching the DOM would not."""
    page.evaluate("window.__notReloaded = true")


def reloaded(page: Page) -> bool:
    return bool(page.evaluate("window.__notReloaded === undefined"))


def test_an_open_page_reloads_itself_after_a_save(site: SiteFolder, browser: Browser) -> None:
    article = site.write("alpha.md", prediction_text("Alpha", body="The first text.\n"))
    with serving(site.root) as server:
        page = browser.new_page()
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(server.url + "predictions/alpha/")
        expect(page.locator("main")).to_contain_text("The first text.")
        mark(page)

        article.write_text(prediction_text("Alpha", body="The second text.\n"), "utf-8")
        expect(page.locator("main")).to_contain_text("The second text.", timeout=TIMEOUT_MS)
        assert reloaded(page)

        # A broken save: the page reloads with the problem on top, and the last good text.
        mark(page)
        broken = prediction_text("Alpha", date="2026-02-30", body="The third text.\n")
        article.write_text(broken, "utf-8")
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("content/predictions/alpha.md:3: date:", timeout=TIMEOUT_MS)
        expect(page.locator("main")).to_contain_text("The second text.")
        assert reloaded(page)

        # Fixed: the problem goes away by itself.
        article.write_text(prediction_text("Alpha", body="The fourth text.\n"), "utf-8")
        expect(page.locator("main")).to_contain_text("The fourth text.", timeout=TIMEOUT_MS)
        expect(alert).to_have_count(0)

        assert all(url.startswith(server.url) for url in requests), "no third-party request"
        page.close()
