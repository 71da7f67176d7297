"""`track-record.csv`: read back with Python's csv module, it holds the figures of
`track-record.json`, one row per published prediction in slug order, and it follows every edit
an incremental build sees.

The small site below is worked out by hand:
- "d-updated" (Ada), published 2026-01-01 at 30%, updated to 60% on January 31, resolved yes on
  May 1, its target: 30 of 120 days at 30% (share 0.25), 90 at 60% (0.75).
  Brier 0.25 x 0.7^2 + 0.75 x 0.4^2 = 0.1225 + 0.12 = 0.2425;
  points 0.25 x 100 (1 + log2 0.3) + 0.75 x 100 (1 + log2 0.6)
       = 0.25 x -73.6966 + 0.75 x 26.3034 = -18.4241 + 19.7276 = 1.30.
- "a-plain" (Ada), 80%, resolved no on 2026-03-01: Brier 0.64, points 100 (1 + log2 0.2) =
  -132.19 (the CSV writes the minus sign as is: a number, not a formula).
- "b-open" (Bo), 55%, open; "c-void" (Bo), 40%, void; "e-draft", a draft: no row.
"""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
from pathlib import Path

import pytest
from conftest import SITE_YAML, SiteFolder, prediction_text
from test_integrity import LATE, LATE_TEXT, _commit, _git

COLUMNS = [
    "question", "author", "created", "target_date", "confidence", "current_confidence",
    "resolution", "resolution_date", "brier", "points", "tags", "url",
    "crowd_confidence", "crowd_brier", "crowd_points",
]  # fmt: skip
QUOTED = 'Rates will fall, then "pause", before June.'  # a comma and quotes: quoted
HOSTILE = '=HYPERLINK("https://evil.example", "click")'


def read_csv(site: SiteFolder) -> list[dict[str, str]]:
    data = (site.output / "track-record.csv").read_bytes()
    assert b"\r" not in data  # "\n" line ends, whatever the platform
    reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
    assert reader.fieldnames == COLUMNS
    return list(reader)


def read_json(site: SiteFolder) -> dict:
    return json.loads((site.output / "track-record.json").read_bytes())


def number(cell: str) -> float | None:
    return None if cell == "" else float(cell)


@pytest.fixture
def small(site: SiteFolder) -> SiteFolder:
    resolved = "resolution: {outcome: %s, date: %s}\n"
    site.write("d-updated.md", prediction_text(
        "d", date="2026-01-01", target="2026-05-01", statement=QUOTED,
        extra="tags: [rates, europe]\n",
        prediction_extra="confidence: 0.3\nupdates:\n  - {date: 2026-01-31, confidence: 0.6}\n"
        + resolved % ("yes", "2026-05-01"),
    ))  # fmt: skip
    site.write("a-plain.md", prediction_text(
        "a", date="2026-01-05", target="2026-03-01", statement=HOSTILE,
        prediction_extra="confidence: 0.8\n" + resolved % ("no", "2026-03-01"),
    ))  # fmt: skip
    site.write("b-open.md", prediction_text(
        "b", author="bo", extra="tags: [space]\n", prediction_extra="confidence: 0.55\n"
    ))  # fmt: skip
    site.write("c-void.md", prediction_text(
        "c", author="bo", date="2026-02-01", target="2026-06-01",
        prediction_extra="confidence: 0.4\n" + resolved % ("void", "2026-06-02"),
    ))  # fmt: skip
    site.write("e-draft.md", prediction_text("e", extra="draft: true\n"))
    assert site.build() == 0
    return site


def test_rows_hold_the_figures_worked_out_by_hand(small: SiteFolder) -> None:
    """Catches: the first forecast's Brier score or points in place of the time-weighted ones,
    a missing or reordered column, drafts exported, rows out of slug order, quoting that breaks
    a statement with commas or quotes, and empty cells written as "None"."""
    rows = read_csv(small)
    assert [row["url"] for row in rows] == [
        f"https://test.example.org/predictions/{slug}/"
        for slug in ("a-plain", "b-open", "c-void", "d-updated")
    ]
    updated = rows[3]
    assert updated == {
        "question": QUOTED,
        "author": "Ada Quill",
        "created": "2026-01-01",
        "target_date": "2026-05-01",
        "confidence": "0.3",
        "current_confidence": "0.6",
        "resolution": "yes",
        "resolution_date": "2026-05-01",
        "brier": "0.2425",
        "points": "1.3",
        "tags": "rates;europe",
        "url": "https://test.example.org/predictions/d-updated/",
        # No content/crowd.json: no readers' forecast (test_votes_snapshot.py has one).
        "crowd_confidence": "",
        "crowd_brier": "",
        "crowd_points": "",
    }
    hand = 0.25 * 100 * (1 + math.log2(0.3)) + 0.75 * 100 * (1 + math.log2(0.6))
    assert number(updated["points"]) == round(hand, 2)
    plain = rows[0]
    assert (plain["brier"], plain["points"]) == ("0.64", "-132.19")
    assert (rows[1]["resolution"], rows[1]["brier"], rows[1]["points"]) == ("", "", "")
    assert rows[1]["tags"] == "space" and rows[2]["tags"] == ""
    assert (rows[2]["resolution"], rows[2]["resolution_date"], rows[2]["brier"]) == (
        "void", "2026-06-02", "",
    )  # fmt: skip


