"""The default theme's list pages as laid out by headless Chromium: a row of cards lines up
whatever its badges and dates, and the pager's position stays put from page to page."""

from __future__ import annotations

from conftest import SiteFolder, prediction_text
from playwright.sync_api import Browser, Locator
from serving import static_site as serving

NO = "confidence: 0.25\nresolution: {outcome: no, date: 2026-11-01}\n"
# The newest three (paginate: 3), one row of cards at 1280 px: a long category beside the
# longest status badge, the longest target date beside the longest confidence, and short ones.
ROW = {
    "long": ("2026-06-03", "International Relations", "2026-10-31", NO),
    "wide": ("2026-06-02", "Space", "2027-09-30", "confidence: 0.99\n"),
    "short": ("2026-06-01", "Energy", "2027-05-05", "confidence: 0.5\n"),
}


def _write(site: SiteFolder) -> None:
    for slug, (date, category, target, inside) in ROW.items():
        text = prediction_text(
            f"The {slug} one",
            date=date,
            target=target,
            extra=f"category: {category}\n",
            prediction_extra=inside,
        )
        site.write(f"{slug}.md", text)
    for i in range(1, 6):  # older ones, for pages 2 and 3
        site.write(f"p{i}.md", prediction_text(f"Older {i}", date=f"2026-0{i}-01"))


def _boxes(found: Locator) -> list[dict[str, float]]:
    return found.evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {x: r.x, y: r.y, width: r.width, height: r.height}; })"
    )


def test_a_row_of_cards_lines_up(site: SiteFolder, browser: Browser) -> None:
    # Catches: a status badge that wraps under a long category pushing that card's title
    # below its neighbours'; "Confidence NN%" on the target date's line in one card of a row
    # and on a line of its own in the next; a badge broken across two lines.
    _write(site)
    assert site.build() == 0
    with serving(site.output) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base)
        cards = _boxes(page.locator(".card"))
        assert len({round(card["y"]) for card in cards}) == 1, "not one row of three"
        long_kicker = page.locator(".card", has_text="The long one").locator(".kicker > *")
        category, badge = (box["y"] for box in _boxes(long_kicker))
        assert badge > category, "the long badge fits beside its category: nothing to test"
        assert all(box["height"] < 30 for box in _boxes(page.locator(".card .status"))), (
            "a badge wraps"
        )
        titles = _boxes(page.locator(".card-title"))
        assert len({round(title["y"]) for title in titles}) == 1, titles
        one_line = [
            round(target["y"]) == round(confidence["y"])
            for target, confidence in zip(
                _boxes(page.locator(".card-meta > span:first-child")),
                _boxes(page.locator(".card-meta > span:nth-child(2)")),
                strict=True,
            )
        ]
        assert len(set(one_line)) == 1, one_line
        page.close()


def test_the_pagers_position_stays_put(site: SiteFolder, browser: Browser) -> None:
    # Catches: "Page N of M" centred between whatever links there are, so that it moves
    # when the first page has no "← Newer" and the last no "Older →".
    _write(site)
    assert site.build() == 0
    with serving(site.output) as base:
        for width in (390, 1280):
            page = browser.new_page(viewport={"width": width, "height": 900})
            spots = []
            for path in ("", "page/2/", "page/3/"):
                page.goto(base + path)
                [box] = _boxes(page.locator(".pager-position"))
                spots.append(round(box["x"] + box["width"] / 2))
            assert len(set(spots)) == 1, (width, spots)
            page.close()
