"""A 300-prediction generated site (benchmarks/generate.py) checks and builds cleanly."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import REPO, SiteFolder
from playwright.sync_api import Browser
from serving import static_site
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


NARROWEST = 360  # the narrowest phone screens in common use


def test_no_page_scrolls_sideways_on_a_narrow_phone(tmp_path: Path, browser: Browser) -> None:
    """At 360 px, the track record's tables with a busy site's long figures (-1023.6 points,
    eight authors) fit the screen, as do the other page kinds with a record. Catches the
    authors table's cells padded as at 390 px: 5 px too wide, the whole page scrolling."""
    site = SiteFolder(tmp_path / "gen")
    generate(site.root, 200, seed=5)
    assert site.build() == 0
    author = sorted((site.output / "authors").glob("*/index.html"))[0].parent.name
    prediction = sorted((site.output / "predictions").glob("*/index.html"))[0].parent.name
    paths = ["", "track-record/", f"authors/{author}/", f"predictions/{prediction}/"]
    too_wide = {}
    with static_site(site.output) as base:
        page = browser.new_page(viewport={"width": NARROWEST, "height": 800})
        for path in paths:
            assert page.goto(base + path).ok, path
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > NARROWEST:
                too_wide[path] = width
    assert too_wide == {}
