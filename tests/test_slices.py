"""Sliced records (issue 17, item 2): the scores of the site and of each author by category,
tag, horizon and year of resolution, in track-record.json and on the pages.

The figures are worked out by hand from the definitions (scoring.py's docstrings): Brier is the
mean of (p - o)^2, points the sum of 100 x (1 + log2 q), accuracy the share on the right side
of 50%.
"""

from __future__ import annotations

import json
import math

from conftest import SITE_YAML, SiteFolder, prediction_text
from test_integrity import _commit, _git

# name: (author, date, target, confidence, outcome, resolution date, category, tags)
# fmt: off
PREDICTIONS = {
    # 50 days: under 3 months
    "a": ("ada", "2026-01-10", "2026-03-01", 0.8, "yes", "2026-03-01", "Energy",
          ["energy", "solar"]),
    # 171 days: 3-12 months
    "b": ("ada", "2026-01-10", "2026-06-30", 0.6, "no", "2026-06-30", "Energy", ["energy", "wind"]),
    # 424 days: over a year
    "c": ("bo", "2025-01-01", "2026-03-01", 0.3, "no", "2026-02-01", "Space", ["wind"]),
    # 92 days exactly: 3-12 months, not under 3 months
    "d": ("ada", "2026-01-01", "2026-04-03", 0.9, "yes", "2026-04-03", "Space", []),
    # 365 days exactly: 3-12 months, not over a year; resolved in 2025
    "e": ("ada", "2025-01-01", "2026-01-01", 0.7, "no", "2025-12-20", "Energy", []),
    # Not scored, so in no slice and counted towards no tag's threshold: open, and void.
    "f": ("ada", "2026-01-10", "2027-06-01", 0.5, None, None, "Energy",
          ["energy", "solar", "wind"]),
    "g": ("ada", "2026-01-10", "2026-05-01", 0.5, "void", "2026-05-01", "Energy", ["solar"]),
}
# fmt: on


def _file(author, date, target, confidence, outcome, resolved, category, tags) -> str:
    nested = f"confidence: {confidence}\n"
    if outcome:
        nested += f"resolution: {{outcome: {outcome}, date: {resolved}}}\n"
    extra = f"category: {category}\ntags: [{', '.join(tags)}]\n"
    return prediction_text(
        date=date, author=author, target=target, extra=extra, prediction_extra=nested
    )


def _build(site: SiteFolder, threshold: int | None = 2) -> dict:
    setting = f"track_record: {{tag_threshold: {threshold}}}\n" if threshold else ""
    site.config(SITE_YAML + setting)
    for name, spec in PREDICTIONS.items():
        site.write(f"{name}.md", _file(*spec))
    assert site.build() == 0
    return json.loads((site.output / "track-record.json").read_text(encoding="utf-8"))


def _points(p: float, happened: bool) -> float:
    return 100 * (1 + math.log2(p if happened else 1 - p))


# Each scored prediction by hand: (Brier, points, right side of 50%).
HAND = {
    "a": ((0.8 - 1) ** 2, _points(0.8, True), True),
    "b": ((0.6 - 0) ** 2, _points(0.6, False), False),
    "c": ((0.3 - 0) ** 2, _points(0.3, False), True),
    "d": ((0.9 - 1) ** 2, _points(0.9, True), True),
    "e": ((0.7 - 0) ** 2, _points(0.7, False), False),
}


def _expect(names: str) -> dict:
    rows = [HAND[n] for n in names]
    return {
        "predictions": len(rows),
        "scored": len(rows),
        "brier": round(sum(r[0] for r in rows) / len(rows), 4),
        "points": round(sum(r[1] for r in rows), 2),
        "accuracy": round(sum(r[2] for r in rows) / len(rows), 4),
    }


def _figures(entry: dict) -> dict:
    return {key: entry[key] for key in ("predictions", "scored", "brier", "points", "accuracy")}


SITE_SLICES = {
    "category": {"energy": "abe", "space": "cd"},
    # solar: one scored (a) of three tagged; below the threshold of 2, so absent
    "tag": {"energy": "ab", "wind": "bc"},
    "horizon": {"under-3-months": "a", "3-12-months": "bde", "over-a-year": "c"},
    "year": {"2025": "e", "2026": "abcd"},
}
AUTHOR_SLICES = {
    # ada's wind holds b alone, bo's c alone: the threshold is each record's own
    "ada": {
        "category": {"energy": "abe", "space": "d"},
        "tag": {"energy": "ab"},
        "horizon": {"under-3-months": "a", "3-12-months": "bde"},
        "year": {"2025": "e", "2026": "abd"},
    },
    "bo": {
        "category": {"space": "c"},
        "tag": {},
        "horizon": {"over-a-year": "c"},
        "year": {"2026": "c"},
    },
}


