"""The embed page in headless Chromium: it fits an iframe of 550x360 without scrollbars (light
and dark, a long statement included), passes axe-core, and shows the readers' figure from the
real vote endpoint."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from conftest import REPO, SITE_YAML, SiteFolder, prediction_text
from playwright.sync_api import Browser, Page, expect
from serving import static_site
from test_embeds import _write
from test_vote_widget_browser import (  # noqa: F401 - fixtures used by the last test
    BuiltSite,
    Voting,
    built,
    serious_axe_violations,
    voting,
)

from builder.render.embeds import HEIGHT, WIDTH

LONG = " ".join(["The council will approve the longest statement anyone has written here"] * 8)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("embeds") / "site"
    root.mkdir()
    shutil.copytree(REPO / "themes", root / "themes")
    site = SiteFolder(root)
    site.config(SITE_YAML)
    _write(site)
    site.write(
        "long.md", prediction_text("Long", statement=LONG, prediction_extra="confidence: 0.35\n")
    )
    assert site.build() == 0
    with static_site(site.output) as url:
        yield url


def _overflow(page: Page) -> dict[str, int]:
    return page.evaluate(
        """() => {
          const e = document.scrollingElement;
          return {sw: e.scrollWidth, cw: e.clientWidth, sh: e.scrollHeight, ch: e.clientHeight};
        }"""
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("slug", ["long", "done", "hostile"])
def test_embed_fits_its_iframe_without_scrollbars(
    served: str, browser: Browser, slug: str, scheme: str
) -> None:
    # Catches: a card taller or wider than 550x360 (a long statement not cut short, facts
    # wrapping out of the box), in either colour scheme.
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT}, color_scheme=scheme)
    page.goto(served + f"predictions/{slug}/embed/")
    size = _overflow(page)
    assert size["sw"] <= size["cw"] and size["sh"] <= size["ch"], size
    expect(page.get_by_role("link", name="Read the reasoning", exact=False)).to_be_in_viewport()
    page.close()


def test_embed_inside_an_iframe_of_another_page(served: str, browser: Browser) -> None:
    # Catches: a card that needs more than the iframe the oEmbed file asks for.
    page = browser.new_page()
    page.set_content(
        f'<iframe src="{served}predictions/long/embed/" width="{WIDTH}" height="{HEIGHT}" '
        'title="Prediction" style="border:0"></iframe>'
    )
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading")).to_be_visible()
    inner = page.frames[1]
    inner.wait_for_load_state()
    size = _overflow(inner)  # type: ignore[arg-type]
    assert size["sw"] <= size["cw"] and size["sh"] <= size["ch"], size
    page.close()


def test_embed_has_no_serious_accessibility_violations(served: str, browser: Browser) -> None:
    # Catches: contrast too low in light or dark, a link without a name, no language.
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    for slug in ("long", "done"):
        page.goto(served + f"predictions/{slug}/embed/")
        assert serious_axe_violations(page) == []
    page.close()


def test_embed_shows_the_readers_figure(
    voting: Voting,  # noqa: F811 - the fixture
    built: BuiltSite,  # noqa: F811
    browser: Browser,
) -> None:
    # Catches: an embed whose readers' figure never appears (markup votes.js does not read).
    voting.vote("beta", "will", "reader-one-0000000001")
    voting.vote("beta", "wont", "reader-two-0000000002")
    voting.vote("beta", "will", "reader-three-00000003")
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    page.goto(built.url + "predictions/beta/embed/")
    figure = page.locator("[data-votes-slug='beta']")
    expect(figure).to_be_visible()
    expect(figure).to_contain_text("67%")
    expect(figure).to_contain_text("3 votes")
    size = _overflow(page)
    assert size["sw"] <= size["cw"] and size["sh"] <= size["ch"], size
    page.close()
