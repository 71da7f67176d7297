"""The comment block in headless Chromium: hidden without JavaScript; with it, the embed's
script is fetched only once the reader scrolls near the comments (giscus.app and the Isso
server are stood in for by routes: nothing leaves the machine)."""

from __future__ import annotations

from conftest import SITE_YAML, SiteFolder, prediction_text
from playwright.sync_api import Browser, Page, expect
from test_comments import GISCUS, ISSO
from test_search_browser import serving

LONG_BODY = "".join(f"Paragraph {i} of a long article.\n\n" for i in range(120))
STAND_IN = "window.embedLoaded = (window.embedLoaded || 0) + 1;"


def _site(site: SiteFolder, comments: str) -> SiteFolder:
    site.config(SITE_YAML + comments)
    site.write("p1.md", prediction_text("One", body=LONG_BODY))
    assert site.build() == 0
    return site


def _fetched(page: Page) -> list[str]:
    """Stand in for the comment system's script; the URLs the page asked for."""
    asked: list[str] = []

    def answer(route) -> None:
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="text/javascript", body=STAND_IN)

    page.route("https://giscus.app/**", answer)
    page.route("https://comments.example.org/**", answer)
    return asked


def test_hidden_without_javascript(site: SiteFolder, browser: Browser) -> None:
    """Catches: an empty "Discussion" heading shown to readers who cannot load comments."""
    _site(site, GISCUS)
    with serving(site.output) as base:
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(f"{base}predictions/p1/")
        expect(page.locator("#comments")).to_be_hidden()
        expect(page.locator("#comments-heading")).to_be_hidden()
        context.close()


def test_giscus_loads_only_when_scrolled_to(site: SiteFolder, browser: Browser) -> None:
    """Catches: the embed loaded with the page (a third-party request from every reader,
    wanted or not), or never loaded at all."""
    _site(site, GISCUS)
    with serving(site.output) as base:
        page = browser.new_page(viewport={"width": 800, "height": 600})
        asked = _fetched(page)
        page.goto(f"{base}predictions/p1/")
        page.wait_for_load_state("load")
        expect(page.locator("#comments")).to_be_attached()
        page.wait_for_timeout(500)
        assert asked == []
        assert page.locator("#comments script").count() == 0
        page.locator("#comments").scroll_into_view_if_needed()
        expect(page.locator("#comments")).to_be_visible()
        page.wait_for_function("window.embedLoaded === 1")
        assert asked == ["https://giscus.app/client.js"]
        script = page.locator("#comments script")
        expect(script).to_have_attribute("data-repo", "octo-org/predictions")
        page.mouse.wheel(0, -5000)
        page.locator("#comments").scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        assert page.evaluate("window.embedLoaded") == 1  # loaded once, not at every pass
        page.close()


def test_isso_loads_when_scrolled_to(site: SiteFolder, browser: Browser) -> None:
    """Catches: Isso's embed never inserted, or inserted where its script does not run, so
    the thread never appears."""
    _site(site, ISSO)
    with serving(site.output) as base:
        page = browser.new_page(viewport={"width": 800, "height": 600})
        asked = _fetched(page)
        page.goto(f"{base}predictions/p1/")
        page.wait_for_timeout(300)
        assert asked == []
        page.locator("#comments").scroll_into_view_if_needed()
        page.wait_for_function("window.embedLoaded === 1")
        assert asked == ["https://comments.example.org/isso/js/embed.min.js"]
        expect(page.locator("#comments #isso-thread")).to_be_attached()
        page.close()
