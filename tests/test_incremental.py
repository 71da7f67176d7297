"""Incremental builds: after any edit, the bytes of a clean build; no-op builds touch nothing."""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import SiteFolder, prediction_text

from builder.cli import main
from builder.content import parsecache
from builder.incremental import cache
from builder.incremental.cache import CACHE_DIR, MANIFEST, SHORTCUT, Manifest
from builder.incremental.history import HISTORY_FILE, HistoryCache
from builder.render import trackrecord_csv, trackrecord_json
from builder.system.digests import output_digest
from builder.system.files import stat_files
from builder.trackrecord.history import FileHistory


def _populate(site: SiteFolder) -> None:
    for i in range(1, 9):
        site.write(
            f"p{i}.md",
            prediction_text(
                f"Prediction {i}",
                date=f"2026-0{i}-01",
                author="ada" if i % 2 else "bo",
                extra=f"category: {'Space' if i % 3 else 'Energy'}\ntags: [t{i % 2}, shared]\n",
                target=f"2026-{i + 3:02d}-15",
                body=f"Body of {i}.\n",
            ),
        )


def _clean_build(
    site: SiteFolder, tmp: Path, now: str = "2026-11-25", *args: str
) -> dict[str, bytes]:
    """A from-scratch build of the same input (`args`: the build's other options), in a
    separate copy, for comparison."""
    copy = tmp / "clean-copy"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(site.root, copy, ignore=shutil.ignore_patterns("output", ".foretell"))
    assert main(["build", "--source", str(copy), "--now", now, "--clean", *args]) == 0
    return SiteFolder(copy).files()


def _without_shortcut(site: SiteFolder) -> None:
    """The next build takes the full path (a title edit would take the shortcut), for tests
    of what the full path makes."""
    (site.root / CACHE_DIR / SHORTCUT).unlink()


