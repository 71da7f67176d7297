"""The up-to-date check: what day it is without site.yaml, and the outputs stat-ed aside."""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import SITE_YAML, SiteFolder, build_in_a_fresh_python, prediction_text

from builder.cli import main
from builder.incremental import freshness
from builder.options import BuildOptions
from builder.system.files import StatsProbe, stat_files

# 25 hours apart: whatever the real time, the date differs between them.
EAST, WEST = "Pacific/Kiritimati", "Pacific/Pago_Pago"


def _build_without_now(site: SiteFolder) -> int:
    return main(["build", "--source", str(site.root)])


def test_today_follows_a_time_zone_edited_since_the_last_build(site: SiteFolder) -> None:
    """Catches: the last build's time zone (kept so a no-op need not read site.yaml) still
    used after site.yaml changed it."""
    site.write("a.md", prediction_text("A"))
    site.config(SITE_YAML.replace("timezone: UTC", f"timezone: {EAST}"))
    assert _build_without_now(site) == 0
    assert freshness.check(BuildOptions(site.root)).today == dt.datetime.now(ZoneInfo(EAST)).date()
    site.config(SITE_YAML.replace("timezone: UTC", f"timezone: {WEST}"))
    fresh = freshness.check(BuildOptions(site.root))
    assert fresh.today == dt.datetime.now(ZoneInfo(WEST)).date()
    assert not fresh.up_to_date  # a sanity check: site.yaml's new stat alone ensures this


def test_a_no_op_without_now_reads_no_yaml(site: SiteFolder) -> None:
    """Catches: the no-op path parsing site.yaml (and importing PyYAML) just to learn today's
    date, when the last build's time zone is still right."""
    site.write("a.md", prediction_text("A"))
    assert _build_without_now(site) == 0
    result, printed = build_in_a_fresh_python(
        site.root, watch=["yaml", "builder.config.siteconfig"]
    )
    assert result == "0 []", printed
    assert "Up to date" in printed


def test_the_stats_probe_answers_for_the_files_as_they_are(tmp_path: Path) -> None:
    """Catches: a probe that says "unchanged" whatever the child found, or that answers for
    the files as they were before it started."""
    for name in ("a.html", "b/c.html"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(name)
    recorded = stat_files(tmp_path, ["a.html", "b/c.html"])
    assert StatsProbe(tmp_path, recorded).same()
    (tmp_path / "b" / "c.html").write_text("edited by hand")
    assert not StatsProbe(tmp_path, recorded).same()
    (tmp_path / "b" / "c.html").unlink()
    assert not StatsProbe(tmp_path, recorded).same()
    StatsProbe(tmp_path, recorded).discard()  # not waited for: must not hang or raise


@pytest.mark.parametrize("which", [0, 5, 9])  # the child's share, its last file, the caller's
def test_the_stats_probe_sees_a_change_in_either_cores_share(tmp_path: Path, which: int) -> None:
    """Catches: a probe whose child and caller split the files and one share is never looked
    at (or looked at by neither), so an output edited by hand passes for the build's."""
    names = [f"f{i}.html" for i in range(10)]
    for name in names:
        (tmp_path / name).write_text(name)
    recorded = stat_files(tmp_path, names)
    assert StatsProbe(tmp_path, recorded).same()
    (tmp_path / names[which]).write_text("edited by hand, longer")
    assert not StatsProbe(tmp_path, recorded).same()


def test_the_stats_probe_does_not_fork_beside_other_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches: forking while another thread runs (its locks would be held forever in the
    child; Python 3.12 warns about it), instead of taking the stats in place."""
    (tmp_path / "a.html").write_text("a")
    recorded = stat_files(tmp_path, ["a.html"])

    def no_fork() -> int:
        raise AssertionError("forked beside another thread")

    monkeypatch.setattr(os, "fork", no_fork)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert StatsProbe(tmp_path, recorded).same()
        (tmp_path / "a.html").write_text("edited")
        assert not StatsProbe(tmp_path, recorded).same()
    finally:
        release.set()
        other.join()
