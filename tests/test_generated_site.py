"""A 300-prediction generated site (benchmarks/generate.py) checks and builds cleanly."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import REPO, SiteFolder
from test_links import crawl

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate


def test_three_hundred_predictions_build_cleanly(tmp_path: Path, capsys) -> None:
    site = SiteFolder(tmp_path / "gen")
    generate(site.root, 300, seed=7)
    assert site.check() == 0
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().err
    assert site.build() == 0
    pages = list((site.output / "predictions").glob("*/index.html"))
    drafts = sum("draft: true" in p.read_text() for p in (site.root / "content").rglob("*.md"))
    assert len(pages) == 300 - drafts
    seen, broken = crawl(site.output)
    assert broken == []
    assert {f"http://local.test/predictions/{p.parent.name}/" for p in pages} <= seen


def test_the_floor_benchmark_still_runs(tmp_path: Path, capsys) -> None:
    """Catches: benchmarks/floor.py going stale as the builder's modules change (it is run
    by hand, so nothing else would notice), or losing one of its four stages."""
    from floor import main as floor

    generate(tmp_path / "gen", 12, seed=3)
    assert floor(["--site", str(tmp_path / "gen"), "--scale", "100", "--cores", "2"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    stages = [row.split("|")[1].strip() for row in rows[2:-1]]
    assert [s.split(":")[0] for s in stages] == ["markdown-it-py", "PyYAML", "Jinja", "icalendar"]