def _as_figures(slices: dict) -> dict:
    return {
        kind: {key: _figures(entry) for key, entry in found.items()}
        for kind, found in slices.items()
    }


def _expected(slices: dict) -> dict:
    return {
        kind: {key: _expect(names) for key, names in found.items()}
        for kind, found in slices.items()
    }


def test_the_json_holds_every_slice_of_the_site_with_figures_worked_by_hand(
    site: SiteFolder,
) -> None:
    record = _build(site)
    assert _as_figures(record["site"]["slices"]) == _expected(SITE_SLICES)
    assert record["site"]["slices"]["category"]["energy"]["name"] == "Energy"


def test_each_author_has_their_own_slices_and_threshold_count(site: SiteFolder) -> None:
    record = _build(site)
    for author, slices in AUTHOR_SLICES.items():
        assert _as_figures(record["authors"][author]["slices"]) == _expected(slices), author


def test_the_default_threshold_is_five_scored_predictions(site: SiteFolder) -> None:
    record = _build(site, threshold=None)
    assert record["site"]["slices"]["tag"] == {}
    assert set(record["site"]["slices"]["category"]) == {"energy", "space"}


def _rows(soup, kind: str, prefix: str) -> dict[str, tuple[str, ...]]:
    block = soup.select_one(f"#{prefix}-{kind}")
    if block is None:
        return {}
    return {
        row["data-slice"]: tuple(cell.get_text(strip=True) for cell in row.select("th, td"))
        for row in block.select("tr.slice")
    }


def test_the_track_record_page_shows_a_table_and_a_chart_per_slice(site: SiteFolder) -> None:
    _build(site)
    soup = site.html("track-record/")
    tags = _rows(soup, "tag", "site-slices")
    # name, scored, Brier (3 decimals), accuracy, points (1 decimal)
    energy, wind = _expect("ab"), _expect("bc")
    # Points from the unrounded sums: both positive (wind's +16.35 shows as +16.3).
    energy_points, wind_points = (sum(HAND[n][1] for n in names) for names in ("ab", "bc"))
    assert tags == {
        "energy": ("energy", "2", f"{energy['brier']:.3f}", "50%", f"{energy_points:+.1f}"),
        "wind": ("wind", "2", f"{wind['brier']:.3f}", "50%", f"{wind_points:+.1f}"),
    }
    assert "solar" not in tags
    horizons = _rows(soup, "horizon", "site-slices")
    assert list(horizons) == ["under-3-months", "3-12-months", "over-a-year"]
    assert [row[1] for row in horizons.values()] == ["1", "3", "1"]
    charts = soup.select("#site-slices-year .slice-chart")
    assert [c.figcaption.get_text() for c in charts] == [
        "2025: 1 scored forecast",
        "2026: 4 scored forecasts",
    ]
    assert all(c.select_one("svg.cal-chart") for c in charts)


def test_an_author_page_shows_their_slices_and_no_empty_kind(site: SiteFolder) -> None:
    _build(site)
    soup = site.html("authors/bo/")
    assert _rows(soup, "tag", "author-slices") == {}  # no tag reaches the threshold: no table
    assert soup.select_one("#author-slices-tag") is None
    assert list(_rows(soup, "horizon", "author-slices")) == ["over-a-year"]
    assert list(_rows(soup, "category", "author-slices")) == ["space"]


def test_a_prediction_recorded_after_the_fact_is_in_no_slice(site: SiteFolder) -> None:
    """As every score sees it (Site.scored): git shows "e" first committed after its
    resolution, so only "a" is left in Energy and in the slices of its horizon and year."""
    _git(site, "init", "-q", "-b", "main")
    site.config(SITE_YAML + "track_record: {tag_threshold: 1}\n")
    site.write("a.md", _file(*PREDICTIONS["a"]))
    _commit(site, "on time", when="2026-01-10T12:00:00+00:00")
    site.write("e.md", _file(*PREDICTIONS["e"]))
    _commit(site, "after the fact", when="2026-11-20T12:00:00+00:00")
    assert site.build() == 0
    slices = json.loads((site.output / "track-record.json").read_text(encoding="utf-8"))
    assert _as_figures(slices["site"]["slices"]) == _expected(
        {
            "category": {"energy": "a"},
            "tag": {"energy": "a", "solar": "a"},
            "horizon": {"under-3-months": "a"},
            "year": {"2026": "a"},
        }
    )
