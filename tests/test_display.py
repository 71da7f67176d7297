"""The shortcut's display edits (builder/incremental/display.py): an edit to a title, a summary
or a reference takes the shortcut, and gives a clean build's bytes in every file that shows it:
its own files, the list pages and feeds it is in, the site's calendar."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from conftest import NOW, SiteFolder, prediction_text
from test_incremental import EDITS, _clean_build, _populate, _replace
from test_integrity import repo  # noqa: F401 (a fixture)
from test_shortcut import _build

from builder.content.model import Prediction, differs_in_display_only
from builder.incremental import display
from builder.options import BuildOptions
from builder.render import pages
from builder.serve.rebuild import Rebuilder
from builder.site.model import Term

P4 = "content/predictions/p4.md"


@pytest.fixture
def built(site: SiteFolder) -> SiteFolder:
    _populate(site)
    assert _build(site).way == "full"
    return site


def _built_as_clean(site: SiteFolder, tmp_path: Path, way: str) -> None:
    """The next build goes `way` and gives the bytes of a clean build."""
    assert _build(site).way == way
    assert site.files() == _clean_build(site, tmp_path)


def _changed(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {path for path in after if after[path] != before.get(path)}


def test_a_title_edit_remakes_exactly_what_shows_the_title(
    built: SiteFolder, tmp_path: Path
) -> None:
    """Catches: a list page, feed, the calendar or one of the prediction's own files left with
    the old title; or files that do not show it (exports, other pages) made again."""
    before = built.files()
    EDITS["title"](built)  # p4: "Prediction 4" -> "Renamed"
    report = _build(built)
    assert report.way == "shortcut"
    after = built.files()
    assert after == _clean_build(built, tmp_path)
    showing = {path for path, data in after.items() if b"Renamed" in data}
    changed = _changed(before, after)
    assert changed == showing
    expected = {"calendar.ics", "feed.xml", "predictions/p4/oembed.json", "page/2/index.html"}
    assert expected <= changed
    assert report.changed == len(changed)


@pytest.mark.parametrize(
    "edit",
    [
        ("Prediction 3", "A title with <b>markup</b> & more"),
        ("Body of 3.", "A new first paragraph, the summary."),
    ],
)
def test_display_edits_give_a_clean_builds_bytes(
    built: SiteFolder, tmp_path: Path, edit: tuple[str, str]
) -> None:
    _replace(built, "content/predictions/p3.md", *edit)
    assert _build(built).way == "shortcut"
    assert built.files() == _clean_build(built, tmp_path)


def test_a_reference_edit_takes_the_shortcut(site: SiteFolder, tmp_path: Path) -> None:
    references = "references:\n  - title: A report\n    url: https://example.org/r\n"
    site.write("r.md", prediction_text("Cited", extra=references, body="As reported [1].\n"))
    _populate(site)
    assert _build(site).way == "full"
    _replace(site, "content/predictions/r.md", "A report", "The final report")
    _built_as_clean(site, tmp_path, "shortcut")


def test_the_title_of_a_resolution_changes_in_the_resolutions_feed(
    built: SiteFolder, tmp_path: Path
) -> None:
    """Catches: a resolution's feed item left out of the items a display edit makes again (it
    carries no article, so a body edit never needed it)."""
    EDITS["resolve"](built)  # p2
    assert _build(built).way == "full"
    _replace(built, "content/predictions/p2.md", "Prediction 2", "Renamed")
    assert _build(built).way == "shortcut"
    assert b"Resolved no: Renamed" in (built.output / "resolutions.xml").read_bytes()
    assert built.files() == _clean_build(built, tmp_path)


def test_edits_since_the_last_full_build_all_show(built: SiteFolder, tmp_path: Path) -> None:
    """Two display edits one after the other, on predictions of the same list pages: the
    second build shows both (each is taken again from the last full build's record)."""
    _replace(built, "content/predictions/p3.md", "Prediction 3", "Third, renamed")
    assert _build(built).way == "shortcut"
    _replace(built, "content/predictions/p4.md", "Prediction 4", "Fourth, renamed")
    assert _build(built).way == "shortcut"
    assert built.files() == _clean_build(built, tmp_path)


@pytest.mark.parametrize("undo", ["title", "body"])
def test_an_edit_undone_leaves_nothing_of_it(
    built: SiteFolder, tmp_path: Path, undo: str
) -> None:
    """A title edited, then edited back (or then the body alone edited: a body edit, by the
    record). Catches: the next shortcut, which compares with the last full build's version,
    taking the file as a body edit (or no edit) and leaving the list pages, feeds and
    calendar with the title the output shows (taken.py)."""
    source = built.root / P4
    original = source.read_text(encoding="utf-8")
    EDITS["title"](built)
    assert _build(built).way == "shortcut"
    source.write_text(original, encoding="utf-8")
    if undo == "body":
        _replace(built, P4, "Body of 4.", "Another body.")
    _built_as_clean(built, tmp_path, "shortcut")
    assert not any(b"Renamed" in data for data in built.files().values())


def test_serve_keeps_each_display_edit(built: SiteFolder, tmp_path: Path) -> None:
    """Catches: serve's record keeping a prediction's earlier version after a display edit,
    so that the next edit on the same list page brings the old title back."""
    rebuilder = Rebuilder(BuildOptions(built.root, dt.date.fromisoformat(NOW)))
    rebuilder.files()
    _replace(built, "content/predictions/p3.md", "Prediction 3", "Third, renamed")
    assert rebuilder.files() == _clean_build(built, tmp_path)
    assert rebuilder.way == "shortcut"
    _replace(built, "content/predictions/p4.md", "Prediction 4", "Fourth, renamed")
    assert rebuilder.files() == _clean_build(built, tmp_path)
    assert rebuilder.way == "shortcut"


def test_a_prediction_another_page_shows_takes_the_full_path(
    built: SiteFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches: the shortcut taken for a prediction that a page other than the lists shows
    (the record would not know to make that page again)."""
    real = pages.track_record_page

    def featuring(site, memo):  # type: ignore[no-untyped-def]
        spec = real(site, memo)
        featured = next(p for p in site.predictions if p.slug == "p4")
        return dataclasses.replace(spec, context={**spec.context, "featured": featured})

    monkeypatch.setattr(pages, "track_record_page", featuring)
    EDITS["statement"](built)
    assert _build(built).way == "full"  # which records that p4 is featured
    _replace(built, "content/predictions/p3.md", "Prediction 3", "Renamed")
    assert _build(built).way == "shortcut"
    EDITS["title"](built)  # p4
    assert _build(built).way == "full"
    assert built.files() == _clean_build(built, tmp_path)


def _prediction(slug: str) -> Prediction:
    day = dt.date(2026, 1, 1)
    return Prediction(f"{slug}.md", slug, slug, day, "ada", "It will.", day, "<p>x</p>")


def test_the_predictions_in_a_context_are_found_as_page_keys_see_them() -> None:
    """Catches: a prediction missed inside a mapping, a tuple or a dataclass; or a term's
    predictions counted (a page shows a term by its name and count: pagekeys.py)."""
    a, b, c = _prediction("a"), _prediction("b"), _prediction("c")
    term = Term("tags", "t", "T", (c,))
    wrapped = dataclasses.replace(term, predictions=(b,))
    context = {"x": [{"deep": (a,)}], "term": term, "more": (wrapped, "text", 3, None)}
    assert set(display._slugs_in([context])) == {"a"}


def test_display_only_compares_everything_but_what_is_displayed() -> None:
    a, differs = _prediction("a"), differs_in_display_only
    assert differs(a, dataclasses.replace(a, title="New", summary="S", digest="d"))
    assert not differs(a, dataclasses.replace(a, statement="Other"))
    assert not differs(a, dataclasses.replace(a, tags=("t",)))
    assert not differs(a, dataclasses.replace(a, target_date=dt.date(2027, 1, 1)))


def test_a_file_the_edit_leaves_is_made_again_if_changed_by_hand(
    built: SiteFolder, tmp_path: Path
) -> None:
    """Catches: a share card (which shows no title) kept as it is on disk after a title edit,
    although it was changed since the full build."""
    (built.output / "predictions/p4/card.png").write_bytes(b"not a card")
    EDITS["title"](built)
    assert _build(built).way == "full"  # the shortcut leaves a file changed by hand to it
    assert built.files() == _clean_build(built, tmp_path)


def test_a_title_edit_in_git_keeps_what_the_history_vouches_for(
    repo: tuple[SiteFolder, str],  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    """With git history: a title edited but not committed leaves the integrity notices and
    what they vouch for (the history compares tracked fields, not the text), as a clean build
    of the same checkout shows. Catches: the shortcut's history of a file taken for one its
    edit changed."""
    site, _ = repo
    assert _build(site).way == "full"
    for name in ("edited.md", "steady.md"):
        path = site.root / "content/predictions" / name
        path.write_text(path.read_text(encoding="utf-8").replace("title: '", "title: 'Now "))
        assert _build(site).way == "shortcut"
        assert site.files() == _clean_build(site, tmp_path)
