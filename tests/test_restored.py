"""The shortcut in a fresh checkout with the build cache restored (builder/incremental/
restored.py): inputs and outputs compared by their bytes, never a stale page."""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import NOW, SiteFolder, prediction_text
from test_incremental import (
    EDITS,
    _clean_build,
    _copy_tree,
    _populate,
    _replace,
    _restore_in_a_fresh_checkout,
)
from test_integrity import _commit, _git

from builder.incremental import cache, dispatch, freshness, restored
from builder.options import BuildOptions
from builder.system import pickles
from builder.system.digests import source_digest
from builder.system.files import stat_files


def _way(site: SiteFolder, now: str = NOW) -> str:
    options = BuildOptions(site.root, dt.date.fromisoformat(now))
    return dispatch.build(options, freshness.check(options)).way


def _a_no_op(site: SiteFolder) -> bool:
    """The up-to-date check alone says so (no shortcut needed to find nothing changed)."""
    return freshness.check(BuildOptions(site.root, dt.date.fromisoformat(NOW))).up_to_date


@pytest.fixture
def built(site: SiteFolder) -> SiteFolder:
    _populate(site)
    assert _way(site) == "full"
    return site


def test_a_title_edited_in_a_restored_checkout_takes_the_shortcut(
    built: SiteFolder, tmp_path: Path
) -> None:
    """Catches: a deploy's title edit sent the full way because every stat moved (3.4 s at
    10,000), or the shortcut trusting stats there (the edit unseen: no file was edited
    since the record by its stat alone)."""
    _restore_in_a_fresh_checkout(built, tmp_path)
    EDITS["title"](built)
    assert _way(built) == "shortcut"
    assert built.files() == _clean_build(built, tmp_path)
    assert _a_no_op(built)


def test_a_checkout_at_another_path_with_the_cache_restored_takes_the_shortcut(
    built: SiteFolder, tmp_path: Path
) -> None:
    """A CI runner that checks the site out elsewhere than the build whose cache it restores.
    Catches: the cache naming the output folder by its full path, so that the restored
    output was another folder's to it and every page was rendered again."""
    elsewhere = SiteFolder(tmp_path / "another" / "checkout")
    _copy_tree(built.root, elsewhere.root, keep_mtimes=False, skip=("output", ".foretell"))
    _copy_tree(built.output, elsewhere.output, keep_mtimes=True)
    _copy_tree(built.root / ".foretell", elsewhere.root / ".foretell", keep_mtimes=True)
    assert _a_no_op(elsewhere) is False and _way(elsewhere) == "up to date"
    EDITS["title"](elsewhere)
    assert _way(elsewhere) == "shortcut"
    assert elsewhere.files() == _clean_build(elsewhere, tmp_path)


def test_a_cache_naming_its_output_in_full_still_holds(built: SiteFolder) -> None:
    """The manifest of a build before BuildOptions.out_key, which named the output folder by
    its full path. Catches: such a cache taken for another folder's on upgrading, and every
    page of the site rendered again."""
    manifest = cache.load_manifest(built.root)
    manifest.output_dir = str(built.output.resolve())
    pickles.write_pickle(built.root, cache.MANIFEST, manifest)
    (built.root / cache.CACHE_DIR / cache.SHORTCUT).unlink()  # its context named it so too
    EDITS["title"](built)
    options = BuildOptions(built.root, dt.date.fromisoformat(NOW))
    report = dispatch.build(options, freshness.check(options))
    assert report.way == "full" and 0 < report.rendered < report.pages / 2


def test_nothing_changed_but_the_stats_is_up_to_date_and_writes_nothing(
    built: SiteFolder, tmp_path: Path
) -> None:
    """Catches: a deploy of the same content rebuilt in full; one that rewrites outputs
    (their mtimes move, and every file is uploaded again); or files restated without their
    keys (the next full build renders everything)."""
    _restore_in_a_fresh_checkout(built, tmp_path)
    before = stat_files(built.output, built.files())
    assert _way(built) == "up to date"
    assert stat_files(built.output, built.files()) == before
    assert _a_no_op(built)
    # The files keep their keys: the next full build renders only what it changes.
    EDITS["statement"](built)
    options = BuildOptions(built.root, dt.date.fromisoformat(NOW))
    report = dispatch.build(options, freshness.check(options))
    assert report.way == "full" and report.rendered < report.files / 2


