"""Track records on the built site: the figures pages show, the chart, track-record.json.

The site below is scored by hand:
- Ada: 0.8 yes, 0.3 no, 0.6 no (scored), one void, one open, one resolved without a confidence.
  Brier ((0.2)^2 + (0.3)^2 + (0.6)^2) / 3 = 0.49 / 3 = 0.163; accuracy 2/3 = 67%;
  points 100 (1 + log2 0.8) + 100 (1 + log2 0.7) + 100 (1 + log2 0.4)
       = 67.807 + 48.543 - 32.193 = +84.2 (84.16).
- Bo: 0.9 no. Brier 0.81; accuracy 0%; points 100 (1 + log2 0.1) = -232.2.
- The site: 4 scored; Brier (0.49 + 0.81) / 4 = 0.325; accuracy 2/4 = 50%; points -148.0.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from conftest import SiteFolder, prediction_text
from test_incremental import _clean_build

from builder.render.templates import brier, signed_points
from builder.trackrecord import scoring

RESOLVED = "resolution: {outcome: %s, date: 2026-06-01}\n"


def _scored(confidence: float | None, outcome: str | None) -> str:
    lines = "" if confidence is None else f"confidence: {confidence}\n"
    return lines + (RESOLVED % outcome if outcome else "")


def _populate(site: SiteFolder) -> None:
    ada = [
        ("a-right", 0.8, "yes"),
        ("a-right-no", 0.3, "no"),
        ("a-wrong", 0.6, "no"),
        ("a-void", 0.9, "void"),
        ("a-open", 0.7, None),
        ("a-unstated", None, "yes"),
    ]
    for index, (slug, confidence, outcome) in enumerate(ada, start=1):
        site.write(
            f"{slug}.md",
            prediction_text(
                slug,
                date=f"2026-01-{index:02d}",
                prediction_extra=_scored(confidence, outcome),
                target="2026-05-01" if outcome else "2027-05-01",
            ),
        )
    site.write(
        "b-wrong.md",
        prediction_text(
            "b-wrong", author="bo", target="2026-05-01", prediction_extra=_scored(0.9, "no")
        ),
    )


@pytest.fixture
def built(site: SiteFolder) -> SiteFolder:
    _populate(site)
    assert site.build() == 0
    return site


def _sorted(keys: list[str]) -> dict:
    assert keys == sorted(keys)
    return {}


def _figures(soup) -> dict[str, str]:
    return {
        name: soup.select_one(f".record-{name}").get_text(strip=True)
        for name in ("predictions", "resolved", "brier", "accuracy", "points")
    }


def test_track_record_page_table_and_site_totals(built: SiteFolder) -> None:
    """Catches: wrong formulas, void or unstated predictions scored, drafts or open ones
    counted as resolved, and a site row that is not the sum of every author's forecasts."""
    page = built.html("track-record/")
    rows = {
        row.th.get_text(strip=True): [td.get_text(strip=True) for td in row.select("td")]
        for row in page.select(".record-table tr")
        if row.th is not None and row.th.get("scope") == "row"
    }
    assert rows == {
        "Ada Quill": ["6", "4", "0.163", "67%", "+84.2"],
        "Bo Ek": ["1", "1", "0.810", "0%", "\u2212232.2"],
        "All authors": ["7", "5", "0.325", "50%", "\u2212148.0"],
    }
    assert page.select_one(".record-table tbody a")["href"] == "../authors/ada/"
    # The site-wide chart: a circle per non-empty bin: 30-40%, 60-70%, 80-90%, 90-100%.
    chart = page.select_one("figure.calibration svg.cal-chart")
    assert len(chart.select("circle.cal-point")) == 4
    method = page.select_one(".method").get_text(" ", strip=True)
    for words in ("Brier score", "lower is better", "log₂", "exactly 50%", "ten bins", "void"):
        assert words in method
    nav = [a["href"] for a in built.html("").select(".site-nav a")]
    assert "track-record/" in nav


