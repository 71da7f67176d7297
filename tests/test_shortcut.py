"""The body-edit shortcut: taken exactly when only article bodies changed, and then the bytes
of a clean build, feeds included."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import NOW, SiteFolder, prediction_text
from test_incremental import _clean_build, _populate, _replace

from builder.incremental import cache, dispatch, edits, shortcut
from builder.incremental.cache import CACHE_DIR
from builder.options import BuildOptions, Report
from builder.serve.rebuild import Rebuilder
from builder.system import pickles

P8 = "content/predictions/p8.md"  # the newest: in the main feeds and its terms' feeds
P3 = "content/predictions/p3.md"


def _build(site: SiteFolder) -> Report:
    return dispatch.build(BuildOptions(site.root, dt.date.fromisoformat(NOW)))


def _append(site: SiteFolder, relative: str, text: str) -> None:
    path = site.root / relative
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.fixture
def built(site: SiteFolder) -> SiteFolder:
    _populate(site)
    assert _build(site).way == "full"
    return site


def test_a_body_edit_takes_the_shortcut_and_gives_a_clean_builds_bytes(
    built: SiteFolder, tmp_path: Path
) -> None:
    """Catches: feeds still carrying the old body, a page not rendered again, the article's
    other outputs (lists, calendar) wrongly touched."""
    before = built.files()
    _append(built, P8, "\nA second paragraph, with a [link](https://example.org/x).\n")
    report = _build(built)
    assert report.way == "shortcut"
    after = built.files()
    assert after == _clean_build(built, tmp_path)
    changed = {path for path in after if after[path] != before[path]}
    assert "predictions/p8/index.html" in changed
    assert {"feed.xml", "atom.xml", "categories/space/feed.xml"} <= changed
    assert report.changed == len(changed)


EDGES: dict[str, tuple[Callable[[SiteFolder], None], bool]] = {
    "two bodies": (lambda s: (_append(s, P8, "\nMore.\n"), _append(s, P3, "\nMore.\n")), True),
    "touched, same bytes": (lambda s: (s.root / P3).touch(), True),
    # The first paragraph is the summary that list pages show: a display edit (display.py).
    "first paragraph": (lambda s: _replace(s, P3, "Body of 3.", "A new summary."), True),
    "title": (lambda s: _replace(s, P3, "Prediction 3", "Renamed"), True),
    "body and title": (
        lambda s: (_append(s, P8, "\nMore.\n"), _replace(s, P3, "Prediction 3", "Renamed")),
        True,
    ),
    "statement": (lambda s: _replace(s, P3, "statement: ", "statement: Surely "), False),
    # An open prediction's terms: terms.py (test_terms).
    "tag added": (lambda s: _replace(s, P3, "tags: [", "tags: [added, "), True),
    # An open prediction's forecasts: forecasts.py.
    "confidence": (
        lambda s: _replace(s, P3, "  target_date:", "  confidence: 0.3\n  target_date:"),
        True,
    ),
    "body and site.yaml": (
        lambda s: (_append(s, P8, "\nMore.\n"), _replace(s, "site.yaml", "Test Desk", "Desk")),
        False,
    ),
    "body and a new file": (
        lambda s: (_append(s, P8, "\nMore.\n"), s.write("p9.md", prediction_text("Ninth"))),
        False,
    ),
    "body with a problem": (lambda s: _append(s, P8, "\nSee [7].\n"), False),
}


@pytest.mark.parametrize("edge", list(EDGES))
def test_the_shortcut_is_taken_only_for_body_edits(
    built: SiteFolder, tmp_path: Path, edge: str
) -> None:
    """Catches: a shortcut taken when what it cannot make must change too (a statement is
    in the exports and the claims timestamps sign; a new file shifts lists), or not taken
    for the edits it makes."""
    edit, expected = EDGES[edge]
    edit(built)
    if edge == "body with a problem":
        assert built.build() == 1  # a citation without a reference: the build refuses
        return
    assert (_build(built).way == "shortcut") is expected
    assert built.files() == _clean_build(built, tmp_path)


def _warnings_of_a_clean_build(site: SiteFolder, tmp: Path) -> list[str]:
    _clean_build(site, tmp)  # into tmp/clean-copy
    report = dispatch.build(BuildOptions(tmp / "clean-copy", dt.date.fromisoformat(NOW)))
    assert report.way == "up to date"
    return [str(w) for w in report.warnings]


def test_a_file_with_a_warning_takes_the_shortcut_and_its_warnings_follow(
    built: SiteFolder, tmp_path: Path
) -> None:
    """A prediction with a reference its text never cites (a warning) is edited: its title,
    then its body, which now cites it. Catches: the shortcut declining every file that has
    a warning (half the files of a site with thousands of them: the full path, 3.3 s at
    10,000); a report, or the next no-op's, that keeps the warnings of the version before."""
    references = "references:\n  - {title: One}\n  - {title: Two}\nprediction:"
    _replace(built, P3, "prediction:", references)
    _replace(built, P3, "Body of 3.", "Body of 3 [1].")
    warned = _build(built)  # the references added: a display edit
    assert warned.way == "shortcut"
    assert [w.path for w in warned.warnings] == [P3]  # reference 2 is never cited
    still = _build(built)  # the full build's manifest has none: its amendment has this one
    assert (still.way, still.warnings) == ("up to date", warned.warnings)
    _replace(built, P3, "Prediction 3", "Renamed")
    report = _build(built)
    assert report.way == "shortcut"
    assert [str(w) for w in report.warnings] == [str(w) for w in warned.warnings]
    _replace(built, P3, "Body of 3 [1].", "Body of 3 [1] [2].")
    report = _build(built)
    assert (report.way, report.warnings) == ("shortcut", [])
    assert built.files() == _clean_build(built, tmp_path)
    assert _warnings_of_a_clean_build(built, tmp_path) == []
    again = _build(built)
    assert (again.way, again.warnings) == ("up to date", [])
    _replace(built, P3, "Body of 3 [1] [2].", "Body of 3.")  # both uncited now
    report = _build(built)
    assert report.way == "shortcut"
    assert [str(w) for w in report.warnings] == _warnings_of_a_clean_build(built, tmp_path)
    assert len(report.warnings) == 2


