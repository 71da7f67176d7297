"""Search in headless Chromium: the built example site served from a loopback port, the
masthead box and the search page's filters; several shards merged; `foretell serve`; and the
page without JavaScript."""

from __future__ import annotations

import contextlib
import re
import time
from collections import Counter
from pathlib import Path

from bs4 import BeautifulSoup
from conftest import SITE_YAML, SiteFolder, prediction_text
from playwright.sync_api import Browser, Page, expect
from serving import serving as foretell_serve
from serving import static_site as serving

from builder.render import search

ANIMALS = ("aardvark", "bison", "capybara", "dugong", "echidna", "fennec", "gharial", "hoatzin")
TIMEOUT = 15_000  # ms: Pagefind loads its WebAssembly first


def _unique_body_word(out: Path) -> tuple[str, str]:
    """A word of one prediction's article that no other page of a prediction holds: (word,
    slug), found in the built site rather than hard-coded."""
    words: dict[str, set[str]] = {}
    for page in sorted((out / "predictions").glob("*/index.html")):
        soup = BeautifulSoup(page.read_text("utf-8"), "lxml")
        if soup.select_one(".prose") is None:  # an old address's redirect page
            continue
        text = soup.select_one("article").get_text(" ")
        for word in set(re.findall(r"[a-z]{8,}", text.lower())):
            words.setdefault(word, set()).add(page.parent.name)
        prose = set(re.findall(r"[a-z]{8,}", soup.select_one(".prose").get_text(" ").lower()))
        words.setdefault("\0prose:" + page.parent.name, set()).update(prose)
    for slug in sorted(k.split(":", 1)[1] for k in words if k.startswith("\0prose:")):
        for word in sorted(words["\0prose:" + slug]):
            if words[word] == {slug}:
                return word, slug
    raise AssertionError("no word of the example site's articles is in one prediction alone")


def _results(page: Page) -> list[str]:
    return page.locator(".search-result-title a").evaluate_all("as => as.map(a => a.href)")


def test_masthead_box_finds_a_prediction_by_a_word_of_its_body(
    example_site: SiteFolder, browser: Browser
) -> None:
    """Catches: an index without the article bodies, a box that does not reach the search
    page, results that do not link to the prediction, a search script that fails to load
    Pagefind."""
    assert example_site.build() == 0
    word, slug = _unique_body_word(example_site.output)
    with serving(example_site.output) as base:
        page = browser.new_page()
        page.goto(base)
        page.fill("#site-search-q", word)
        page.press("#site-search-q", "Enter")
        expect(page.locator(".search-result")).to_have_count(1, timeout=TIMEOUT)
        assert _results(page) == [f"{base}predictions/{slug}/"]
        result = page.locator(".search-result")
        expect(result.locator(".search-statement")).not_to_be_empty()
        expect(result.locator(".search-facts time")).to_have_attribute(
            "datetime", re.compile(r"^\d{4}-\d{2}-\d{2}$")
        )
        expect(result.locator("mark").first).to_have_text(re.compile(word, re.I))
        # The badge as on the cards (an uppercase pill), the date never broken in two.
        status = result.locator(".search-facts .status")
        expect(status).to_have_css("text-transform", "uppercase")
        expect(status).to_have_css("white-space", "nowrap")
        expect(result.locator(".search-facts .search-target")).to_have_css("white-space", "nowrap")
        size = status.evaluate("e => getComputedStyle(e).fontSize")
        page.goto(base)
        card_status = page.locator(".card .status").first
        expect(card_status).to_have_css("text-transform", "uppercase")
        expect(card_status).to_have_css("font-size", size)
        page.close()


def test_a_status_filter_narrows_the_results(example_site: SiteFolder, browser: Browser) -> None:
    """Catches: filters that are offered but not applied, or not offered at all."""
    assert example_site.build() == 0
    with serving(example_site.output) as base:
        page = browser.new_page()
        page.goto(f"{base}search/?q=the")
        expect(page.locator(".search-summary")).to_contain_text("predictions", timeout=TIMEOUT)
        everything = _results(page)
        statuses = Counter(page.locator(".search-facts .status").all_text_contents())
        assert len(statuses) > 1, "the example site's results all have one status"
        status, count = statuses.most_common()[-1]
        page.select_option("#filter-status", status)
        expect(page.locator(".search-result")).to_have_count(count, timeout=TIMEOUT)
        narrowed = _results(page)
        assert set(narrowed) < set(everything)
        assert set(page.locator(".search-facts .status").all_text_contents()) == {status}
        assert f"status={status.replace(' ', '+')}" in page.url.replace("%3A", ":")
        page.close()