def test_drafts_have_no_row_even_in_preview(small: SiteFolder) -> None:
    """Catches: a --drafts preview that exports a draft readers will never see."""
    assert small.build("--drafts", "--clean") == 0
    assert small.html("predictions/e-draft/").select_one("h1") is not None  # previewed
    assert "e-draft" not in (small.output / "track-record.csv").read_text(encoding="utf-8")
    assert len(read_csv(small)) == 4


def test_a_formula_in_a_statement_stays_text(small: SiteFolder) -> None:
    """Catches: a statement written as is, which a spreadsheet would run as a formula (CSV
    injection): it gets a leading apostrophe; negative points stay numbers."""
    plain = read_csv(small)[0]
    assert plain["question"] == "'" + HOSTILE
    assert plain["points"].startswith("-")


def test_the_csv_and_the_json_agree(example_site: SiteFolder) -> None:
    """The example site, with its updated prediction, void one and open ones: every row parses
    into the JSON's figures for the same prediction. Catches any column computed differently
    from the JSON (unrounded, first-forecast, another author's name, a relative URL)."""
    assert example_site.build() == 0
    rows = read_csv(example_site)
    data = read_json(example_site)
    predictions = data["predictions"]
    base = data["site"]["url"]
    assert [row["url"] for row in rows] == [base + p["url"] for _, p in sorted(predictions.items())]
    assert any(p["updates"] for p in predictions.values())  # time-weighted figures are tested
    for row, (slug, entry) in zip(rows, sorted(predictions.items()), strict=True):
        current = entry["updates"][-1]["confidence"] if entry["updates"] else entry["confidence"]
        assert {
            "question": row["question"],
            "author": row["author"],
            "created": row["created"],
            "target_date": row["target_date"],
            "confidence": number(row["confidence"]),
            "current_confidence": number(row["current_confidence"]),
            "resolution": row["resolution"] or None,
            "resolution_date": row["resolution_date"] or None,
            "brier": number(row["brier"]),
            "points": number(row["points"]),
        } == {
            "question": entry["statement"],
            "author": data["authors"][entry["author"]]["name"],
            "created": entry["date"],
            "target_date": entry["target_date"],
            "confidence": entry["confidence"],
            "current_confidence": current,
            "resolution": entry["outcome"],
            "resolution_date": entry["resolution_date"],
            "brier": entry["brier"],
            "points": entry["points"],
        }, slug


def test_the_csv_is_byte_identical_across_builds(small: SiteFolder, tmp_path: Path) -> None:
    first = (small.output / "track-record.csv").read_bytes()
    copy = SiteFolder(tmp_path / "copy")
    shutil.copytree(small.root, copy.root, ignore=shutil.ignore_patterns("output", ".foretell"))
    assert copy.build() == 0
    assert (copy.output / "track-record.csv").read_bytes() == first


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_incremental_build_follows_every_edit(small: SiteFolder) -> None:
    """Catches: the file's inputs or a row's memo key missing what a row shows: the outcome,
    the author's name, the site's URL (each edit is followed by an incremental build, and
    the rows must read as a clean build's)."""
    _replace(small.root / "content/predictions/b-open.md", "confidence: 0.55\n",
             "confidence: 0.55\n  resolution: {outcome: yes, date: 2026-11-01}\n")  # fmt: skip
    assert small.build() == 0
    opened = read_csv(small)[1]
    assert (opened["resolution"], opened["brier"]) == ("yes", "0.2025")  # (1 - 0.55)^2
    _replace(small.root / "site.yaml", '"Bo Ek"', '"Bo Ekström"')
    assert small.build() == 0
    assert [row["author"] for row in read_csv(small)] == [
        "Ada Quill", "Bo Ekström", "Bo Ekström", "Ada Quill",
    ]  # fmt: skip
    _replace(small.root / "site.yaml", "https://test.example.org", "https://desk.example.net")
    assert small.build() == 0
    assert read_csv(small)[0]["url"] == "https://desk.example.net/predictions/a-plain/"


def test_a_commit_alone_unscores_a_prediction_recorded_after_the_fact(site: SiteFolder) -> None:
    """A prediction resolved on its target date, July 1, at 90%: scored as stated (Brier
    0.01) while git cannot vouch for it; committed on November 20, after the fact, it is left
    out of every score, as in the JSON, though its file did not change; with include_late it
    counts again. Catches the file's inputs or a row's memo key without the prediction's
    history or the site's rules."""
    _git(site, "init", "-q", "-b", "main")
    site.write("late.md", LATE_TEXT)
    assert site.build() == 0
    (row,) = read_csv(site)
    assert (row["brier"], row["points"]) == ("0.01", "84.8")
    _commit(site, "after the fact", when=LATE)
    assert site.build() == 0
    (row,) = read_csv(site)
    assert (row["resolution"], row["brier"], row["points"]) == ("yes", "", "")
    late = read_json(site)["predictions"]["late"]
    assert (late["late"], late["brier"], late["points"]) == (True, None, None)
    # A site that counts them all the same: scored again (a row kept from before would not be).
    site.config(SITE_YAML + "track_record: {include_late: true}\n")
    assert site.build() == 0
    (row,) = read_csv(site)
    assert (row["brier"], row["points"]) == ("0.01", "84.8")