def test_serve_follows_a_files_warnings_in_memory(built: SiteFolder) -> None:
    """Catches: serve's shortcut leaving the terminal the warnings of the full rebuild."""
    references = "references:\n  - {title: One}\nprediction:"
    _replace(built, P3, "prediction:", references)
    rebuilder = Rebuilder(BuildOptions(built.root, dt.date.fromisoformat(NOW)))
    rebuilder.files()
    assert [w.path for w in rebuilder.warnings] == [P3]
    _replace(built, P3, "Body of 3.", "Body of 3 [1].")
    rebuilder.files()
    assert (rebuilder.way, rebuilder.warnings) == ("shortcut", [])


P9 = "content/predictions/p9.md"
DRAFT = prediction_text("A draft", extra="draft: true\ncategory: Space\n", body="Draft body.\n")


@pytest.fixture
def with_a_draft(site: SiteFolder) -> SiteFolder:
    _populate(site)
    site.write("p9.md", DRAFT)
    assert _build(site).way == "full"
    return site


def _in_p9(old: str, new: str) -> Callable[[SiteFolder], None]:
    return lambda site: _replace(site, P9, old, new)


DRAFT_EDITS: dict[str, tuple[Callable[[SiteFolder], None], str]] = {
    "its body": (_in_p9("Draft body.", "Another."), "up to date"),
    "its statement": (_in_p9("Something", "Nothing"), "up to date"),
    "its title": (_in_p9("A draft", "A renamed draft"), "up to date"),
    "its confidence": (_in_p9("prediction:\n", "prediction:\n  confidence: 0.7\n"), "up to date"),
    "an uncited reference": (
        _in_p9("prediction:", "references:\n  - {title: R}\nprediction:"),
        "up to date",
    ),
    # What another file may clash with (loader.check_duplicates), or name (terms.py).
    "its slug": (_in_p9("draft: true", "draft: true\nslug: p9b"), "full"),
    "its category": (_in_p9("category: Space", "category: Oceans"), "full"),
    "its tags": (_in_p9("draft: true", "draft: true\ntags: [t9]"), "full"),
    "its aliases": (_in_p9("draft: true", "draft: true\naliases: [/old-draft/]"), "full"),
    "published": (_in_p9("draft: true\n", ""), "full"),
}


