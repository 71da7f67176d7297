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


def _rows(page, heading: str) -> dict[str, list[str]]:
    """The rows of the table in the section titled by `heading`: name -> cells."""
    return {
        row.th.get_text(strip=True): [td.get_text(strip=True) for td in row.select("td")]
        for row in page.select(f"section[aria-labelledby={heading}] .record-table tr")
        if row.th is not None and row.th.get("scope") == "row"
    }


def _figures(soup) -> dict[str, str]:
    return {
        name: soup.select_one(f".record-{name}").get_text(strip=True)
        for name in ("predictions", "resolved", "brier", "accuracy", "points")
    }


def test_track_record_page_table_and_site_totals(built: SiteFolder) -> None:
    """Catches: wrong formulas, void or unstated predictions scored, drafts or open ones
    counted as resolved, and a site row that is not the sum of every author's forecasts."""
    page = built.html("track-record/")
    assert _rows(page, "authors-heading") == {
        "Ada Quill": ["6", "4", "0.163", "67%", "+84.2"],
        "Bo Ek": ["1", "1", "0.810", "0%", "\u2212232.2"],
        "All authors": ["7", "5", "0.325", "50%", "\u2212148.0"],
    }
    # Without updates, the Brier score over time and the first forecasts' are the same.
    assert _rows(page, "brier-heading") == {
        "Ada Quill": ["0.163", "0.163"],
        "Bo Ek": ["0.810", "0.810"],
        "All authors": ["0.325", "0.325"],
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
    assert [c.get_text() for c in chart.select(".cal-label")] == ["0 of 1", "0 of 1", "1 of 1"]
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
    """The box reads its figures from the author's figures.json (author_figures.py).
    Catches: a file counting only this page's prediction, or missing points/accuracy; "0
    points"/"0%" for an author with nothing scored (a dash: no result is not a bad one); a box
    pointing at another author's file."""
    for slug in ("a-open", "a-right"):
        box = built.html(f"predictions/{slug}/").select_one(".author-box")
        assert box.select_one("dl.author-stats")["data-figures"] == "../../authors/ada/figures.json"
    shown = {"predictions": "6", "points": "+84.2", "accuracy": "67%"}
    assert _author_figures(built, "ada") == shown
    built.write("b-open.md", prediction_text("b-open", author="bo"))
    built.config(built.root.joinpath("site.yaml").read_text() + "  cy: {name: Cy}\n")
    built.write("c-open.md", prediction_text("c-open", author="cy"))
    assert built.build() == 0
    assert _author_figures(built, "cy") == {"predictions": "1", "points": "—", "accuracy": "—"}


def _author_figures(site: SiteFolder, author: str) -> dict[str, str]:
    return json.loads((site.output / "authors" / author / "figures.json").read_text())


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
        "brier": 0.04,  # (0.8 - 1)^2
        "confidence": 0.8,
        "crowd": None,  # no content/crowd.json
        "date": "2026-01-01",
        "evidence": None,
        "first_brier": 0.04,
        "history": None,  # not in git
        "late": False,  # nothing claimed outside git
        "outcome": "yes",
        "points": 67.81,
        "resolution_date": "2026-06-01",
        "statement": "Something will happen.",
        "target_date": "2026-05-01",
        "timestamp": None,  # no token (test_timestamps.py has them)
        "updates": [],
        "url": "predictions/a-right/",
    }
    assert (ada["first_brier"], data["site"]["first_brier"]) == (0.1633, 0.325)
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
    """Catches: outputs keyed without the record, so the author page and the figures the
    author boxes show keep the old points after an incremental build."""
    path = built.root / "content/predictions/a-wrong.md"
    path.write_text(path.read_text().replace("confidence: 0.6", "confidence: 0.4"))
    assert built.build() == 0
    assert built.files() == _clean_build(built, tmp_path)
    assert _author_figures(built, "ada")["accuracy"] == "100%"


# Bo's second prediction, updated twice (the hand-worked case of test_scoring): published
# 2026-01-01 at 0.6, 0.8 from 2026-03-02, 0.9 from 2026-03-22; target 2026-04-11, resolved yes
# on 2026-05-20, after the target, so its life ends at the target: 0.6 for 60 days, 0.8 for 20,
# 0.9 for 20, shares 0.6, 0.2, 0.2.
#   Brier 0.6 x 0.16 + 0.2 x 0.04 + 0.2 x 0.01 = 0.106; first forecast alone (0.6 - 1)^2 = 0.16.
#   Points 0.6 x 26.3034 + 0.2 x 67.8072 + 0.2 x 84.7997 = 46.3034.
# Bo (with b-wrong, 0.9 no: Brier 0.81, points -232.1928): Brier (0.81 + 0.106) / 2 = 0.458,
# first (0.81 + 0.16) / 2 = 0.485, points -232.1928 + 46.3034 = -185.8894, accuracy by weight
# 1 right of 2 = 50%.
# The site: Brier (0.49 + 0.81 + 0.106) / 5 = 0.2812, first (0.49 + 0.81 + 0.16) / 5 = 0.292,
# points 84.1571 - 232.1928 + 46.3034 = -101.7323, accuracy (2 + 0 + 1) / 5 = 60%.
UPDATED = """\
confidence: 0.6
updates:
  - {date: 2026-03-02, confidence: 0.8, note: "The tender was signed."}
  - {date: 2026-03-22, confidence: 0.9}
resolution: {outcome: yes, date: 2026-05-20}
"""


