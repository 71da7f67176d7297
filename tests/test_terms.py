"""terms.py: the shortcut's term edits, an open prediction's category or tags changed. Each
edit is built by the shortcut and held to a clean build's bytes."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, SITE_YAML, SiteFolder, prediction_text
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from test_incremental import (
    EDITS,
    _clean_build,
    _populate,
    _replace,
    _restore_in_a_fresh_checkout,
)
from test_shortcut import _build

from builder.incremental import shortcut_render

P3, P5, P6 = (f"content/predictions/p{i}.md" for i in (3, 5, 6))

# On _populate's site: odd predictions tagged t1, even t0, all `shared`; p3 and p6 in
# Energy, the others in Space; paginate: 3, so each list shifts across pages.
TERM_EDITS: dict[str, Callable[[SiteFolder], None]] = {
    "a new tag": lambda s: _replace(s, P5, "[t1, shared]", "[t1, shared, fresh]"),
    "a tag taken away": lambda s: _replace(s, P5, "[t1, shared]", "[shared]"),
    "a tag moved": lambda s: _replace(s, P5, "[t1, shared]", "[t0, shared]"),
    "no tags": lambda s: _replace(s, P5, "tags: [t1, shared]\n", ""),
    "another spelling": lambda s: _replace(s, P5, "[t1, shared]", "[t1, Shared]"),
    "an existing category": lambda s: _replace(s, P5, "category: Space", "category: Energy"),
    "a new category": lambda s: _replace(s, P5, "category: Space", "category: Oceans"),
    "a category emptied": lambda s: (
        _replace(s, P3, "category: Energy", "category: Space"),
        _replace(s, P6, "category: Energy", "category: Space"),
    ),
    "a tag and the body": lambda s: (
        _replace(s, P5, "[t1, shared]", "[t1, shared, fresh]"),
        _replace(s, P5, "Body of 5.", "Another body."),
    ),
    "a category and the confidence": lambda s: (
        _replace(s, P5, "category: Space", "category: Energy"),
        _replace(s, P5, "  target_date", "  confidence: 0.7\n  target_date"),
    ),
    "a tag and the title": lambda s: (
        _replace(s, P5, "[t1, shared]", "[t1, shared, fresh]"),
        _replace(s, P5, "Prediction 5", "Renamed"),
    ),
}


@pytest.fixture
def built(site: SiteFolder) -> SiteFolder:
    _populate(site)
    assert _build(site).way == "full"
    return site


@pytest.mark.parametrize("edit", list(TERM_EDITS))
def test_a_term_edit_gives_a_clean_builds_bytes(
    built: SiteFolder, tmp_path: Path, edit: str
) -> None:
    """Catches: a term's list, its other pages (shifted), its feed, the index of terms, the
    sitemap or the exports' tags left as they were; a term's pages left behind when it is
    emptied; a new term without its pages or feed; a term named by its new spelling alone."""
    before = built.files()
    TERM_EDITS[edit](built)
    report = _build(built)
    assert report.way == "shortcut"
    after = built.files()
    assert after == _clean_build(built, tmp_path)
    assert (report.pages, report.files) == (
        sum(path.endswith(".html") for path in after),
        len(after),
    )
    assert after != before


def test_a_term_edit_undone_leaves_nothing_of_it(built: SiteFolder, tmp_path: Path) -> None:
    """A new tag, then a category changed, then both undone: each build by the shortcut.
    Catches: the pages and feed of the tag an earlier shortcut made left behind (the record
    never had them), or the exports' line of an earlier shortcut not found (taken.py)."""
    original = (built.root / P5).read_text(encoding="utf-8")
    TERM_EDITS["a new tag"](built)
    assert _build(built).way == "shortcut"
    assert (built.output / "tags/fresh/feed.xml").exists()
    TERM_EDITS["an existing category"](built)
    assert _build(built).way == "shortcut"
    (built.root / P5).write_text(original, encoding="utf-8")
    assert _build(built).way == "shortcut"
    assert not (built.output / "tags/fresh").exists()
    assert built.files() == _clean_build(built, tmp_path)


