"""The shortcut's forecast edits (builder/incremental/forecasts.py): a new confidence or update
of an open prediction takes the shortcut and gives a clean build's bytes, exports included;
an edit that moves a figure of the site (a resolved prediction's forecast, a prediction no
longer recorded after the fact) takes the full path."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import NOW, SiteFolder, prediction_text
from test_display import _built_as_clean
from test_incremental import EDITS, _clean_build, _populate, _replace
from test_integrity import _commit, _git
from test_shortcut import _build

from builder.cli import main
from builder.options import BuildOptions
from builder.serve.rebuild import Rebuilder

EXPORTS = ("track-record.json", "track-record.csv")


@pytest.fixture
def built(site: SiteFolder) -> SiteFolder:
    _populate(site)
    assert _build(site).way == "full"
    return site


def _update(site: SiteFolder, slug: str, confidence: str, day: str = "2026-05-01") -> None:
    args = ["update", slug, "--confidence", confidence, "--date", day, "--force"]
    assert main([*args, "--source", str(site.root), "--now", NOW]) == 0


def test_an_update_takes_the_shortcut_with_a_clean_builds_bytes(
    built: SiteFolder, tmp_path: Path
) -> None:
    """Catches: exports left with the old forecasts, or rewritten whole from a stale record
    (every other line would have to match too: the clean build's bytes)."""
    EDITS["confidence"](built)  # p3: 0.35
    EDITS["statement"](built)  # p6: the full build
    assert _build(built).way == "full"
    before = built.files()
    _update(built, "p3", "0.65")
    report = _build(built)
    assert report.way == "shortcut"
    after = built.files()
    assert after == _clean_build(built, tmp_path)
    changed = {path for path in after if after[path] != before[path]}
    assert set(EXPORTS) <= changed
    assert {"predictions/p3/index.html", "predictions/p3/card.png"} <= changed


def test_forecast_edits_since_the_full_build_are_all_kept(
    built: SiteFolder, tmp_path: Path
) -> None:
    """Two predictions, one after the other: the second shortcut finds the first one's lines
    already in the exports. Catches: a patch that looks only for the full build's lines."""
    EDITS["confidence"](built)  # p3
    assert _build(built).way == "shortcut"
    _replace(
        built, "content/predictions/p5.md", "  target_date", "  confidence: 0.7\n  target_date"
    )
    _built_as_clean(built, tmp_path, "shortcut")


def test_a_prediction_whose_forecast_changes_twice_takes_the_shortcut_twice(
    built: SiteFolder, tmp_path: Path
) -> None:
    """Its exports' line is of neither the full build's version nor this one, but the one
    the shortcut before wrote. Catches: that line not kept (taken.Taken.lines), so that the
    shortcut cannot tell what to replace and takes the full path."""
    EDITS["confidence"](built)  # p3: 0.35
    assert _build(built).way == "shortcut"
    _replace(built, "content/predictions/p3.md", "confidence: 0.35", "confidence: 0.45")
    _built_as_clean(built, tmp_path, "shortcut")


def test_a_resolved_predictions_forecast_takes_the_full_path(
    built: SiteFolder, tmp_path: Path
) -> None:
    """Catches: a scored forecast taken for an open one (the scores would stay as they were)."""
    EDITS["resolve scored"](built)  # p4, 0.8, resolved yes
    assert _build(built).way == "full"
    _replace(built, "content/predictions/p4.md", "confidence: 0.8", "confidence: 0.3")
    _built_as_clean(built, tmp_path, "full")


def test_serve_takes_forecast_edits_in_memory(built: SiteFolder, tmp_path: Path) -> None:
    rebuilder = Rebuilder(BuildOptions(built.root, dt.date.fromisoformat(NOW)))
    rebuilder.files()
    EDITS["confidence"](built)  # p3
    assert rebuilder.files() == _clean_build(built, tmp_path)
    assert rebuilder.way == "shortcut"
    _update(built, "p3", "0.6")
    assert rebuilder.files() == _clean_build(built, tmp_path)
    assert rebuilder.way == "shortcut"


@pytest.fixture
def repo(site: SiteFolder) -> SiteFolder:
    """Two open predictions: "ontime" committed before its target date; "overdue" after it,
    and so recorded after the fact (its author's `late` counts it)."""
    _git(site, "init", "-q", "-b", "main")
    extra = "confidence: 0.6\n"
    site.write("ontime.md", prediction_text("On time", target="2026-10-01", prediction_extra=extra))
    site.write(
        "overdue.md",
        prediction_text("Overdue", date="2025-12-01", target="2026-01-05", prediction_extra=extra),
    )
    _commit(site, "publish")  # 2026-01-10
    return site


def test_in_git_an_uncommitted_forecast_is_vouched_for_as_the_history_says(
    repo: SiteFolder, tmp_path: Path
) -> None:
    """The history of the edited file is read again: it now differs from its commit, so its
    page says so. Catches: the record's history (of the committed version) kept."""
    assert _build(repo).way == "full"
    _replace(repo, "content/predictions/ontime.md", "confidence: 0.6", "confidence: 0.7")
    _built_as_clean(repo, tmp_path, "shortcut")


def test_a_forecast_edit_that_changes_a_late_count_takes_the_full_path(
    repo: SiteFolder, tmp_path: Path
) -> None:
    """An uncommitted edit leaves nothing for git to vouch for: "overdue" is no longer
    recorded after the fact, and its author's count of late predictions changes. Catches:
    the shortcut taken anyway (the track record and the exports' figures would be stale)."""
    assert _build(repo).way == "full"
    _replace(repo, "content/predictions/overdue.md", "confidence: 0.6", "confidence: 0.7")
    _built_as_clean(repo, tmp_path, "full")
