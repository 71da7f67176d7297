"""The shortcut with search on (builder/incremental/reindex.py): the edited predictions' shards
indexed again, and nothing else, with the bytes of a clean build."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
import sys
from pathlib import Path

import pytest
from conftest import NOW, SiteFolder
from test_incremental import _clean_build, _replace
from test_search import SEARCH_ON, _populate

from builder.incremental import cache, dispatch, reindex
from builder.incremental.cache import CACHE_DIR
from builder.options import BuildOptions
from builder.render import search
from builder.render.pagefind import index_batches
from builder.system import pickles
from builder.write.ownership import read_record

P3 = "content/predictions/p3.md"


@pytest.fixture
def indexed(site: SiteFolder, monkeypatch) -> list[list[str]]:
    """A site of 8 predictions in 4 shards, built; the list of the batches (their documents'
    URLs) the shortcut gives Pagefind from then on."""
    monkeypatch.setattr(search, "SHARD_SIZE", 2)
    site.config(SEARCH_ON)
    _populate(site)
    assert _way(site) == "full"
    batches: list[list[str]] = []

    def recording(given, language, processes=1):
        batches.extend([doc.url for doc in batch] for batch in given)
        return index_batches(given, language, processes)

    monkeypatch.setattr(reindex, "index_batches", recording)
    return batches


def _way(site: SiteFolder) -> str:
    return dispatch.build(BuildOptions(site.root, dt.date.fromisoformat(NOW))).way


def _shard_urls(slug: str) -> list[str]:
    shards = search.shard_count(8)
    return [
        f"/predictions/p{i}/"
        for i in range(1, 9)
        if search.shard_of(f"p{i}", shards) == search.shard_of(slug, shards)
    ]


def _texts(out: Path) -> dict[str, str]:
    """url -> the text Pagefind stored of it."""
    found = {}
    for path in out.glob("pagefind/**/fragment/*.pf_fragment"):
        data = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd") :])
        found[data["url"]] = data["content"]
    return found


def test_a_body_edit_indexes_its_shard_again_by_the_shortcut(
    site: SiteFolder, indexed: list[list[str]], tmp_path: Path
) -> None:
    """Catches: the shortcut leaving the index with the old body (or refusing search sites,
    the full path's 3.5 s at 10,000), indexing every shard, or a shard's documents in
    another order than a clean build's (other bytes)."""
    _replace(site, P3, "zebrafish3", "quokka3")
    assert _way(site) == "shortcut"
    assert [sorted(batch) for batch in indexed] == [sorted(_shard_urls("p3"))]
    assert site.files() == _clean_build(site, tmp_path)
    assert "quokka3" in _texts(site.output)["/predictions/p3/"]


def test_the_gil_is_handed_over_often_while_pagefind_runs_and_as_before_after(
    site: SiteFolder, indexed: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches: the thread talking to Pagefind starved by the rendering (the GIL handed over
    every 5 ms: 0.56 s for a shard indexed in 0.33 s alone); the interval left changed
    after the build."""
    during: list[float] = []
    real = reindex.index_batches
    monkeypatch.setattr(
        reindex,
        "index_batches",
        lambda *a, **k: (during.append(sys.getswitchinterval()), real(*a, **k))[1],
    )
    before = sys.getswitchinterval()
    _replace(site, P3, "zebrafish3", "quokka3")
    assert _way(site) == "shortcut"
    assert during == [pytest.approx(reindex.SWITCH_INTERVAL)] and before > reindex.SWITCH_INTERVAL
    assert sys.getswitchinterval() == before


def test_an_edit_no_document_shows_indexes_nothing(
    site: SiteFolder, indexed: list[list[str]], tmp_path: Path
) -> None:
    """Catches: Pagefind run for an edit the index does not show (a confidence)."""
    _replace(site, P3, "  target_date", "  confidence: 0.35\n  target_date")
    assert _way(site) == "shortcut"
    assert indexed == []
    assert site.files() == _clean_build(site, tmp_path)


def test_the_next_shortcut_indexes_only_what_changed_since(
    site: SiteFolder, indexed: list[list[str]], tmp_path: Path
) -> None:
    """Catches: each shortcut indexing again the shards of every file edited since the full
    build (it takes them all again), or the shortcut's account of what it indexed outliving
    the next full build."""
    other = next(i for i in range(1, 9) if f"/predictions/p{i}/" not in _shard_urls("p3"))
    _replace(site, P3, "zebrafish3", "quokka3")
    assert _way(site) == "shortcut"
    indexed.clear()
    _replace(site, f"content/predictions/p{other}.md", f"zebrafish{other}", "wombat")
    assert _way(site) == "shortcut"
    assert [sorted(batch) for batch in indexed] == [sorted(_shard_urls(f"p{other}"))]
    assert site.files() == _clean_build(site, tmp_path)
    assert (site.root / CACHE_DIR / cache.SEARCH_SINCE).exists()
    _replace(site, "site.yaml", "Test Desk", "Other Desk")
    assert _way(site) == "full"
    assert not (site.root / CACHE_DIR / cache.SEARCH_SINCE).exists()
    assert site.files() == _clean_build(site, tmp_path)


def test_the_old_bundles_files_leave_the_output_its_record_and_the_manifest(
    site: SiteFolder, indexed: list[list[str]]
) -> None:
    """Catches: a shard's files of before left behind (or still listed as the build's), so
    that the output grows with each edit and the next build trusts files that are gone."""
    before = set(site.files())
    _replace(site, P3, "zebrafish3", "quokka3")
    assert _way(site) == "shortcut"
    after = set(site.files())
    assert before - after  # the old fragment of p3, and the index files that named it
    manifest = cache.load_manifest(site.root)
    assert set(manifest.outputs) == after - {".foretell-output.json"}
    assert read_record(site.output) == set(manifest.outputs)
    assert _way(site) == "up to date"


def test_without_its_shards_inputs_the_edit_takes_the_full_path(
    site: SiteFolder, indexed: list[list[str]], tmp_path: Path
) -> None:
    """Catches: a shortcut indexing a shard from nothing (an index missing every other
    prediction) when the inputs the full build left are gone; and a full build that does
    not leave them again."""
    shutil.rmtree(site.root / CACHE_DIR / cache.SEARCH)
    _replace(site, P3, "zebrafish3", "quokka3")
    assert _way(site) == "full"
    assert site.files() == _clean_build(site, tmp_path)
    assert len(list((site.root / CACHE_DIR / cache.SEARCH).iterdir())) == search.shard_count(8)


def test_search_off_leaves_no_shard_inputs(site: SiteFolder) -> None:
    """Catches: the inputs of a site's shards kept after search is turned off (megabytes at
    10,000 predictions, never read)."""
    site.config(SEARCH_ON)
    _populate(site, 2)
    assert _way(site) == "full"
    assert list((site.root / CACHE_DIR / cache.SEARCH).iterdir())
    _replace(site, "site.yaml", "search: true", "search: false")
    assert _way(site) == "full"
    assert not list((site.root / CACHE_DIR / cache.SEARCH).iterdir())


def test_after_an_upgrade_the_shortcut_finds_the_shards_inputs_again(
    site: SiteFolder, indexed: list[list[str]], monkeypatch
) -> None:
    """A new foretell (another cache version) takes the full path once, and the shortcut from
    then on. Catches: the shards' inputs kept under their shard's key alone, so the full
    build after an upgrade leaves them in the old version's pickles, which the shortcut
    cannot read: every edit of a search site then took the full path (3.6 s at 10,000)."""
    monkeypatch.setattr(pickles, "VERSION", pickles.VERSION + " / the next version")
    assert _way(site) == "full"  # another version's cache: used for nothing
    _replace(site, P3, "zebrafish3", "quokka3")
    assert _way(site) == "shortcut"
