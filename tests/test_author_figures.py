"""The author box's figures: `authors/<key>/figures.json` (render/author_figures.py), read by
static/author-figures.js; a resolution re-renders no page but those that show it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from conftest import SiteFolder, prediction_text
from playwright.sync_api import Browser, expect
from serving import static_site

from builder.incremental.cache import load_manifest

# Ada: 0.8 yes (points 100 (1 + log2 0.8) = +67.8, accuracy 100%) and two open ones.
SCORED = "confidence: 0.8\nresolution: {outcome: yes, date: 2026-03-01}\n"


def _populate(site: SiteFolder) -> None:
    site.write("scored.md", prediction_text("Scored", prediction_extra=SCORED, target="2026-02-01"))
    for n in range(1, 4):
        site.write(f"open-{n}.md", prediction_text(f"Open {n}", date=f"2026-01-1{n}"))
    site.write("bo-open.md", prediction_text("Bo open", author="bo"))


def _keys(site: SiteFolder, pages: list[str]) -> list[str | None]:
    """The pages' keys as the last build recorded them (incremental/cache.py)."""
    outputs = load_manifest(site.root).outputs
    return [outputs[page][0] for page in pages]


def _figures(site: SiteFolder, author: str) -> dict[str, str]:
    return json.loads((site.output / "authors" / author / "figures.json").read_text())


def test_figures_file_per_author(site: SiteFolder) -> None:
    """Catches: figures of the wrong author, or points shown for an author with none scored."""
    _populate(site)
    assert site.build() == 0
    assert _figures(site, "ada") == {"predictions": "4", "points": "+67.8", "accuracy": "100%"}
    assert _figures(site, "bo") == {"predictions": "1", "points": "—", "accuracy": "—"}


def test_a_resolution_does_not_render_the_authors_other_pages_again(site: SiteFolder) -> None:
    """Catches: the author's figures back in the prediction page's context (every page of the
    author re-rendered on every resolution), or figures.json not remade when they change."""
    _populate(site)
    assert site.build() == 0
    others = [f"predictions/{slug}/index.html" for slug in ("open-2", "open-3", "scored")]
    before = _keys(site, others)
    path = site.root / "content/predictions/open-1.md"
    path.write_text(
        path.read_text().replace(
            "  target_date: 2027-01-01",
            "  target_date: 2026-02-01\n  confidence: 0.7\n"
            "  resolution: {outcome: no, date: 2026-03-01}",
        )
    )
    assert site.build() == 0
    assert _keys(site, others) == before  # the same key: nothing of theirs to render again
    # 0.8 yes and 0.7 no: 100 (1 + log2 0.8) + 100 (1 + log2 0.3) = 67.8 - 73.7 = -5.9;
    # 1 of 2 right.
    assert _figures(site, "ada") == {"predictions": "4", "points": "\u22125.9", "accuracy": "50%"}


@pytest.fixture
def served(site: SiteFolder) -> Iterator[str]:
    _populate(site)
    assert site.build() == 0
    with static_site(site.output) as url:
        yield url


def test_the_box_shows_the_figures_in_a_browser(served: str, browser: Browser) -> None:
    """Catches: a script that reads the wrong file or keys, or never shows the figures."""
    page = browser.new_page()
    page.goto(served + "predictions/open-2/")
    figures = page.locator(".author-stats")
    expect(figures).to_be_visible()
    expect(figures.locator("[data-figure=predictions]")).to_have_text("4")
    expect(figures.locator(".author-points")).to_have_text("+67.8")
    expect(figures.locator(".author-accuracy")).to_have_text("100%")
    page.close()


def test_without_javascript_the_box_links_the_track_record(served: str, browser: Browser) -> None:
    """Catches: empty figures left visible when no script fills them in."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served + "predictions/open-2/")
    expect(page.locator(".author-stats")).to_be_hidden()
    expect(page.locator(".author-record-link a")).to_be_visible()
    context.close()