def test_author_page_shows_record_and_chart_on_page_one(built: SiteFolder) -> None:
    """Catches: an author page without figures or chart, a chart not inlined (escaped SVG
    text instead of markup), another author's figures."""
    page = built.html("authors/ada/")
    assert _figures(page) == {
        "predictions": "6",
        "resolved": "4",
        "brier": "0.163",
        "accuracy": "67%",
        "points": "+84.2",
    }
    chart = page.select_one("#track-record svg.cal-chart")
    assert chart is not None and chart["role"] == "img"
    assert "Ada Quill" in chart.title.get_text()
    assert [c.get_text() for c in chart.select(".cal-label")] == ["n=1", "n=1", "n=1"]
    # paginate is 3: page 2 lists the rest, without repeating the record.
    assert built.html("authors/ada/page/2/").select_one(".record-figures") is None
    bo = built.html("authors/bo/")
    assert bo.select_one(".record-points").get_text(strip=True) == "\u2212232.2"


def test_resolved_prediction_page_shows_outcome_date_evidence_and_points(
    site: SiteFolder,
) -> None:
    """Catches: points missing or of the wrong sign, the evidence link dropped, points shown
    for a void prediction (it earns none)."""
    site.write(
        "won.md",
        prediction_text(
            "Won",
            prediction_extra="confidence: 0.8\nresolution:\n  outcome: yes\n  date: 2026-06-02\n"
            "  evidence: https://evidence.example/won\n",
            target="2026-05-01",
        ),
    )
    site.write(
        "void.md",
        prediction_text("Void", prediction_extra=_scored(0.8, "void"), target="2026-05-01"),
    )
    assert site.build() == 0
    box = site.html("predictions/won/").select_one(".claim .resolution")
    assert "it happened" in box.select_one(".resolution-outcome").get_text()
    assert box.select_one("time")["datetime"] == "2026-06-02"
    assert box.select_one("a.resolution-evidence")["href"] == "https://evidence.example/won"
    assert box.select_one(".points").get_text(strip=True) == "+67.8 points"
    void = site.html("predictions/void/").select_one(".resolution")
    assert void.select_one(".points") is None
    assert "earns no points" in void.get_text()


def test_author_box_shows_predictions_points_accuracy_on_every_page(built: SiteFolder) -> None:
    """Catches: a box counting only this page's prediction, or missing points/accuracy; and
    "0 points"/"0%" for an author with nothing scored (a dash: no result is not a bad one)."""
    for slug in ("a-open", "a-right"):
        box = built.html(f"predictions/{slug}/").select_one(".author-box")
        assert box.select_one(".author-stats dd").get_text() == "6"
        assert box.select_one(".author-points").get_text(strip=True) == "+84.2"
        assert box.select_one(".author-accuracy").get_text(strip=True) == "67%"
    built.write("b-open.md", prediction_text("b-open", author="bo"))
    built.config(built.root.joinpath("site.yaml").read_text() + "  cy: {name: Cy}\n")
    built.write("c-open.md", prediction_text("c-open", author="cy"))
    assert built.build() == 0
    box = built.html("predictions/c-open/").select_one(".author-box")
    assert box.select_one(".author-points").get_text(strip=True) == "—"
    assert box.select_one(".author-accuracy").get_text(strip=True) == "—"


