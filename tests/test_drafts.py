"""A draft added or deleted since the last full build (incremental/drafts.py): the shortcut
changes nothing of a site that leaves drafts out, but its warnings and count of drafts, and
declines whenever the full build would find a clash to report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import NOW, SITE_YAML, SiteFolder, prediction_text
from test_incremental import _clean_build, _replace
from test_shortcut import (
    DRAFT_EDITS,
    P9,
    _build,
    as_a_clean_build,
    built,
    with_a_draft,
)

from builder.content import parsecache
from builder.errors import BuildFailed
from builder.incremental import dispatch, drafts, edits, freshness
from builder.options import BuildOptions
from builder.serve.rebuild import Rebuilder

__all__ = ["built", "with_a_draft"]  # fixtures


def _draft(extra: str = "", body: str = "Draft body.\n") -> str:
    return prediction_text("A new draft", extra=f"draft: true\n{extra}", body=body)


NEW = "new.md"
# What a new draft is (`foretell new` writes one with a category, "General"), and which way
# the next build takes: "up to date" (nothing of the site changed: the shortcut), "full" (the
# shortcut declined: the full build) or "error" (the full build reports a clash).
NEW_DRAFTS: dict[str, tuple[Callable[[SiteFolder], None], str]] = {
    "without terms": (lambda s: s.write(NEW, _draft()), "up to date"),
    "in a category of the site": (
        lambda s: s.write(NEW, _draft("category: Space\n")),
        "up to date",
    ),
    "in a new category": (lambda s: s.write(NEW, _draft("category: General\n")), "up to date"),
    "with a tag as the site spells it": (
        lambda s: s.write(NEW, _draft("tags: [shared]\n")),
        "up to date",
    ),
    "with a tag spelled as no other": (
        lambda s: s.write(NEW, _draft("tags: [Shared]\n")),  # same_term: one term, no clash
        "up to date",
    ),
    "with a warning": (
        lambda s: s.write(NEW, _draft("references:\n  - {title: R}\n")),
        "up to date",
    ),
    "with aliases": (lambda s: s.write(NEW, _draft("aliases: [/somewhere/]\n")), "full"),
    "published": (lambda s: s.write(NEW, prediction_text("Published")), "full"),
    "with a tag clashing with the site's": (
        lambda s: s.write(NEW, _draft("tags: [shared.]\n")),
        "error",
    ),
    "with a tag clashing with another draft's": (
        lambda s: s.write(NEW, _draft("tags: [secret.]\n")),  # p9's alone is Secret
        "error",
    ),
    "claiming a prediction's address": (lambda s: s.write(NEW, _draft("slug: p3\n")), "error"),
    "claiming another draft's": (lambda s: s.write(NEW, _draft("slug: p9\n")), "error"),
    "claiming an alias's": (lambda s: s.write(NEW, _draft("slug: p3-before\n")), "error"),
    "two claiming one address": (
        lambda s: (
            s.write(NEW, _draft("slug: twin\n")),
            s.write("new2.md", _draft("slug: twin\n")),
        ),
        "error",
    ),
    "with an error": (lambda s: s.write(NEW, _draft(body="See [4].\n")), "error"),
}


@pytest.fixture
def aliased(with_a_draft: SiteFolder) -> SiteFolder:
    """with_a_draft, with an alias of p3's that a new draft's address could claim, and a tag
    that p9, the draft, alone names."""
    _replace(
        with_a_draft,
        "content/predictions/p3.md",
        "date:",
        "aliases: [/predictions/p3-before/]\ndate:",
    )
    _replace(with_a_draft, P9, "draft: true", "draft: true\ntags: [Secret]")
    assert with_a_draft.build("--clean") == 0
    return with_a_draft


@pytest.mark.parametrize("case", list(NEW_DRAFTS))
def test_a_new_draft(aliased: SiteFolder, tmp_path: Path, case: str) -> None:
    """A new draft (`foretell new`'s file, before any full build). Catches: the full path
    taken for it (3.3 s at 10,000); its warnings not followed, or the count of drafts not
    changed; the shortcut taken for a draft with aliases (checked against every page), for a
    published file, or for a draft the full build would report clashing with another file
    (by its address, a term's spelling, the site's or a draft's) or with an error."""
    make, way = NEW_DRAFTS[case]
    make(aliased)
    if way == "error":
        assert aliased.build() == 1
        return
    report = _build(aliased)
    assert report.way == way
    assert report.drafts == (1 if case == "published" else 2)
    as_a_clean_build(aliased, tmp_path, report)


def test_a_new_draft_edited_then_published(built: SiteFolder, tmp_path: Path) -> None:
    """Catches: a new draft edited taken as a draft that stays one by its first version, or
    its publication taken as a draft's edit: it is a new page, and lists shift."""
    built.write(NEW, _draft("category: General\n"))
    assert _build(built).way == "up to date"
    built.write(NEW, _draft("category: General\n", body="More.\n"))
    assert _build(built).way == "up to date"
    _replace(built, f"content/predictions/{NEW}", "draft: true\n", "")
    assert (report := _build(built)).way == "full"
    assert report.drafts == 0
    assert built.files() == _clean_build(built, tmp_path)


def test_a_term_edit_after_a_new_draft_checks_its_names(built: SiteFolder) -> None:
    """Catches: a published prediction's tag edited to clash with a draft added since the
    last full build taken by the terms shortcut (which knows the drafts' names from the
    record alone), where the full build reports the clash."""
    built.write(NEW, _draft("tags: [Fresh]\n"))
    assert _build(built).way == "up to date"
    _replace(built, "content/predictions/p5.md", "[t1, shared]", "[t1, shared, fresh.]")
    assert built.build() == 1


@pytest.mark.parametrize("with_warning", [False, True])
def test_a_draft_deleted(with_a_draft: SiteFolder, tmp_path: Path, with_warning: bool) -> None:
    """Catches: the full path taken for a draft deleted, its warnings kept, or the count of
    drafts not changed."""
    if with_warning:
        _replace(with_a_draft, P9, "draft: true", "draft: true\nreferences:\n  - {title: R}")
        assert len(_build(with_a_draft).warnings) == 1
    (with_a_draft.root / P9).unlink()
    report = _build(with_a_draft)
    assert (report.way, report.drafts, report.warnings) == ("up to date", 0, [])
    assert with_a_draft.files() == _clean_build(with_a_draft, tmp_path)
    assert _build(with_a_draft).way == "up to date"


def test_a_published_prediction_deleted_takes_the_full_build(built: SiteFolder) -> None:
    """Catches: a deletion taken as a draft's, leaving its page and every list showing it."""
    (built.root / "content/predictions/p3.md").unlink()
    assert _build(built).way == "full"
    assert not (built.output / "predictions/p3/index.html").exists()


def test_claims_of_names_every_page_and_alias_drafts_too(aliased: SiteFolder) -> None:
    """Catches: a draft's address, or an alias, left out of what the record says is claimed."""
    entries = parsecache.load_files(aliased.root)
    claims = drafts.claims_of(entries.values())
    pages = {f"predictions/p{n}/index.html" for n in range(1, 10)}  # p9: the draft's
    assert claims == pages | {"predictions/p3-before/index.html"}


def test_serve_reports_a_new_draft_that_clashes(with_a_draft: SiteFolder) -> None:
    """Catches: serve taking a new draft as a draft edited (it keeps no record of what the
    files claim), so that a clash the build would report goes unsaid."""
    rebuilder = Rebuilder(BuildOptions(with_a_draft.root, dt.date.fromisoformat(NOW)))
    rebuilder.files()
    with_a_draft.write(NEW, _draft("slug: p3\n"))
    with pytest.raises(BuildFailed):
        rebuilder.files()


def test_a_new_draft_deleted_again(built: SiteFolder, tmp_path: Path) -> None:
    """Catches: the full path taken when the files are back as the last full build read
    them (a new draft deleted), or the deleted draft's warning kept, there or beside a
    published file's edit."""
    built.write(NEW, _draft("references:\n  - {title: R}\n"))
    assert len(_build(built).warnings) == 1
    (built.root / "content/predictions" / NEW).unlink()
    report = _build(built)
    assert (report.way, report.drafts, report.warnings) == ("up to date", 0, [])
    built.write(NEW, _draft("references:\n  - {title: R}\n"))
    assert len(_build(built).warnings) == 1
    _replace(built, "content/predictions/p3.md", "Body of 3.", "A new body.")
    (built.root / "content/predictions" / NEW).unlink()
    report = _build(built)
    assert (report.way, report.drafts, report.warnings) == ("shortcut", 0, [])
    built.write(NEW, _draft("references:\n  - {title: R}\n"))
    assert len(_build(built).warnings) == 1
    (built.root / "content/predictions" / NEW).unlink()
    _replace(built, "content/predictions/p3.md", "A new body.", "Body of 3.")
    report = _build(built)
    assert (report.way, report.drafts, report.warnings) == ("shortcut", 0, [])
    assert built.files() == _clean_build(built, tmp_path)


# An edit of the draft (test_shortcut.DRAFT_EDITS) in a --drafts preview -> the way the build
# that follows takes: the shortcut for what shows on its own pages and the lists alone; the
# full build for what a feed, the calendar, an export or a term's pages would show of a
# published prediction.
PREVIEWED_WAYS = {
    "its body": "shortcut",
    "its title": "shortcut",
    "an uncited reference": "shortcut",
    "its statement": "full",
    "its confidence": "full",
    "its category": "full",
    "published": "full",
}


@pytest.mark.parametrize("search", [False, True], ids=["", "search"])
@pytest.mark.parametrize("edit", list(PREVIEWED_WAYS))
def test_a_draft_edited_in_a_drafts_preview(
    with_a_draft: SiteFolder, tmp_path: Path, edit: str, search: bool
) -> None:
    """`foretell new`'s file written while `--drafts` shows it. Catches: the full path taken
    for its body or title (1.5-1.9 s a save in serve at 10,000); the shortcut taken for an
    edit a feed, the calendar, an export or a term's pages would show of a published one,
    or putting the draft in the search index."""
    if search:
        with_a_draft.config(SITE_YAML + "search: true\n")
    preview = BuildOptions(with_a_draft.root, dt.date.fromisoformat(NOW), drafts=True)
    assert dispatch.build(preview).way == "full"
    DRAFT_EDITS[edit][0](with_a_draft)
    way = PREVIEWED_WAYS[edit]
    assert dispatch.build(preview).way == way
    assert with_a_draft.files() == _clean_build(with_a_draft, tmp_path, NOW, "--drafts")
    assert dispatch.build(preview).way == "up to date"


def test_serve_takes_a_previewed_drafts_body_by_the_shortcut(with_a_draft: SiteFolder) -> None:
    """Catches: `foretell serve --drafts` rebuilding the whole site at each save of the draft
    being written."""
    rebuilder = Rebuilder(BuildOptions(with_a_draft.root, dt.date.fromisoformat(NOW), drafts=True))
    rebuilder.files()
    DRAFT_EDITS["its body"][0](with_a_draft)
    page = rebuilder.files()["predictions/p9/index.html"]
    assert rebuilder.way == "shortcut"
    assert b"Another." in page


def test_only_a_previewed_drafts_body_or_display_is_taken(with_a_draft: SiteFolder) -> None:
    """Catches: a draft's category or forecast taken as an edit in a --drafts preview (the
    terms and forecast shortcuts remake what feeds, exports and terms show of a published
    prediction; for a draft they would get as far as its export line before declining)."""
    preview = BuildOptions(with_a_draft.root, dt.date.fromisoformat(NOW), drafts=True)
    dispatch.build(preview)

    def kinds() -> frozenset[str] | None:
        entries = parsecache.load_files(with_a_draft.root)
        found = edits.find(preview, freshness.check(preview), [P9], entries)
        return None if found is None else found.edit_kinds

    DRAFT_EDITS["its title"][0](with_a_draft)
    assert kinds() == {"display"}
    DRAFT_EDITS["its category"][0](with_a_draft)
    assert kinds() is None