@pytest.mark.parametrize("edit", list(DRAFT_EDITS))
def test_a_draft_edited_changes_nothing_of_the_site(
    with_a_draft: SiteFolder, tmp_path: Path, edit: str
) -> None:
    """A draft, left out of the build, edited (`foretell new`'s file, say, while it is
    written). Catches: the full path taken for it (3 s at 10,000, for an output that does
    not change); its warnings not followed; the shortcut taken where the draft may now clash
    with another file, or name a term, or be published."""
    make, way = DRAFT_EDITS[edit]
    make(with_a_draft)
    report = _build(with_a_draft)
    assert report.way == way
    assert report.drafts == (0 if edit == "published" else 1)
    as_a_clean_build(with_a_draft, tmp_path, report)


def as_a_clean_build(site: SiteFolder, tmp: Path, report: Report) -> None:
    """The output, the `report`'s warnings and count of drafts are a clean build's, and the
    next build is a no-op that reports them too."""
    assert site.files() == _clean_build(site, tmp)
    warnings = _warnings_of_a_clean_build(site, tmp)
    assert [str(w) for w in report.warnings] == warnings
    again = _build(site)
    assert (again.way, again.drafts) == ("up to date", report.drafts)
    assert [str(w) for w in again.warnings] == warnings


def test_a_draft_edited_repairs_an_output_changed_by_hand(
    with_a_draft: SiteFolder, tmp_path: Path
) -> None:
    """Catches: a draft edit reported "up to date" while a file of the site was deleted by
    hand since the build (its check finds it, then the draft's path wrote nothing)."""
    (with_a_draft.output / "index.html").unlink()
    DRAFT_EDITS["its body"][0](with_a_draft)
    assert _build(with_a_draft).way == "full"
    assert with_a_draft.files() == _clean_build(with_a_draft, tmp_path)


def test_a_draft_with_an_error_fails_the_build(with_a_draft: SiteFolder) -> None:
    """Catches: a draft's error let through because the site does not show it."""
    _replace(with_a_draft, P9, "Draft body.", "See [3].")
    assert with_a_draft.build() == 1


def test_serve_leaves_the_site_as_it_is_for_a_draft(with_a_draft: SiteFolder) -> None:
    """Catches: serve rebuilding (and reloading the open pages) for a draft it does not show,
    or keeping the warnings of the draft's version before."""
    rebuilder = Rebuilder(BuildOptions(with_a_draft.root, dt.date.fromisoformat(NOW)))
    files = rebuilder.files()
    DRAFT_EDITS["an uncited reference"][0](with_a_draft)
    assert rebuilder.files() is files
    assert rebuilder.way == "shortcut"
    assert [w.path for w in rebuilder.warnings] == [P9]


def test_the_shortcut_amends_the_manifest_without_rewriting_it(built: SiteFolder) -> None:
    """Catches: the whole manifest written by each shortcut (10 MB at 10,000 predictions), an
    amendment lost (the next no-op would not be one, or a page the shortcut made would keep
    the key of its earlier version), or one outliving the full build after it."""
    manifest = built.root / CACHE_DIR / cache.MANIFEST
    amendment = built.root / CACHE_DIR / cache.AMENDMENT
    written = manifest.stat().st_mtime_ns
    _append(built, P8, "\nMore.\n")
    assert _build(built).way == "shortcut"
    _append(built, P3, "\nMore.\n")
    assert _build(built).way == "shortcut"
    assert manifest.stat().st_mtime_ns == written and amendment.exists()
    outputs = cache.load_manifest(built.root).outputs
    assert outputs["predictions/p8/index.html"][0] is None  # the first shortcut's, kept
    assert outputs["predictions/p3/index.html"][0] is None
    assert _build(built).way == "up to date"
    built.write("p9.md", prediction_text("Ninth", date="2025-01-01"))
    assert _build(built).way == "full"
    assert not amendment.exists()


def test_past_max_edited_files_the_full_build_starts_a_new_record(built: SiteFolder) -> None:
    """Catches: every file edited since the last full build taken again by each shortcut
    with no end (the shortcut grows slower with each edit of the day)."""
    for i in range(edits.MAX_EDITED + 1):
        (built.root / "content/predictions" / f"extra{i}.md").write_text(prediction_text(f"E{i}"))
    assert _build(built).way == "full"
    for i in range(edits.MAX_EDITED):
        _append(built, f"content/predictions/extra{i}.md", "\nMore.\n")
        assert _build(built).way == "shortcut"
    _append(built, f"content/predictions/extra{edits.MAX_EDITED}.md", "\nMore.\n")
    assert _build(built).way == "full"
    _append(built, P8, "\nMore.\n")
    assert _build(built).way == "shortcut"


