"""content/crowd.json in the build: read, checked (path:line: field: message), turned into the
readers' forecast from `crowd.min_votes` votes up, and followed by incremental builds."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import NOW, SITE_YAML, SiteFolder, prediction_text, run_foretell
from test_incremental import _clean_build

from builder.content.crowd import CrowdTally, format_crowd, parse_crowd
from builder.incremental import dispatch
from builder.options import BuildOptions
from builder.trackrecord.crowd import crowd_probability

RESOLVED = "confidence: 0.8\nresolution: {outcome: yes, date: 2026-06-01}\n"


def write_crowd(site: SiteFolder, text: str | bytes) -> Path:
    path = site.root / "content" / "crowd.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def tallies(**slugs: tuple[int, int, int]) -> bytes:
    return format_crowd({slug: CrowdTally(*counts) for slug, counts in slugs.items()})


@pytest.fixture
def resolved(site: SiteFolder) -> SiteFolder:
    """Two resolved predictions and an open one, by Ada."""
    for slug in ("alpha", "beta"):
        text = prediction_text(slug, target="2026-05-01", prediction_extra=RESOLVED)
        site.write(f"{slug}.md", text)
    site.write("open.md", prediction_text("open", prediction_extra="confidence: 0.4\n"))
    return site


def test_the_file_round_trips_one_tally_a_line_sorted() -> None:
    """Catches: unsorted entries, several on a line, a format the reader cannot read back."""
    data = tallies(zeta=(1, 2, 3), alpha=(4, 5, 6))
    assert data.decode().splitlines() == [
        '{"version": 1, "tallies": {',
        '  "alpha": {"maybe": 6, "will": 4, "wont": 5},',
        '  "zeta": {"maybe": 3, "will": 1, "wont": 2}',
        "}}",
    ]
    expected = {"alpha": CrowdTally(4, 5, 6), "zeta": CrowdTally(1, 2, 3)}
    assert parse_crowd(data.decode()) == (expected, [])


def test_the_crowds_probability_leaves_maybe_out_and_waits_for_min_votes() -> None:
    """Catches: "maybe" counted in the denominator; a figure below the minimum; an off-by-one
    at exactly the minimum."""
    assert crowd_probability(CrowdTally(will=6, wont=2, maybe=40), 8) == 0.75
    assert crowd_probability(CrowdTally(will=6, wont=1, maybe=40), 8) is None
    assert crowd_probability(CrowdTally(will=0, wont=0), 0) is None  # never 0 / 0


def test_every_mistake_is_reported_with_its_line_never_a_traceback(resolved: SiteFolder) -> None:
    """`check` and `build` report each mistake as path:line: field: message, all at once.

    Catches: a traceback on a hand-edited file; a wrong line; the first mistake only."""
    write_crowd(
        resolved,
        '{"version": 1, "tallies": {\n'
        '  "alpha": {"maybe": 0, "will": "many", "wont": 2},\n'
        '  "beta": {"maybe": 0, "will": 3, "wont": 2, "wont": 4},\n'
        '  "open": {"will": 1, "wont": 1}\n'
        "}}\n",
    )
    for command in ("check", "build"):
        done = run_foretell(command, "--source", str(resolved.root), "--now", NOW)
        assert done.returncode == 1, done.stdout + done.stderr
        said = done.stdout + done.stderr
        assert "Traceback" not in said
        wrong = 'content/crowd.json:2: tallies.alpha.will: must be a whole number 0 or more'
        assert f'{wrong}, got "many"' in said
        assert "content/crowd.json:3: tallies.beta.wont: appears twice" in said
        assert "content/crowd.json:4: tallies.open.maybe: is required" in said
    write_crowd(resolved, '{"version": 1,\n "tallies": {\n  "alpha": {"will": 1,}\n}}\n')
    done = run_foretell("build", "--source", str(resolved.root), "--now", NOW)
    assert done.returncode == 1
    assert "content/crowd.json:3: not valid JSON" in done.stdout + done.stderr


def test_a_tally_no_prediction_has_is_a_warning(resolved: SiteFolder, capsys) -> None:
    """Catches: a renamed prediction's tally silently dropped, or failing the build."""
    write_crowd(resolved, tallies(alpha=(8, 2, 0), renamed=(3, 3, 3)))
    assert resolved.build() == 0
    said = capsys.readouterr().err
    assert "content/crowd.json:3: tallies.renamed: no prediction has this slug" in said