def _with_updates(site: SiteFolder) -> None:
    site.write(
        "b-updated.md",
        prediction_text(
            "b-updated", author="bo", date="2026-01-01", target="2026-04-11",
            prediction_extra=UPDATED,
        ),
    )  # fmt: skip


def test_track_record_json_weighs_each_forecast_by_the_time_it_stood(built: SiteFolder) -> None:
    """Catches: updates missing from the JSON, the last or first confidence scored alone, an
    unweighted mean, a life running to the late resolution, an author's first-forecast Brier
    that is not the mean of the first forecasts, and calibration weights that do not add up to
    the number of scored predictions."""
    _with_updates(built)
    assert built.build() == 0
    data = json.loads((built.output / "track-record.json").read_bytes())
    entry = data["predictions"]["b-updated"]
    assert entry["updates"] == [
        {"date": "2026-03-02", "confidence": 0.8, "note": "The tender was signed."},
        {"date": "2026-03-22", "confidence": 0.9, "note": None},
    ]
    assert (entry["confidence"], entry["brier"], entry["first_brier"]) == (0.6, 0.106, 0.16)
    assert entry["points"] == 46.3
    bo = data["authors"]["bo"]
    assert (bo["brier"], bo["first_brier"], bo["points"], bo["accuracy"]) == (
        0.458, 0.485, -185.89, 0.5,
    )  # fmt: skip
    site = data["site"]
    assert (site["scored"], site["brier"], site["first_brier"], site["points"]) == (
        5, 0.2812, 0.292, -101.73,
    )  # fmt: skip
    assert site["accuracy"] == 0.6
    weights = [b["weight"] for b in site["calibration"]]
    assert math.fsum(weights) == pytest.approx(5)
    # 60-70%: a-wrong's 0.6 (no, weight 1) and b-updated's 0.6 (yes, its share 0.6): weight
    # 1.6, of which 0.6 came true: 0.6 / 1.6 = 37.5% (not 1 of 2 = 50%, a count would say).
    # 80-90%: a-right's 0.8 (1) and b-updated's 0.8 (0.2), both true: 1.2 of 1.2.
    # 90-100%: b-wrong's 0.9 (no, 1) and b-updated's 0.9 (yes, 0.2). 30-40%: a-right-no's 0.3.
    # 1 + 1.6 + 1.2 + 1.2 = 5, the number scored.
    bins = {k: b for k, b in enumerate(site["calibration"]) if b["count"]}
    assert {k: (b["count"], b["weight"], b["yes_weight"]) for k, b in bins.items()} == {
        3: (1, 1.0, 0.0),
        6: (2, 1.6, 0.6),
        8: (2, 1.2, 1.2),
        9: (2, 1.2, 0.2),
    }
    assert bins[6]["frequency"] == 0.375


def test_track_record_page_shows_both_brier_figures(built: SiteFolder) -> None:
    """Catches: a page showing one Brier figure for both, the first-forecast figure from the
    wrong record, points on the prediction page that are not the time-weighted ones, and the
    two figures left unexplained."""
    _with_updates(built)
    assert built.build() == 0
    page = built.html("track-record/")
    assert _rows(page, "brier-heading") == {
        "Ada Quill": ["0.163", "0.163"],
        "Bo Ek": ["0.458", "0.485"],
        "All authors": ["0.281", "0.292"],
    }
    assert _rows(page, "authors-heading")["Bo Ek"] == ["2", "2", "0.458", "50%", "\u2212185.9"]
    note = page.select_one("section[aria-labelledby=brier-heading] .record-note").get_text()
    for words in ("whole life", "share of the time it stood", "published with"):
        assert words in note
    method = page.select_one(".method")
    assert method.select_one("#first-brier") is not None
    assert "share of that time during which it stood" in method.get_text()
    box = built.html("predictions/b-updated/").select_one(".resolution .points")
    assert box.get_text(strip=True) == "+46.3 points"


def test_an_update_rebuilds_the_record_as_a_clean_build(built: SiteFolder, tmp_path: Path) -> None:
    """Catches: page keys or the JSON's memo missing the first-forecast figure or the updates,
    so an incremental build keeps the old figures. a-wrong (0.6, resolved no on 2026-06-01,
    target 2026-05-01, published 2026-01-03) updated to 0.2 on 2026-03-04: 0.6 for 60 days,
    0.2 for 58 (to the target): Brier (60 x 0.36 + 58 x 0.04) / 118 = 23.92 / 118 = 0.2027;
    Ada's (0.04 + 0.09 + 0.2027) / 3 = 0.1109, first forecasts still 0.1633."""
    path = built.root / "content/predictions/a-wrong.md"
    text = path.read_text().replace(
        "confidence: 0.6\n",
        "confidence: 0.6\n  updates:\n    - {date: 2026-03-04, confidence: 0.2}\n",
    )
    path.write_text(text)
    assert built.build() == 0
    assert built.files() == _clean_build(built, tmp_path)
    data = json.loads((built.output / "track-record.json").read_bytes())
    assert data["predictions"]["a-wrong"]["brier"] == 0.2027
    assert (data["authors"]["ada"]["brier"], data["authors"]["ada"]["first_brier"]) == (
        0.1109, 0.1633,
    )  # fmt: skip
    assert _rows(built.html("track-record/"), "brier-heading")["Ada Quill"] == ["0.111", "0.163"]


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