def test_every_shard_is_searched(site: SiteFolder, browser: Browser, monkeypatch) -> None:
    """Catches: shards left out of the merge (a prediction indexed but never found)."""
    monkeypatch.setattr(search, "SHARD_SIZE", 2)
    site.config(SITE_YAML + "search: true\n")
    for i, animal in enumerate(ANIMALS, start=1):
        site.write(f"p{i}.md", prediction_text(f"Number {i}", body=f"Mentions {animal}.\n"))
    assert site.build() == 0
    assert len(list(site.output.glob("pagefind/*/pagefind-entry.json"))) == 3
    with serving(site.output) as base:
        page = browser.new_page()
        for i, animal in enumerate(ANIMALS, start=1):
            page.goto(f"{base}search/?q={animal}")
            expect(page.locator(".search-result")).to_have_count(1, timeout=TIMEOUT)
            assert _results(page) == [f"{base}predictions/p{i}/"]
        page.close()


def test_search_works_in_foretell_serve(example_site: SiteFolder, browser: Browser) -> None:
    """Catches: the index missing from serve's in-memory site, or served so that Pagefind
    cannot read it."""
    assert example_site.build() == 0
    word, slug = _unique_body_word(example_site.output)
    with foretell_serve(example_site.root) as server:
        page = browser.new_page()
        page.goto(f"{server.url}search/?q={word}")
        expect(page.locator(".search-result")).to_have_count(1, timeout=TIMEOUT)
        assert _results(page) == [f"{server.url}predictions/{slug}/"]
        page.close()


def test_an_edit_in_foretell_serve_is_found_by_search(site: SiteFolder, browser: Browser) -> None:
    """serve indexes an edit after serving it (serve/searching.py). Catches: the new index
    never served, or served so that the search page cannot read it beside the old one."""
    site.config(SITE_YAML + "search: true\n")
    article = site.write("p1.md", prediction_text("First", body=f"About the {ANIMALS[0]}.\n"))
    with foretell_serve(site.root) as server:
        page = browser.new_page()
        page.goto(f"{server.url}search/?q={ANIMALS[0]}")
        expect(page.locator(".search-result")).to_have_count(1, timeout=TIMEOUT)
        article.write_text(prediction_text("First", body=f"About the {ANIMALS[1]}.\n"))
        deadline = time.monotonic() + 20
        while True:
            page.goto(f"{server.url}search/?q={ANIMALS[1]}")
            found = page.locator(".search-result")
            with contextlib.suppress(AssertionError):
                expect(found).to_have_count(1, timeout=2_000)
                break
            assert time.monotonic() < deadline, "the edit never found by search"
        assert _results(page) == [f"{server.url}predictions/p1/"]
        page.close()


def test_without_javascript_the_page_explains_web_search(
    example_site: SiteFolder, browser: Browser
) -> None:
    """Catches: an empty search form that cannot work without JavaScript, shown instead of
    the way to search the site with a web search engine."""
    assert example_site.build() == 0
    with serving(example_site.output) as base:
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(f"{base}search/?q=solar")
        expect(page.locator("[data-search]")).to_be_hidden()
        fallback = page.locator("[data-search-fallback]")
        expect(fallback).to_be_visible()
        expect(fallback).to_contain_text("site:predictions.example.org")
        context.close()


def test_an_older_search_template_of_the_sites_own_still_gets_filters(
    example_site: SiteFolder, browser: Browser
) -> None:
    """A site that overrides search.html with a copy from before the filters' values were in
    the page. Catches: its filter menus left with "Any" alone (the script no longer asking
    Pagefind for them)."""
    own = example_site.root / "themes/default/templates/search.html"
    own.parent.mkdir(parents=True, exist_ok=True)
    template = (Path(__file__).parent.parent / "themes/default/templates/search.html").read_text()
    older = re.sub(r"\{% set values = filters\[name\] %\}\n", "", template)
    older = re.sub(r"\{% if not values %\} hidden\{% endif %\}", "", older)
    options = re.compile(r" *\{% for value, count in values %\}.*?\{% endfor %\}\n", re.S)
    older = options.sub("", older)
    assert "values" not in older
    own.write_text(older, encoding="utf-8")
    assert example_site.build() == 0
    with serving(example_site.output) as base:
        page = browser.new_page()
        page.goto(f"{base}search/?q=the&status=Open")
        expect(page.locator(".search-summary")).to_contain_text("predictions", timeout=TIMEOUT)
        assert page.locator("#filter-status option").count() > 2
        assert page.locator("#filter-status").input_value() == "Open"
        assert set(page.locator(".search-facts .status").all_text_contents()) == {"Open"}
        page.close()