def test_after_the_shortcut_a_full_build_trusts_no_stale_page_key(
    built: SiteFolder, tmp_path: Path
) -> None:
    """Catches: keeping the old page key for an output the shortcut rewrote; once the body is
    reverted, a full build would find that key again and keep the edited page."""
    original = (built.root / P8).read_text(encoding="utf-8")
    _append(built, P8, "\nA paragraph that will be taken back.\n")
    assert _build(built).way == "shortcut"
    (built.root / P8).write_text(original, encoding="utf-8")
    built.write("p9.md", prediction_text("Ninth", date="2025-01-01"))  # forces the full path
    assert _build(built).way == "full"
    assert built.files() == _clean_build(built, tmp_path)


def test_an_output_changed_by_hand_sends_the_build_the_full_way(
    built: SiteFolder, tmp_path: Path
) -> None:
    (built.output / "feed.xml").write_text("tampered")
    _append(built, P8, "\nMore.\n")
    assert _build(built).way == "full"
    assert built.files() == _clean_build(built, tmp_path)


def test_a_corrupt_record_is_ignored(built: SiteFolder, tmp_path: Path) -> None:
    (built.root / CACHE_DIR / shortcut.RECORD).write_bytes(b"\x80\x05 not a pickle")
    _append(built, P8, "\nMore.\n")
    assert _build(built).way == "full"
    assert built.files() == _clean_build(built, tmp_path)
    _append(built, P8, "\nAnd more.\n")
    assert _build(built).way == "shortcut", "the full build wrote a new record"
    assert built.files() == _clean_build(built, tmp_path)


def test_serve_takes_the_shortcut_in_memory(built: SiteFolder, tmp_path: Path) -> None:
    """Catches: serve re-rendering the whole site for a body edit, or serving a stale feed or
    page after the shortcut, or after a full build that follows one."""
    builder = Rebuilder(BuildOptions(built.root, dt.date.fromisoformat(NOW)))
    builder.files()
    original = (built.root / P8).read_text(encoding="utf-8")
    _append(built, P8, "\nSaved while previewing.\n")
    assert builder.files() == _clean_build(built, tmp_path)
    assert builder.way == "shortcut"
    _append(built, P3, "\nAnd another article.\n")
    assert builder.files() == _clean_build(built, tmp_path)
    assert builder.way == "shortcut"
    (built.root / P8).write_text(original, encoding="utf-8")
    built.write("p9.md", prediction_text("Ninth", date="2025-01-01"))
    assert builder.files() == _clean_build(built, tmp_path)
    assert builder.way == "full"


def test_a_theme_showing_bodies_on_list_pages_takes_the_full_path(
    site: SiteFolder, tmp_path: Path
) -> None:
    """Catches: the shortcut trusting list pages of a theme that shows something of the body
    there (its length, here)."""
    card = site.root / "themes" / "default" / "templates" / "partials" / "card.html"
    size = '<p class="size">{{ p.body_html|length }}</p></article>'
    card.write_text(card.read_text().replace("</article>", size))
    _populate(site)
    assert _build(site).way == "full"
    _append(site, P8, "\nLonger now.\n")
    assert _build(site).way == "full"
    assert site.files() == _clean_build(site, tmp_path)


def test_after_an_upgrade_one_full_build_and_the_shortcut_again(
    built: SiteFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another foretell (another cache version): every cache it finds is another version's, the
    build takes the full path once, and every kind of edit the shortcut from then on.
    Catches: a cache file the full build writes only when it is missing, left in the old
    version's format (as the search shards' inputs were: tests/test_reindex.py)."""
    monkeypatch.setattr(pickles, "VERSION", pickles.VERSION + " / the next version")
    assert _build(built).way == "full"
    _append(built, P8, "\nAfter the upgrade.\n")
    assert _build(built).way == "shortcut"
    _replace(built, P3, "Prediction 3", "Renamed after the upgrade")
    assert _build(built).way == "shortcut"
    _replace(built, P3, "category: Energy", "category: Upgrades")
    assert _build(built).way == "shortcut"
    assert built.files() == _clean_build(built, tmp_path)