def test_min_votes_is_a_site_setting_defaulting_to_ten(resolved: SiteFolder) -> None:
    """Catches: the default not 10; the setting ignored; a bad value not reported."""
    write_crowd(resolved, tallies(alpha=(7, 3, 5), beta=(7, 2, 5)))  # 10 and 9 will/won't
    assert resolved.build() == 0
    assert resolved.html("predictions/alpha/").select_one(".crowd-probability").text == "70%"
    assert resolved.html("predictions/beta/").select_one(".crowd-compare") is None
    resolved.config(SITE_YAML + "crowd: {min_votes: 9}\n")
    assert resolved.build() == 0
    assert resolved.html("predictions/beta/").select_one(".crowd-probability").text == "78%"
    resolved.config(SITE_YAML + "crowd: {min_votes: 0, most: 3}\n")
    done = run_foretell("check", "--source", str(resolved.root), "--now", NOW)
    assert done.returncode == 1
    assert "site.yaml:10: crowd.min_votes: must be at least 1, got 0" in done.stderr
    assert "site.yaml:10: crowd.most: unknown key" in done.stderr


def test_no_crowd_file_shows_nothing_of_the_readers(resolved: SiteFolder) -> None:
    """Catches: an empty comparison (0 of 0) or a dangling method entry on a site without
    votes."""
    assert resolved.build() == 0
    record = resolved.html("track-record/")
    assert record.select_one("#site-crowd") is None and record.select_one("#crowd") is None
    assert resolved.html("predictions/alpha/").select_one(".crowd-compare") is None
    data = json.loads((resolved.output / "track-record.json").read_text())
    assert data["site"]["crowd"] == {
        "author": {"accuracy": None, "brier": None, "points": 0.0},
        "beaten": 0,
        "crowd": {"accuracy": None, "brier": None, "points": 0.0},
        "predictions": 0,
        "tied": 0,
    }


def _build(site: SiteFolder) -> str:
    return dispatch.build(BuildOptions(site.root, dt.date.fromisoformat(NOW))).way


def test_a_new_snapshot_rebuilds_exactly_what_shows_it(
    resolved: SiteFolder, tmp_path: Path
) -> None:
    """A change to content/crowd.json is an input: the incremental build gives a clean build's
    bytes, re-rendering the pages that show the changed figures and not the others.

    Catches: crowd.json unseen by the up-to-date check; a page key without the crowd's figures
    (a stale page); every page re-rendered for one tally."""
    write_crowd(resolved, tallies(alpha=(8, 2, 0)))
    assert _build(resolved) == "full"
    before = resolved.files()
    write_crowd(resolved, tallies(alpha=(8, 2, 0), beta=(1, 9, 0)))
    assert _build(resolved) == "full"
    after = resolved.files()
    assert after == _clean_build(resolved, tmp_path)
    changed = {path for path in after if after[path] != before[path]}
    shown = {"predictions/beta/index.html", "track-record.json", "track-record/index.html"}
    assert shown <= changed
    assert "authors/ada/index.html" in changed  # its comparison with the readers
    assert "predictions/alpha/index.html" not in changed
    assert "predictions/open/index.html" not in changed


def test_a_body_edit_keeps_the_readers_figures(resolved: SiteFolder, tmp_path: Path) -> None:
    """The body-edit shortcut renders a page from its record: the crowd must be in it.

    Catches: the shortcut rendering a resolved page without the readers' forecast."""
    write_crowd(resolved, tallies(alpha=(8, 2, 0)))
    assert _build(resolved) == "full"
    path = resolved.root / "content/predictions/alpha.md"
    path.write_text(path.read_text() + "\nA second paragraph.\n")
    assert _build(resolved) == "shortcut"
    assert resolved.files() == _clean_build(resolved, tmp_path)
    assert resolved.html("predictions/alpha/").select_one(".crowd-probability").text == "80%"


def test_the_readers_are_scored_on_the_authors_scored_predictions_only(
    resolved: SiteFolder,
) -> None:
    """A resolved prediction without the author's confidence shows the readers' figure, but is
    left out of the comparison: both rows are over the same predictions.

    Catches: the readers scored on predictions the author is not scored on."""
    unstated = "resolution: {outcome: yes, date: 2026-06-01}\n"
    text = prediction_text("u", target="2026-05-01", prediction_extra=unstated)
    resolved.write("unstated.md", text)
    write_crowd(resolved, tallies(alpha=(7, 3, 0), unstated=(9, 1, 0)))
    assert resolved.build() == 0
    assert resolved.html("predictions/unstated/").select_one(".crowd-probability").text == "90%"
    data = json.loads((resolved.output / "track-record.json").read_text())
    assert data["authors"]["ada"]["crowd"] == {
        "predictions": 1,
        "beaten": 1,  # 0.8 against 0.7, and it happened
        "tied": 0,
        "author": {"accuracy": 1.0, "brier": 0.04, "points": 67.81},
        "crowd": {"accuracy": 1.0, "brier": 0.09, "points": 48.54},  # (0.7 - 1)^2; 0.7
    }