def _replace(site: SiteFolder, relative: str, old: str, new: str) -> None:
    path = site.root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, (relative, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


EDITS: dict[str, Callable[[SiteFolder], None]] = {
    "body": lambda s: _replace(s, "content/predictions/p3.md", "Body of 3.", "A new body."),
    "title": lambda s: _replace(s, "content/predictions/p4.md", "Prediction 4", "Renamed"),
    "tag": lambda s: _replace(s, "content/predictions/p5.md", "[t1, shared]", "[t1, fresh]"),
    # Shown by the track-record exports, which a title edit leaves (Site.export_digest).
    "statement": lambda s: _replace(
        s, "content/predictions/p6.md", "Something will", "Something else will"
    ),
    "date": lambda s: _replace(s, "content/predictions/p1.md", "2026-01-01", "2026-12-01"),
    "author bio": lambda s: _replace(s, "site.yaml", "Energy writer.", "Writes on power."),
    "site title": lambda s: _replace(s, "site.yaml", "Test Desk", "Other Desk"),
    "paginate": lambda s: _replace(s, "site.yaml", "paginate: 3", "paginate: 2"),
    "template": lambda s: _replace(
        s, "themes/default/templates/partials/card.html", "card-statement", "card-claim"
    ),
    "stylesheet": lambda s: _replace(
        s, "themes/default/static/style.css", ":root {", ":root { --extra: 1;"
    ),
    "delete": lambda s: (s.root / "content/predictions/p6.md").unlink(),
    "add": lambda s: s.write("p9.md", prediction_text("Ninth", date="2026-10-10")),
    "resolve": lambda s: _replace(
        s,
        "content/predictions/p2.md",
        "  target_date",
        "  resolution: {outcome: no, date: 2026-07-01}\n  target_date",
    ),
    # Scored: bo's points change, so his author page, the track record and the author box
    # on each of his other predictions must change too.
    "resolve scored": lambda s: _replace(
        s,
        "content/predictions/p4.md",
        "  target_date",
        "  confidence: 0.8\n  resolution: {outcome: yes, date: 2026-08-01}\n  target_date",
    ),
    "confidence": lambda s: _replace(
        s, "content/predictions/p3.md", "  target_date", "  confidence: 0.35\n  target_date"
    ),
    "category": lambda s: _replace(s, "content/predictions/p7.md", "Space", "Health"),
    # A forecast update: its page's step chart, the time-weighted scores, the feeds.
    "update": lambda s: _replace(
        s,
        "content/predictions/p2.md",
        "  target_date",
        "  confidence: 0.3\n  updates:\n    - {date: 2026-03-01, confidence: 0.6}\n"
        "  resolution: {outcome: yes, date: 2026-05-01}\n  target_date",
    ),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_incremental_build_equals_clean_build(site: SiteFolder, tmp_path: Path, edit: str) -> None:
    _populate(site)
    assert site.build() == 0
    EDITS[edit](site)
    assert site.build() == 0
    assert site.files() == _clean_build(site, tmp_path)


def test_a_title_edit_leaves_the_track_record_exports(
    site: SiteFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """They show no title: keyed on what they show (Site.export_digest), not on the files'
    digests, they are not made again (a tenth of a second each at 10,000 predictions)."""
    # Catches: the exports keyed on the predictions themselves (made again for any edit),
    # or on too little (a statement edit leaving them stale).
    made: list[str] = []
    for module, name in (
        (trackrecord_json, "track_record_json"),
        (trackrecord_csv, "track_record_csv"),
    ):
        real = getattr(module, name)
        monkeypatch.setattr(
            module, name, lambda *a, real=real, name=name: made.append(name) or real(*a)
        )
    _populate(site)
    assert site.build() == 0
    assert sorted(made) == ["track_record_csv", "track_record_json"]
    made.clear()
    EDITS["title"](site)
    _without_shortcut(site)
    assert site.build() == 0
    assert made == []
    EDITS["statement"](site)
    assert site.build() == 0
    assert sorted(made) == ["track_record_csv", "track_record_json"]


def test_renaming_one_of_two_identical_files_remakes_the_exports(
    site: SiteFolder, tmp_path: Path
) -> None:
    """Catches: what the exports show of a prediction kept under its file's digest alone: two
    files with the same bytes have the same digest and other slugs (from their names), and
    renaming one left the exports listing its old slug."""
    _populate(site)
    twin = site.root / "content/predictions/p8.md"
    # A relative link: the feeds make it absolute against each prediction's own address.
    twin.write_bytes(twin.read_bytes() + b"\nSee [the notes](notes/).\n")
    (site.root / "content/predictions/p9.md").write_bytes(twin.read_bytes())
    assert site.build() == 0
    (site.root / "content/predictions/p9.md").rename(site.root / "content/predictions/p10.md")
    assert site.build() == 0
    assert b'"p10"' in (site.output / "track-record.json").read_bytes()
    assert site.files() == _clean_build(site, tmp_path)


def test_an_edit_rewrites_only_the_memo_shards_it_changes(site: SiteFolder) -> None:
    """Catches: every memo shard written by every build (the memo is 60 MB at 10,000
    predictions, a tenth of a second to write), a prediction's values spread over many
    shards, or a changed shard left unwritten."""
    _populate(site)
    assert site.build() == 0
    shards = sorted((site.root / CACHE_DIR).glob("memo-*.pickle"))
    before = {path.name: path.stat().st_mtime_ns for path in shards}
    events_before = _event_digests(cache.load_memo(site.root))
    EDITS["body"](site)  # the shortcut: no full build, no memo written
    EDITS["category"](site)  # and the full one
    _without_shortcut(site)
    assert site.build() == 0
    after = {path.name: path.stat().st_mtime_ns for path in shards}
    rewritten = [name for name in before if after[name] != before[name]]
    # At most the shards of the two files' old and new versions (cache._memo_shard).
    assert 0 < len(rewritten) <= 4
    # The site's calendar is made again (it shows categories) from each prediction's event:
    # one event per prediction, the edited ones' new versions in, their old ones gone.
    events_after = _event_digests(cache.load_memo(site.root))
    assert len(events_after) == len(events_before)
    assert len(events_after - events_before) == 2  # the body and the category edits


def test_the_memo_of_an_older_foretell_is_removed(site: SiteFolder) -> None:
    """Catches: the one-file memo of foretell's cache 15 left in .foretell/cache for ever (31 MB
    at 10,000 predictions) once the memo is kept in shards."""
    _populate(site)
    assert site.build() == 0
    legacy = site.root / CACHE_DIR / cache.LEGACY_MEMO
    legacy.write_bytes(b"an older memo")
    EDITS["title"](site)
    _without_shortcut(site)
    assert site.build() == 0
    assert not legacy.exists()


def _event_digests(memo: dict[str, object]) -> set[str]:
    return {key.split(":")[1] for key in memo if key.startswith("ics:")}


def test_changing_now_rerenders_only_what_it_affects(site: SiteFolder, tmp_path: Path) -> None:
    _populate(site)
    # Some prediction awaits resolution on both days, so every masthead links awaiting/.
    assert main(["build", "--source", str(site.root), "--now", "2026-06-01"]) == 0
    untouched = (
        site.output / "predictions" / "p8" / "index.html"
    )  # target 2026-11-15: open both times
    before = untouched.stat().st_mtime_ns
    assert main(["build", "--source", str(site.root), "--now", "2026-08-01"]) == 0
    assert site.files() == _clean_build(site, tmp_path, now="2026-08-01")
    assert untouched.stat().st_mtime_ns == before


def test_noop_rebuild_rewrites_nothing(site: SiteFolder, capsys) -> None:
    _populate(site)
    assert site.build() == 0
    stats = {p: p.stat().st_mtime_ns for p in site.output.rglob("*")}
    assert site.build() == 0
    assert {p: p.stat().st_mtime_ns for p in site.output.rglob("*")} == stats
    assert "Up to date" in capsys.readouterr().err.strip().splitlines()[-1]


def test_an_edited_output_file_is_repaired(site: SiteFolder) -> None:
    _populate(site)
    assert site.build() == 0
    page = site.output / "predictions" / "p1" / "index.html"
    good = page.read_bytes()
    page.write_text("tampered")
    (site.output / "tags" / "index.html").unlink()
    assert site.build() == 0
    assert page.read_bytes() == good
    assert (site.output / "tags" / "index.html").is_file()


def test_an_output_with_a_new_mtime_is_kept_only_if_its_bytes_are_the_builds(
    site: SiteFolder,
) -> None:
    """A restored file is trusted by its bytes, never by its size. Catches: a digest compare
    cut short to the size (a same-size edit would stay)."""
    _populate(site)
    assert site.build() == 0
    page = site.output / "predictions" / "p1" / "index.html"
    good = page.read_bytes()
    page.write_bytes(good.replace(b"Prediction 1", b"Prediction X"))  # same size, new mtime
    assert site.build() == 0
    assert page.read_bytes() == good


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05garbage"])
@pytest.mark.parametrize("which", ["files-*.pickle", MANIFEST, "*.pickle"])
def test_a_corrupt_cache_is_ignored(
    site: SiteFolder, tmp_path: Path, damage: bytes, which: str
) -> None:
    _populate(site)
    assert site.build() == 0
    damaged = list((site.root / CACHE_DIR).glob(which))
    assert damaged
    for path in damaged:
        path.write_bytes(damage)
    EDITS["title"](site)
    assert site.build() == 0
    assert site.files() == _clean_build(site, tmp_path)


# Another version of foretell wrote the cache: its cache version differs, and so may its contents.
OTHER_VERSION = "foretell 0.0.0-other / python (3, 0, 0) / cache 0"
P1_PAGE = "predictions/p1/index.html"


def _as_other_version(site: SiteFolder, name: str, change: Callable[[Any], Any]) -> None:
    """Rewrite the cache file `name` as another version would have, its value `change`d."""
    path = site.root / CACHE_DIR / name
    _, value = pickle.loads(path.read_bytes())
    path.write_bytes(pickle.dumps((OTHER_VERSION, change(value))))


def _forge_bodies(site: SiteFolder, pattern: str) -> None:
    """Article bodies in these cache files replaced: trusted, they would be published."""
    paths = [p for p in (site.root / CACHE_DIR).glob(pattern) if b"Body of " in p.read_bytes()]
    assert paths
    for path in paths:
        data = path.read_bytes()
        # As long as the original: the pickle's length prefixes stay right.
        _, value = pickle.loads(data.replace(b"Body of ", b"Forged! "))
        path.write_bytes(pickle.dumps((OTHER_VERSION, value)))


def _forge_manifest(site: SiteFolder) -> None:
    """A page edited by hand, and a manifest vouching for it as the build's own output."""
    page = site.output / P1_PAGE
    page.write_bytes(page.read_bytes().replace(b"Body of 1.", b"Forged! 1."))
    stat = stat_files(site.output, [P1_PAGE])[P1_PAGE]

    def vouch(manifest: Manifest) -> Manifest:
        key, _ = manifest.outputs[P1_PAGE]
        manifest.outputs[P1_PAGE] = (key, stat)
        return manifest

    _as_other_version(site, MANIFEST, vouch)


def _forge_history(site: SiteFolder) -> None:
    def publish(stored: HistoryCache) -> HistoryCache:
        digest, _ = stored.entries["content/predictions/p1.md"]
        forged = FileHistory("f0f0f0f", dt.date(2026, 1, 2))
        stored.entries["content/predictions/p1.md"] = (digest, forged)
        return stored

    _as_other_version(site, HISTORY_FILE, publish)


def _without_manifest(forge: Callable[[SiteFolder], None]) -> Callable[[SiteFolder], None]:
    """Without the manifest every page is rendered again, from what the cache holds."""

    def forge_all(site: SiteFolder) -> None:
        (site.root / CACHE_DIR / MANIFEST).unlink()
        forge(site)

    return forge_all


def _second_paragraph(site: SiteFolder) -> None:
    """An edit of a body alone (the summary, its first paragraph, stays): the shortcut's."""
    _replace(site, "content/predictions/p3.md", "Body of 3.\n", "Body of 3.\n\nMore.\n")


# cache file -> how its forgery is made, and the edit that makes the build read it
FORGERIES: dict[str, tuple[Callable[[SiteFolder], None], Callable[[SiteFolder], None] | None]] = {
    "manifest": (_forge_manifest, None),  # trusted, the build is "up to date"
    "files": (_without_manifest(lambda s: _forge_bodies(s, "files-*.pickle")), None),
    "memo": (_without_manifest(lambda s: _forge_bodies(s, "memo-*.pickle")), None),
    "history": (_without_manifest(_forge_history), None),
    "shortcut": (lambda s: _forge_bodies(s, SHORTCUT), _second_paragraph),  # its feeds
}


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_a_cache_from_another_version_is_ignored(
    site: SiteFolder, tmp_path: Path, forgery: str
) -> None:
    """Catches trusting a cache file by its type alone: each one here, trusted, puts other
    bytes in the output than a clean build would."""
    _populate(site)
    assert site.build() == 0
    forge, edit = FORGERIES[forgery]
    forge(site)
    if edit is not None:
        edit(site)
    assert site.build() == 0
    assert site.files() == _clean_build(site, tmp_path)


def _copy_tree(
    source: Path, target: Path, *, keep_mtimes: bool, skip: tuple[str, ...] = ()
) -> None:
    copy = shutil.copy2 if keep_mtimes else shutil.copy
    shutil.copytree(source, target, copy_function=copy, ignore=shutil.ignore_patterns(*skip))


def _newer(path: Path, since_ns: int) -> bool:
    return path.stat().st_mtime_ns > since_ns


@pytest.mark.parametrize("way", ["shortcut", "full"])
@pytest.mark.parametrize("outputs", ["restored as tar does", "with new mtimes"])
def test_a_fresh_checkout_with_the_cache_restored(
    site: SiteFolder, tmp_path: Path, capsys: pytest.CaptureFixture[str], outputs: str, way: str
) -> None:
    """A deploy (#20): a fresh checkout at the same path, every source with a new mtime, and
    `output/` and `.foretell/` restored by the CI cache. Catches: a restored cache trusted on
    stats it no longer matches (stale pages), or thrown away when the outputs kept their
    mtimes or only their bytes (everything rendered again on every deploy); the shortcut
    (restored.py) refusing a title edit there, or leaving the next build no no-op."""
    _populate(site)
    assert site.build() == 0
    _restore_in_a_fresh_checkout(site, tmp_path, keep_output_mtimes=outputs != "with new mtimes")
    EDITS["title"](site)  # what this deploy publishes
    if way == "full":
        _without_shortcut(site)
    restored_at = time.time_ns()
    time.sleep(0.01)
    capsys.readouterr()
    assert site.build() == 0
    assert site.files() == _clean_build(site, tmp_path)
    built = capsys.readouterr().err.splitlines()[0]  # Built N pages (F files, C changed, R ...
    total, rendered = int(built.split("(")[1].split()[0]), int(built.split(", ")[2].split()[0])
    # Either way only what changed is rendered: restored files whose mtime moved are the
    # build's own when their bytes are (the manifest's digests).
    assert rendered < total / 2, built
    cache_dir = site.root / CACHE_DIR
    rewritten = [p.name for p in cache_dir.glob("files-*.pickle") if _newer(p, restored_at)]
    if way == "shortcut":  # the parse cache is the full build's business
        assert rewritten == []
        assert site.build() == 0
        assert capsys.readouterr().err.startswith("Up to date"), "the next build is a no-op"
        return
    # Every source was read again (new mtimes) to find the same bytes but one: the parse
    # cache rewrote only the shard holding that one, the stats apart (parsecache.STATS).
    # Catches: every shard rewritten on every deploy (a second at 10,000).
    assert rewritten == [f"files-{parsecache._shard('content/predictions/p4.md'):02d}.pickle"]
    assert _newer(cache_dir / parsecache.STATS, restored_at)


def _restore_in_a_fresh_checkout(
    site: SiteFolder, tmp_path: Path, *, keep_output_mtimes: bool = False
) -> None:
    """The site checked out afresh at the same path (every source with a new mtime), with
    `output/` and `.foretell/` restored from the checkout before, as a CI cache does."""
    earlier = tmp_path / "earlier-checkout"
    earlier.parent.mkdir(parents=True, exist_ok=True)
    site.root.rename(earlier)
    _copy_tree(earlier, site.root, keep_mtimes=False, skip=("output", ".foretell"))
    _copy_tree(earlier / "output", site.output, keep_mtimes=keep_output_mtimes)
    _copy_tree(earlier / ".foretell", site.root / ".foretell", keep_mtimes=True)
    shutil.rmtree(earlier)


def test_the_manifests_digests_and_units_are_read_when_asked(site: SiteFolder) -> None:
    """Catches: every build unpickling the digests and units of the manifest (half its bytes:
    28 ms at 10,000, which neither the no-op nor the shortcut reads), or the digests of the
    files a shortcut rewrote (its amendment's) lost once they are read."""
    _populate(site)
    assert site.build() == 0
    EDITS["title"](site)  # the shortcut, which amends the manifest
    assert site.build() == 0
    manifest = cache.load_manifest(site.root)
    assert "digests" not in vars(manifest) and "units" not in vars(manifest)
    page = "predictions/p4/index.html"
    assert manifest.digests[page] == output_digest((site.output / page).read_bytes())
    assert set(manifest.units) == {f"p{i}" for i in range(1, 9)}
    again = pickle.loads(pickle.dumps(manifest))
    assert again == manifest
