"""A prediction whose confidence changed: its page's header, step chart and table of forecasts,
on a small site and on the example site's prediction with two updates (figures by hand)."""

from __future__ import annotations

import json
import math

import pytest
from bs4 import BeautifulSoup, Tag
from conftest import SiteFolder, prediction_text

UPDATES = (
    "confidence: 0.7\n"
    "updates:\n"
    "  - {date: 2026-04-02, confidence: 0.55, note: 'The tender was <b>delayed</b>.'}\n"
    "  - {date: 2026-06-15, confidence: 0.4}\n"
)
EXAMPLE = "predictions/solar-overtakes-coal-eu-2025/"


def rows(page: BeautifulSoup) -> list[list[str]]:
    """The table of forecasts, as the text of each cell."""
    table = page.select_one(".history table")
    assert isinstance(table, Tag)
    return [
        [" ".join(td.get_text().split()) for td in tr.find_all("td")] for tr in table.tbody("tr")
    ]


def chart(page: BeautifulSoup) -> Tag:
    svg = page.select_one(".history svg.step-chart")
    assert isinstance(svg, Tag)
    return svg


def text(page: BeautifulSoup, selector: str) -> str:
    found = page.select_one(selector)
    assert isinstance(found, Tag), selector
    return " ".join(found.get_text().split())


@pytest.fixture
def updated(site: SiteFolder) -> SiteFolder:
    site.write(
        "tender.md",
        prediction_text("Tender", date="2026-03-01", prediction_extra=UPDATES),
    )
    site.write("plain.md", prediction_text("Plain", prediction_extra="confidence: 0.3\n"))
    assert site.build() == 0
    return site


def test_header_shows_the_current_confidence_and_since_when(updated: SiteFolder) -> None:
    # Catches: the first confidence shown as if it still stood, or the change hidden.
    page = updated.html("predictions/tender/")
    assert text(page, ".claim-facts .confidence") == "40%"
    assert text(page, ".confidence-since") == "since June 15, 2026; first forecast 70%"
    assert page.select_one(".confidence-since time")["datetime"] == "2026-06-15"  # type: ignore[index]


def test_table_lists_every_forecast_with_its_note(updated: SiteFolder) -> None:
    # Catches: the first forecast or a note left out, notes rendered as HTML, another order.
    page = updated.html("predictions/tender/")
    assert rows(page) == [
        ["March 1, 2026", "70%", "First forecast, at publication."],
        ["April 2, 2026", "55%", "The tender was <b>delayed</b>."],
        ["June 15, 2026", "40%", "No note given."],
    ]
    assert page.select_one(".history b") is None
    # As a screen reader names them: a phone's short label ("Conf.") is hidden from it.
    for short in page.select('.history thead [aria-hidden="true"]'):
        short.decompose()
    headers = [th.get_text() for th in page.select(".history thead th")]
    assert headers == ["From", "Confidence", "Why"]


def test_chart_is_named_and_described_for_screen_readers(updated: SiteFolder) -> None:
    # Catches: an SVG a screen reader skips or reads as a bag of numbers.
    page = updated.html("predictions/tender/")
    svg = chart(page)
    assert svg["role"] == "img"
    title_id, desc_id = str(svg["aria-labelledby"]).split()
    title, desc = page.find(id=title_id), page.find(id=desc_id)
    assert isinstance(title, Tag) and isinstance(desc, Tag)
    assert title.name == "title" and title.parent is svg
    assert title.get_text() == "How the author\u2019s confidence changed: Tender"
    assert desc.get_text() == (
        "The author\u2019s confidence that it will happen: 70% from March 1, 2026 (first"
        " forecast); 55% from April 2, 2026; 40% from June 15, 2026. The last one stands until"
        " the target date, January 1, 2027."
    )
    assert len(page.select(".step-point")) == 3
    # Static: nothing in it runs.
    assert not svg.find_all("script")
    assert not [name for el in svg.find_all(True) for name in el.attrs if name.startswith("on")]


def test_a_prediction_without_updates_looks_as_before(updated: SiteFolder) -> None:
    # Catches: a chart of one flat line, or "since" with no update, on every prediction.
    page = updated.html("predictions/plain/")
    assert text(page, ".claim-facts .confidence") == "30%"
    assert page.select_one(".confidence-since") is None
    assert page.select_one(".history") is None and page.select_one("svg") is None


# The example site ----------------------------------------------------------------------------


def test_example_prediction_with_two_updates(example_site: SiteFolder) -> None:
    """Solar vs coal: 80% on March 2, 2025; 70% on June 10; 92% on October 1; resolved yes on
    February 10, 2026 (before its target date, February 28, so its life ends there).

    Life: March 2, 2025 -> June 10 is 100 days (29 + 30 + 31 + 10: the rest of March, April,
    May, June 1-10), -> October 1 is 113 more (20 + 31 + 31 + 30 + 1), -> February 10, 2026 is
    132 more (30 + 30 + 31 + 31 + 10): 345 days.
    Points, 100 x (1 + log2 q): 80% -> 67.807, 70% -> 48.543, 92% -> 87.971; weighted by days:
    (100 x 67.807 + 113 x 48.543 + 132 x 87.971) / 345 = 23878.2 / 345 = 69.21 -> "+69.2"
    (the first forecast alone would have earned +67.8).
    Brier: (100 x 0.2^2 + 113 x 0.3^2 + 132 x 0.08^2) / 345 = (4 + 10.17 + 0.8448) / 345
    = 0.04352 (the first forecast alone: 0.04).
    Chart: x = 42 + 344 x days / 345 -> 42, 141.71, 254.38; y = 22 + 120 x (1 - c) -> 46, 58,
    31.6; the last step runs to the resolution at x = 386."""
    assert example_site.build() == 0
    page = example_site.html(EXAMPLE)
    assert text(page, ".claim-facts .confidence") == "92%"
    assert text(page, ".confidence-since") == "since October 1, 2025; first forecast 80%"
    assert [row[:2] for row in rows(page)] == [
        ["March 2, 2025", "80%"],
        ["June 10, 2025", "70%"],
        ["October 1, 2025", "92%"],
    ]
    assert all(row[2] for row in rows(page))  # each update says why
    svg = chart(page)
    assert svg.select_one(".step-line")["d"] == "M42 46H141.71V58H254.38V31.6H386"  # type: ignore[index]
    assert svg.select_one(".step-outcome-yes") is not None
    # The same figures from the formula, then as the page shows them.
    weighted = (100 * points(0.8) + 113 * points(0.7) + 132 * points(0.92)) / 345
    assert weighted == pytest.approx(69.21, abs=0.005)
    assert text(page, ".resolution-points .points") == "+69.2 points"
    # Not "80% that it would happen": the points are not the first forecast's.
    assert text(page, ".resolution-points-why") == (
        "(3 forecasts, each counted for the time it stood; how points work)"
    )
    brier = (100 * 0.2**2 + 113 * 0.3**2 + 132 * 0.08**2) / 345
    assert brier == pytest.approx(0.04352, abs=0.000005)
    record = json.loads((example_site.output / "track-record.json").read_text("utf-8"))
    solar = record["predictions"]["solar-overtakes-coal-eu-2025"]
    assert (solar["brier"], solar["first_brier"], solar["points"]) == (0.0435, 0.04, 69.21)
    assert [(u["date"], u["confidence"]) for u in solar["updates"]] == [
        ("2025-06-10", 0.7),
        ("2025-10-01", 0.92),
    ]


def points(p: float) -> float:
    """Points of a forecast `p` of what happened."""
    return 100 * (1 + math.log2(p))
