"""builder/serve/searching.py: serve's search index, made after the rebuild, not waited for.

Each test drives serve's LiveSite in process on a site with `search: true`, Pagefind held
(`held`) where the test needs to see the site served before the index follows."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import threading
from collections.abc import Iterator, Mapping

import pytest
from conftest import NOW, SiteFolder
from serving import wait_for
from test_incremental import _clean_build, _replace
from test_search import SEARCH_ON, _populate

from builder.errors import BuildFailed, Problem
from builder.options import BuildOptions
from builder.render import search
from builder.serve.state import LiveSite, RebuildResult

P3 = "content/predictions/p3.md"


@pytest.fixture
def live(site: SiteFolder) -> Iterator[LiveSite]:
    site.config(SEARCH_ON)
    _populate(site)
    live = LiveSite(BuildOptions(site.root, dt.date.fromisoformat(NOW)))
    assert live.rebuild().ok  # the first build waits for Pagefind: searchable at once
    yield live
    live.close()


def _texts(files: Mapping[str, bytes]) -> dict[str, str]:
    """url -> the text the served index holds of it."""
    found = {}
    for path, data in files.items():
        if path.startswith(search.FOLDER) and path.endswith(".pf_fragment"):
            fragment = json.loads(gzip.decompress(data)[len(b"pagefind_dcd") :])
            found[fragment["url"]] = fragment["content"]
    return found


def _index(files: Mapping[str, bytes] | None) -> dict[str, bytes]:
    assert files is not None
    return {path: files[path] for path in files if path.startswith(search.FOLDER)}


def test_the_first_build_is_served_with_a_clean_builds_index(
    live: LiveSite, site: SiteFolder, tmp_path
) -> None:
    """Catches: the index left out of serve's site, or made only after it was served."""
    clean = _clean_build(site, tmp_path, NOW)
    assert _index(live.snapshot.files) == _index(clean) != {}


@pytest.mark.parametrize("way", ["shortcut", "full"])
def test_an_edit_is_served_before_pagefind_is_done_and_the_index_follows(
    live: LiveSite, site: SiteFolder, tmp_path, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    """Catches: a rebuild that waits for Pagefind (with it held, it never returns), an index
    never made again (after the shortcut, or from a site that misses the edit), open pages
    reloaded for it, or the files an open search page loaded gone when the new ones come."""
    released = threading.Event()
    index_missing = search.index_missing

    def held(*args: object) -> object:
        assert released.wait(10)
        return index_missing(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(search, "index_missing", held)
    before = _index(live.snapshot.files)
    _replace(site, P3, "zebrafish3", "quokka3")
    if way == "full":
        _replace(site, P3, "category: Energy", "category: Zoology")
    assert live.rebuild().ok and live.builder.way == way  # Pagefind held: served all the same
    served = live.snapshot
    assert (
        served.files is not None and "quokka3" in served.files["predictions/p3/index.html"].decode()
    )
    assert "zebrafish3" in _texts(served.files)["/predictions/p3/"]  # the index as it was
    released.set()
    wait_for(lambda: "quokka3" in _texts(live.snapshot.files)["/predictions/p3/"], timeout=20,  # type: ignore[arg-type]
             what="the index to follow")  # fmt: skip
    now = live.snapshot
    assert now.build_id == served.build_id  # no reload for it
    index = _index(now.files)
    assert index.keys() >= before.keys()  # every file an open search page may still ask for
    clean = _index(_clean_build(site, tmp_path, NOW))
    assert index.items() >= clean.items()  # and what a page loaded now reads, as built


def test_a_pagefind_that_fails_after_a_rebuild_fails_the_build(
    live: LiveSite, site: SiteFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches: the failure lost on the index's thread (the index silently stale)."""
    problem = Problem("site.yaml", None, "search", "the search index could not be made (no)")

    def failing(*args: object) -> object:
        raise BuildFailed([problem])

    monkeypatch.setattr(search, "index_missing", failing)
    told: list[RebuildResult] = []
    live.late = told.append
    _replace(site, P3, "zebrafish3", "quokka3")
    assert live.rebuild().ok
    wait_for(lambda: told, timeout=10, what="the failure to be told")
    assert live.snapshot.problems == (problem,) == told[0].errors