def test_a_terms_pages_are_made_whole_only_when_it_changes(
    built: SiteFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """p5 moves from Space to Energy; then p4's title is edited. Catches: every page of the
    terms an earlier shortcut regrouped made again by each shortcut after (two categories
    of 60 pages each at 10,000: a fifth of a second), rather than those showing an edit."""
    TERM_EDITS["an existing category"](built)
    assert _build(built).way == "shortcut"
    rendered: list[str] = []
    real = shortcut_render._rendered

    def recording(site, root, specs):  # type: ignore[no-untyped-def]
        rendered.extend(spec.path for spec in specs)
        return real(site, root, specs)

    monkeypatch.setattr(shortcut_render, "_rendered", recording)
    EDITS["title"](built)  # p4, on Space's first page (p8, p7, p4), not its second
    assert _build(built).way == "shortcut"
    assert "categories/space/index.html" in rendered
    assert "categories/space/page/2/index.html" not in rendered
    assert built.files() == _clean_build(built, tmp_path)


def test_a_term_edit_in_a_restored_checkout_takes_the_shortcut(
    built: SiteFolder, tmp_path: Path
) -> None:
    """A deploy: a fresh checkout, output and cache restored, a tag added since. Catches: the
    term edit known to the stat path only (the restored checkout's edits are found by their
    bytes: restored.py), or its new term's pages missing from the restored output's record."""
    _restore_in_a_fresh_checkout(built, tmp_path)
    TERM_EDITS["a new tag"](built)
    assert _build(built).way == "shortcut"
    assert built.files() == _clean_build(built, tmp_path)
    assert _build(built).way == "up to date"


def test_a_term_left_then_another_edit_elsewhere(built: SiteFolder, tmp_path: Path) -> None:
    """p5 leaves Space for Energy; then p6's title is edited, which no page of Space shows.
    Catches: the feeds of the terms the shortcut before regrouped made again only with their
    pages (Space's pages are as written, its feed, from the record, would bring p5 back)."""
    TERM_EDITS["an existing category"](built)
    assert _build(built).way == "shortcut"
    _replace(built, P6, "Prediction 6", "Sixth, renamed")
    assert _build(built).way == "shortcut"
    assert built.files() == _clean_build(built, tmp_path)


def test_with_search_on_the_filters_follow(site: SiteFolder, tmp_path: Path) -> None:
    """Catches: the search page's filter counts (in the page: search.html) left with the old
    tag, or its shard not indexed again."""
    site.config((site.root / "site.yaml").read_text(encoding="utf-8") + "search: true\n")
    _populate(site)
    assert _build(site).way == "full"
    TERM_EDITS["a new tag"](site)
    assert _build(site).way == "shortcut"
    assert b"fresh" in (site.output / "search/index.html").read_bytes()
    assert site.files() == _clean_build(site, tmp_path)


def test_an_item_new_to_a_terms_feed_has_its_article(site: SiteFolder, tmp_path: Path) -> None:
    """22 predictions under one tag, in a feed of 20: the newest leaves the tag, and the 21st
    joins the feed. Catches: the item made without its article (the record keeps none)."""
    for i in range(1, 23):
        extra = "tags: [many]\n"
        text = prediction_text(f"N{i}", date=f"2026-01-{i:02d}", extra=extra, body=f"Text {i}.\n")
        site.write(f"n{i:02d}.md", text)
    assert _build(site).way == "full"
    _replace(site, "content/predictions/n22.md", "tags: [many]\n", "")
    assert _build(site).way == "shortcut"
    assert b"Text 2." in (site.output / "tags/many/feed.xml").read_bytes()
    assert site.files() == _clean_build(site, tmp_path)


def test_a_terms_name_follows_its_spellings(site: SiteFolder, tmp_path: Path) -> None:
    """p5 alone spells the tag "Shared", which names it (the least spelling); then p5 spells
    it as the others do. Catches: the record's spellings counted with the edited versions'
    old ones still in (the term still named "Shared")."""
    _populate(site)
    _replace(site, P5, "[t1, shared]", "[t1, Shared]")
    assert _build(site).way == "full"
    _replace(site, P5, "[t1, Shared]", "[t1, shared]")
    assert _build(site).way == "shortcut"
    assert site.files() == _clean_build(site, tmp_path)


def test_a_drafts_spelling_does_not_name_the_term(site: SiteFolder, tmp_path: Path) -> None:
    """A draft spells the tag "Shared". Catches: the term named by the least of every
    spelling, the drafts' too (a clean build names it from the published ones)."""
    _populate(site)
    site.write("d.md", prediction_text("Draft", extra="tags: [Shared]\ndraft: true\n"))
    assert _build(site).way == "full"
    _replace(site, P5, "[t1, shared]", "[t1]")
    assert _build(site).way == "shortcut"
    assert site.files() == _clean_build(site, tmp_path)


@pytest.mark.parametrize("where", ["published", "draft"])
def test_a_clash_of_names_is_reported(site: SiteFolder, tmp_path: Path, where: str) -> None:
    """ "shared." and "shared" would share tags/shared/. Catches: the shortcut building the
    edit without the check the full build makes across files, the drafts' names too."""
    _populate(site)
    if where == "draft":
        extra = "tags: [solo.]\ndraft: true\n"
        site.write("d.md", prediction_text("Draft", extra=extra))
    assert _build(site).way == "full"
    clashing = "shared." if where == "published" else "solo"
    _replace(site, P5, "[t1, shared]", f"[t1, shared, {clashing}]")
    assert site.build() == 1


def test_a_confidence_after_a_category_takes_the_shortcut(
    built: SiteFolder, tmp_path: Path
) -> None:
    """A prediction's category, built, then its confidence: the file now differs from the
    full build's version in both. Catches: each save taken by the shortcut only when it
    differs in one kind of field, the second one sent down the full path."""
    _replace(built, P5, "category: Space", "category: Energy")
    assert _build(built).way == "shortcut"
    _replace(built, P5, "  target_date", "  confidence: 0.7\n  target_date")
    assert _build(built).way == "shortcut"
    assert built.files() == _clean_build(built, tmp_path)


def test_a_resolved_predictions_tag_takes_the_full_path(built: SiteFolder, tmp_path: Path) -> None:
    """Its tags slice its author's scores (trackrecord/slices.py). Catches: the shortcut
    taken where the track record changes."""
    EDITS["resolve"](built)  # p2
    assert _build(built).way == "full"
    _replace(built, "content/predictions/p2.md", "[t0, shared]", "[t0, shared, fresh]")
    assert _build(built).way == "full"
    assert built.files() == _clean_build(built, tmp_path)


# One edit of an open prediction of _populate's site: (what, which prediction, a name).
STEPS = st.tuples(
    st.sampled_from(["tag added", "tags emptied", "category", "confidence", "title", "undone"]),
    st.integers(3, 5),
    st.sampled_from(["fresh", "Fresh", "shared", "t0", "Space", "Oceans"]),
)


def _step(site: SiteFolder, originals: dict[Path, str], step: tuple[str, int, str]) -> None:
    what, n, name = step
    path = site.root / f"content/predictions/p{n}.md"
    text = originals.setdefault(path, path.read_text(encoding="utf-8"))
    now = path.read_text(encoding="utf-8")
    if what == "undone":
        now = text
    elif what == "tag added":
        now = now.replace("tags: [", f"tags: [{name}, ", 1)
    elif what == "tags emptied":
        now = now.replace(
            now[now.index("tags: [") : now.index("]", now.index("tags: ["))], "tags: ["
        )
    elif what == "confidence":
        confidence = f"  confidence: 0.{n}{len(name)}\n"
        lines = [line for line in now.splitlines(keepends=True) if "  confidence: " not in line]
        now = "".join(lines).replace("  target_date", confidence + "  target_date", 1)
    elif what == "category":
        start = now.index("category: ")
        now = now[:start] + f"category: {name}" + now[now.index("\n", start) :]
    else:
        now = now.replace("title: '", f"title: '{name} ", 1)
    path.write_text(now, encoding="utf-8")


@settings(
    # No shrinking: a failure is shown as found (shrinking builds sites for minutes).
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(STEPS, min_size=2, max_size=4))
def test_any_sequence_of_edits_gives_a_clean_builds_bytes(
    steps: list[tuple[str, int, str]],
) -> None:
    """Random runs of term, confidence, title and undone edits of three predictions, each built and
    held to a clean build's bytes. Catches what the cases above do not name: an edit's
    leftovers once later edits pile up on it (with what taken.py keeps ignored, it fails)."""
    with tempfile.TemporaryDirectory() as folder:
        site = SiteFolder(Path(folder) / "site")
        site.root.mkdir()
        site.config(SITE_YAML)
        shutil.copytree(REPO / "themes", site.root / "themes")
        _populate(site)
        assert _build(site).way == "full"
        originals: dict[Path, str] = {}
        for step in steps:
            _step(site, originals, step)
            assert site.build() == 0
            assert site.files() == _clean_build(site, Path(folder)), step
