"""Dates after today in the front matter (builder/content/future.py): each a warning at its
line, today being `--now`; and an edit that writes one takes the full build, which warns."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SiteFolder, prediction_text
from test_display import _built_as_clean
from test_shortcut import _build

# NOW is 2026-11-25.
LATER = (
    "confidence: 0.6\n"
    "updates:\n"
    "  - {date: 2026-12-20, confidence: 0.7}\n"
    "resolution: {outcome: yes, date: 2026-12-24}\n"
)


def test_each_date_after_today_is_a_warning_at_its_line(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: no warning (the page shows the 70% as standing and the outcome as known), a
    warning without its line or field, and today taken from the clock rather than --now."""
    text = prediction_text("Ahead", date="2026-11-26", target="2026-12-22", prediction_extra=LATER)
    site.write("ahead.md", text)
    assert site.check() == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "is after today" in line]
    where = "warning: content/predictions/ahead.md"
    assert warnings == [
        f"{where}:3: date: 2026-11-26 is after today (2026-11-25): the prediction is shown as "
        "published on a day still to come",
        f"{where}:10: prediction.updates.0.date: 2026-12-20 is after today (2026-11-25): its "
        "page shows this forecast as the one standing now",
        f"{where}:11: prediction.resolution.date: 2026-12-24 is after today (2026-11-25): its "
        "page shows the outcome as known before that day",
    ]
    assert site.build() == 0  # a warning: the site builds
    assert capsys.readouterr().err.count("is after today") == 3
    assert site.check("--now", "2026-12-24") == 0
    assert "is after today" not in capsys.readouterr().err


def test_an_update_dated_after_today_takes_the_full_build(site: SiteFolder, tmp_path: Path) -> None:
    """The shortcut would keep the last full build's warnings, without this one (catches the
    edit taken as a forecast edit: the warning missing until the next full build)."""
    site.write(
        "p.md", prediction_text("P", target="2027-06-01", prediction_extra="confidence: 0.4\n")
    )
    assert _build(site).way == "full"
    path = site.root / "content/predictions/p.md"
    update = "  updates:\n    - {date: 2026-12-01, confidence: 0.6}\n"
    path.write_text(path.read_text(encoding="utf-8").replace("---\nBody", update + "---\nBody"))
    report = _build(site)
    assert report.way == "full"
    [warning] = [str(w) for w in report.warnings if "is after today" in w.message]
    assert warning.startswith("content/predictions/p.md:10: prediction.updates.0.date:")
    _built_as_clean(site, tmp_path, "up to date")