def test_track_record_json(built: SiteFolder) -> None:
    """Catches: missing fields, unrounded floats, unsorted keys, drafts listed."""
    built.write(
        "draft.md",
        prediction_text("draft", extra="draft: true\n", prediction_extra=_scored(0.9, "yes")),
    )
    assert built.build() == 0
    raw = (built.output / "track-record.json").read_bytes()
    data = json.loads(raw)
    # Every mapping's keys sorted; one prediction per line, so diffs show what changed.
    json.loads(raw, object_pairs_hook=lambda pairs: _sorted([k for k, _ in pairs]))
    lines = raw.decode().splitlines()
    assert sum(line.startswith('    "a-') for line in lines) == 6
    ada = data["authors"]["ada"]
    assert {k: ada[k] for k in ("predictions", "resolved", "void", "brier", "accuracy")} == {
        "predictions": 6,
        "resolved": 4,
        "void": 1,
        "brier": 0.1633,
        "accuracy": 0.6667,
    }
    assert ada["points"] == 84.16
    assert [b["count"] for b in ada["calibration"]] == [0, 0, 0, 1, 0, 0, 1, 0, 1, 0]
    assert data["site"]["points"] == -148.04
    assert set(data["predictions"]) == {
        "a-right", "a-right-no", "a-wrong", "a-void", "a-open", "a-unstated", "b-wrong",
    }  # fmt: skip
    assert data["predictions"]["a-right"] == {
        "author": "ada",
        "confidence": 0.8,
        "date": "2026-01-01",
        "evidence": None,
        "history": None,  # not in git
        "outcome": "yes",
        "points": 67.81,
        "resolution_date": "2026-06-01",
        "statement": "Something will happen.",
        "target_date": "2026-05-01",
        "url": "predictions/a-right/",
    }
    assert data["predictions"]["a-void"]["points"] is None
    assert data["predictions"]["a-open"]["outcome"] is None


def test_json_is_byte_identical_across_builds(built: SiteFolder, tmp_path: Path) -> None:
    """Catches: dict order from disk order, clock values, float noise."""
    first = (built.output / "track-record.json").read_bytes()
    other = tmp_path / "other"
    assert built.build("--clean", "--output", str(other)) == 0
    assert (other / "track-record.json").read_bytes() == first


def test_drafts_never_count_even_in_preview(built: SiteFolder) -> None:
    """Catches: a --drafts preview that shows a record readers will never see."""
    built.write(
        "draft.md",
        prediction_text("draft", extra="draft: true\n", prediction_extra=_scored(0.99, "yes")),
    )
    assert built.build("--drafts") == 0
    assert built.html("authors/ada/").select_one(".record-points").get_text() == "+84.2"


def test_records_are_computed_once_per_build(
    site: SiteFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches: scoring per page (an O(n) scan for each of n pages is far too slow at scale):
    two authors and the site make three calls, however many pages there are."""
    _populate(site)
    for i in range(30):
        site.write(f"x{i}.md", prediction_text(f"x{i}", prediction_extra=_scored(0.6, "yes")))
    calls = []
    real = scoring.score

    def counting(forecasts):
        calls.append(1)
        return real(forecasts)

    monkeypatch.setattr("builder.trackrecord.records.score", counting)
    assert site.build() == 0
    assert len(calls) == 3


def test_changing_a_resolved_confidence_updates_every_page_of_that_author(
    built: SiteFolder, tmp_path: Path
) -> None:
    """Catches: page keys that miss the record, so the author page and the author boxes of
    the author's other predictions keep the old points after an incremental build."""
    path = built.root / "content/predictions/a-wrong.md"
    path.write_text(path.read_text().replace("confidence: 0.6", "confidence: 0.4"))
    assert built.build() == 0
    assert built.files() == _clean_build(built, tmp_path)
    box = built.html("predictions/a-open/").select_one(".author-box")
    assert box.select_one(".author-accuracy").get_text(strip=True) == "100%"


def test_figures_are_rounded_as_by_hand() -> None:
    """Catches: f"{x:.3f}", which shows 0.037 for the Brier score of 0.25 no, 0.9 yes, 0.8 yes
    (0.0375 by hand; 0.03749999999999999 in floats); and points without their sign."""
    value = math.fsum([(0.25 - 0) ** 2, (0.9 - 1) ** 2, (0.8 - 1) ** 2]) / 3
    assert f"{value:.3f}" == "0.037"  # the trap
    assert brier(value) == "0.038"
    assert brier(0.25) == "0.250"
    assert [signed_points(v) for v in (58.496, -148.0357, 0.04, -0.04)] == [
        "+58.5",
        "\u2212148.0",
        "0",
        "0",
    ]