def test_an_output_restored_from_another_build_is_made_again(
    built: SiteFolder, tmp_path: Path
) -> None:
    """`output/` restored from an older build than `.foretell/` (two cache keys, say).
    Catches: the shortcut trusting every output it does not rewrite, so that a page of the
    older build stays, stale."""
    older = tmp_path / "older-output"
    shutil.copytree(built.output, older)
    EDITS["statement"](built)  # p6's page changes (the same files), and the record
    assert _way(built) == "full"
    shutil.rmtree(built.output)
    shutil.copytree(older, built.output)
    _restore_in_a_fresh_checkout(built, tmp_path / "checkout")
    EDITS["title"](built)  # p4's: the shortcut would not make p6's page
    assert _way(built) == "full"
    assert built.files() == _clean_build(built, tmp_path)


CHANGES = {
    "a template's bytes": lambda s: _replace(
        s, "themes/default/templates/partials/card.html", "card-statement", "card-claim"
    ),
    "a prediction added": lambda s: s.write("p9.md", prediction_text("Ninth")),
    "a statement": EDITS["statement"],
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_what_the_shortcut_cannot_make_takes_the_full_path(
    built: SiteFolder, tmp_path: Path, change: str
) -> None:
    """Catches: a restored checkout's inputs compared by bytes only for the articles (a
    template's change unseen), or a file added taken for none."""
    _restore_in_a_fresh_checkout(built, tmp_path)
    CHANGES[change](built)
    assert _way(built) == "full"
    assert built.files() == _clean_build(built, tmp_path)


def test_another_day_takes_the_full_path(built: SiteFolder, tmp_path: Path) -> None:
    """Catches: a restored record trusted on another `--now` (statuses move with the day)."""
    _restore_in_a_fresh_checkout(built, tmp_path)
    EDITS["title"](built)
    later = "2027-02-01"
    assert _way(built, later) == "full"
    assert built.files() == _clean_build(built, tmp_path, later)


@pytest.fixture
def in_git(site: SiteFolder) -> SiteFolder:
    _git(site, "init", "-q", "-b", "main")
    _populate(site)
    _commit(site, "publish")
    assert _way(site) == "full"
    return site


LATER = "2026-02-01T12:00:00+00:00"


def test_the_next_commit_deployed_takes_the_shortcut_with_its_history(
    in_git: SiteFolder, tmp_path: Path
) -> None:
    """The next commit checked out, the cache of the one before restored. Catches: the
    record trusted at another git HEAD as it was (the new commit missing from the edited
    page's history and from track-record.json), or such a deploy sent the full way."""
    EDITS["title"](in_git)
    _commit(in_git, "a title", when=LATER)
    _restore_in_a_fresh_checkout(in_git, tmp_path)
    assert _way(in_git) == "shortcut"
    assert in_git.files() == _clean_build(in_git, tmp_path)


def test_a_commit_in_the_same_checkout_trusts_the_output_by_its_stats(
    in_git: SiteFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A title edited, built, then committed: the next build shows the commit in the page's
    history. Catches: every output file checked again by its bytes where no stat moved
    (0.2 s at 10,000: restored.restated_outputs), or the commit missed."""
    EDITS["title"](in_git)
    assert _way(in_git) == "shortcut"
    _commit(in_git, "a title", when=LATER)
    monkeypatch.setattr(restored, "restated_outputs", lambda fresh: pytest.fail("restated"))
    assert _way(in_git) == "shortcut"
    assert in_git.files() == _clean_build(in_git, tmp_path)
    assert _a_no_op(in_git)


def test_the_next_commit_with_an_image_alone_deployed(in_git: SiteFolder, tmp_path: Path) -> None:
    """An image committed, nothing else. Catches: the shortcut at a later HEAD with no
    prediction edited failing, or sent the full way."""
    _add(in_git.root / "static/images/chart.png", b"PNG")
    _git(in_git, "add", "static")
    _commit(in_git, "an image", when=LATER)
    _restore_in_a_fresh_checkout(in_git, tmp_path)
    assert _way(in_git) == "shortcut"
    assert in_git.files() == _clean_build(in_git, tmp_path)
    assert _a_no_op(in_git)


def test_a_file_changed_and_changed_back_since_is_made_again(
    in_git: SiteFolder, tmp_path: Path
) -> None:
    """Two commits since the record: one edits p6's statement, the next puts it back. Its
    bytes are the record's, its history is not. Catches: only the files whose bytes changed
    made again at a later HEAD."""
    path = in_git.root / "content/predictions/p6.md"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("Something will", "Something else will"), encoding="utf-8")
    _commit(in_git, "a statement", when=LATER)
    path.write_text(original, encoding="utf-8")
    _commit(in_git, "put back", when=LATER)
    assert _way(in_git) == "shortcut"
    assert in_git.files() == _clean_build(in_git, tmp_path)


def test_a_rewritten_history_takes_the_full_path(in_git: SiteFolder, tmp_path: Path) -> None:
    """Catches: the record kept at a HEAD that does not descend from its own (an amend, a
    rebase): which files' history moved is then unknown."""
    EDITS["title"](in_git)
    _git(in_git, "commit", "-q", "-a", "--amend", "-m", "publish, amended", when=LATER)
    assert _way(in_git) == "full"
    assert in_git.files() == _clean_build(in_git, tmp_path)


def test_the_next_deploy_takes_the_shortcut_too(built: SiteFolder, tmp_path: Path) -> None:
    """Catches: the files a shortcut rewrote left without a content digest (the amendment's),
    so that the next restored checkout cannot vouch for them and takes the full path."""
    _restore_in_a_fresh_checkout(built, tmp_path / "first")
    EDITS["title"](built)
    assert _way(built) == "shortcut"
    _restore_in_a_fresh_checkout(built, tmp_path / "second")
    _replace(built, "content/predictions/p5.md", "Prediction 5", "Renamed too")
    assert _way(built) == "shortcut"
    assert built.files() == _clean_build(built, tmp_path)


def test_a_file_a_shortcut_took_and_changed_back_is_taken_again(
    built: SiteFolder, tmp_path: Path
) -> None:
    """A title edited and built by the shortcut, then changed back before the next deploy.
    Catches: the restored checkout, comparing bytes with the last full build's, finding
    nothing changed (restated: the output keeps the edited title)."""
    source = built.root / "content/predictions/p4.md"
    original = source.read_text(encoding="utf-8")
    EDITS["title"](built)
    assert _way(built) == "shortcut"
    source.write_text(original, encoding="utf-8")
    _restore_in_a_fresh_checkout(built, tmp_path)
    assert _way(built) == "shortcut"
    assert built.files() == _clean_build(built, tmp_path)


DRAFT = prediction_text("A draft", extra="draft: true\ncategory: Space\n")


def _add(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# A prediction file added or deleted before the deploy -> the way the deploy takes, and the
# drafts it leaves out (p9 and a new one).
COME_AND_GONE: dict[str, tuple[Callable[[SiteFolder], object], str, int]] = {
    "a draft added": (lambda s: s.write("new.md", DRAFT), "up to date", 2),
    "a draft deleted": (lambda s: (s.root / "content/predictions/p9.md").unlink(), "up to date", 0),
    "a prediction added": (lambda s: s.write("new.md", prediction_text("New")), "full", 1),
    "a prediction deleted": (lambda s: (s.root / "content/predictions/p2.md").unlink(), "full", 1),
    "an image added": (lambda s: _add(s.root / "static/chart.png", b"PNG"), "shortcut", 1),
}


@pytest.mark.parametrize("change", list(COME_AND_GONE))
def test_a_file_added_or_deleted_before_a_deploy(
    built: SiteFolder, tmp_path: Path, change: str
) -> None:
    """A draft committed (`foretell new`'s file), or deleted, or an image added, since the
    cache's build. Catches: such a deploy sent the full way (nothing a reader sees changed,
    but the image's copy), or a new or deleted prediction taken as a draft."""
    built.write("p9.md", DRAFT)
    assert built.build("--clean") == 0  # a full build that knows the draft
    make, way, drafts = COME_AND_GONE[change]
    make(built)
    _restore_in_a_fresh_checkout(built, tmp_path)
    report = dispatch.build(BuildOptions(built.root, dt.date.fromisoformat(NOW)))
    assert (report.way, report.drafts) == (way, drafts)
    assert built.files() == _clean_build(built, tmp_path)
    assert _a_no_op(built)


def test_a_checkout_without_its_output_takes_the_full_path(
    built: SiteFolder, tmp_path: Path
) -> None:
    """The cache restored but not `output/`. Catches: the shortcut writing the edited files
    alone into an empty output (a site of a dozen files)."""
    _restore_in_a_fresh_checkout(built, tmp_path)
    shutil.rmtree(built.output)
    EDITS["title"](built)
    assert _way(built) == "full"
    assert built.files() == _clean_build(built, tmp_path)


def test_digests_of_another_record_are_not_trusted(built: SiteFolder, tmp_path: Path) -> None:
    """The inputs' digests and the record are two files: a build stopped between writing
    them leaves one of another build. Catches: a restored checkout compared against
    digests of a later version than the record's (an edit made between the two unseen)."""
    digests = built.root / cache.CACHE_DIR / cache.DIGESTS
    _, recorded = pickle.loads(digests.read_bytes())[1]
    p3 = "content/predictions/p3.md"
    EDITS["body"](built)  # p3, whose digest the record then knew otherwise
    recorded = {**recorded, p3: source_digest((built.root / p3).read_bytes())}
    digests.write_bytes(pickle.dumps((pickles.VERSION, ("another build", recorded))))
    _restore_in_a_fresh_checkout(built, tmp_path)
    assert _way(built) == "full"
    assert built.files() == _clean_build(built, tmp_path)
