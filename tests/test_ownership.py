"""A build never destroys what it did not make: output folders that hold sources are refused,
and only files a build recorded writing are ever deleted (builder/ownership.py, write.py)."""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, SiteFolder, prediction_text

from builder.incremental.cache import CACHE_DIR, MANIFEST
from builder.write import staging
from builder.write.ownership import OWNERSHIP_FILE, check_folder, read_record


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def _snapshot(root: Path) -> dict[str, str]:
    """Every file under `root` (the .git folder included) by path, with its digest."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


@pytest.fixture
def repo_site(example_site: SiteFolder) -> SiteFolder:
    """The example site, committed to a git repository of its own."""
    root = example_site.root
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-qm", "init")
    return example_site


@pytest.mark.parametrize(
    "output", [".", "content", "content/predictions", "themes", "themes/default", ".git", ".."]
)
def test_an_output_folder_that_holds_sources_is_refused(
    repo_site: SiteFolder, output: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: `--output .` (or content/, themes/, .git, ..) taken as an old output whose
    files are all stale, which deleted the site and its git repository."""
    root = repo_site.root
    parent = root.parent
    before, parent_before = _snapshot(root), sorted(p.name for p in parent.iterdir())
    assert repo_site.build("--output", str(root / output)) == 2
    assert repo_site.build("--output", str(root / output), "--clean", "--force") == 2
    err = capsys.readouterr().err
    assert err.count("error: ") == 2 and len(err.strip().splitlines()) == 2, err
    assert _snapshot(root) == before
    assert sorted(p.name for p in parent.iterdir()) == parent_before
    assert _git(root, "status", "--porcelain") == ""
    _git(root, "fsck", "--strict", "--no-progress")


def test_check_folder_accepts_an_output_beside_the_sources(tmp_path: Path) -> None:
    """Catches: a refusal so broad that the default output/ or a sibling folder is refused."""
    check_folder(tmp_path / "site", tmp_path / "site" / "output")
    check_folder(tmp_path / "site", tmp_path / "public")
    check_folder(tmp_path / "site", tmp_path / "site" / "contents")  # not content/


def test_an_unrecorded_folder_is_refused_and_force_replaces_only_the_builds_files(
    example_site: SiteFolder, tmp_path: Path
) -> None:
    """Catches: `--output ../u` deleting an unrelated `../u/docs/thesis.txt`."""
    out = tmp_path / "u"
    (out / "docs").mkdir(parents=True)
    (out / "docs" / "thesis.txt").write_text("years of work")
    (out / "index.html").write_text("an old hand-made page")
    assert example_site.build("--output", str(out)) == 2
    assert (out / "index.html").read_text() == "an old hand-made page"
    assert example_site.build("--output", str(out), "--force") == 0
    assert (out / "docs" / "thesis.txt").read_text() == "years of work"
    assert "<!DOCTYPE html>" in (out / "index.html").read_text()
    recorded = read_record(out)
    assert recorded is not None and "docs/thesis.txt" not in recorded
    assert "index.html" in recorded
    assert example_site.build("--output", str(out)) == 0, "recorded now: no --force needed"


OWNER_FILES = {"CNAME": "predictions.example.org\n", ".nojekyll": ""}


def _add_owner_files(site: SiteFolder) -> None:
    for name, text in OWNER_FILES.items():
        (site.output / name).write_text(text)


def _owner_files_intact(site: SiteFolder) -> bool:
    return all(
        (site.output / name).is_file() and (site.output / name).read_text() == text
        for name, text in OWNER_FILES.items()
    )


def _corrupt_cache(site: SiteFolder) -> None:
    for path in (site.root / CACHE_DIR).glob("*.pickle"):
        path.write_bytes(b"\x80\x05garbage")


def _cache_of_another_version(site: SiteFolder) -> None:
    path = site.root / CACHE_DIR / MANIFEST
    _, manifest = pickle.loads(path.read_bytes())
    path.write_bytes(pickle.dumps(("foretell 0.0.1 / python (3, 9, 0) / cache 1", manifest)))


def _edit_a_title(site: SiteFolder) -> None:
    path = site.root / "content" / "predictions" / "p1.md"
    path.write_text(prediction_text("Retitled"), encoding="utf-8")


AFTER = {
    "a normal build": lambda site: _edit_a_title(site),
    "a corrupt cache": _corrupt_cache,
    "a cache from another version": _cache_of_another_version,
    "a deleted cache": lambda site: shutil.rmtree(site.root / ".foretell"),
}


@pytest.mark.parametrize("how", list(AFTER))
@pytest.mark.parametrize("clean", [False, True])
def test_the_owners_files_survive_every_kind_of_build(
    site: SiteFolder, how: str, clean: bool
) -> None:
    """Catches: a CNAME deleted by `--clean`, or by any build after the cache was reset (a
    GitHub Pages user losing their custom domain on upgrade)."""
    site.write("p1.md", prediction_text("First"))
    site.write("p2.md", prediction_text("Second"))
    assert site.build() == 0
    _add_owner_files(site)
    AFTER[how](site)
    (site.root / "content" / "predictions" / "p2.md").unlink()  # its page must still go
    assert site.build(*(["--clean"] if clean else [])) == 0
    assert _owner_files_intact(site)
    assert not (site.output / "predictions" / "p2").exists(), "the build's own stale files go"


def test_an_output_from_before_the_record_is_adopted_not_refused(site: SiteFolder) -> None:
    """Catches: an upgrade making the build refuse (or delete): an output written by a
    foretell that kept its record only in the cache is the build's all the same."""
    site.write("p1.md", prediction_text("First"))
    site.write("p2.md", prediction_text("Second"))
    assert site.build() == 0
    (site.output / OWNERSHIP_FILE).unlink()  # as an older foretell left it
    _cache_of_another_version(site)
    _add_owner_files(site)
    (site.root / "content" / "predictions" / "p2.md").unlink()
    assert site.build() == 0
    assert _owner_files_intact(site)
    assert not (site.output / "predictions" / "p2").exists()


def _cache_of_foretell_0_1_0(site: SiteFolder) -> None:
    """The manifest as foretell 0.1.0 pickled it: its class in `builder.cache` (before the
    package was laid out as the pipeline), without the fields added since."""
    path = site.root / CACHE_DIR / MANIFEST
    _, manifest = pickle.loads(path.read_bytes())
    vars(manifest).pop("drafts", None)
    stamp = "foretell 0.1.0 / python (3, 11, 7) / cache 5"
    text = pickle.dumps((stamp, manifest), protocol=0)  # text: the module name can be edited
    text = text.replace(b"builder.incremental.cache", b"builder.cache")
    assert b"cbuilder.cache\nManifest" in text
    path.write_bytes(text)


def test_an_output_of_foretell_0_1_0_is_adopted_not_refused(site: SiteFolder) -> None:
    """Catches: an upgrade from the version before the layout move refused (its manifest
    names classes in modules that have moved, so reading it failed and nothing was adopted)."""
    site.write("p1.md", prediction_text("First"))
    site.write("p2.md", prediction_text("Second"))
    assert site.build() == 0
    (site.output / OWNERSHIP_FILE).unlink()
    _cache_of_foretell_0_1_0(site)
    _add_owner_files(site)
    (site.root / "content" / "predictions" / "p2.md").unlink()
    assert site.build() == 0
    assert _owner_files_intact(site)
    assert not (site.output / "predictions" / "p2").exists()


def test_the_record_lists_exactly_the_builds_files(site: SiteFolder) -> None:
    """Catches: a record that misses a file the build wrote (it would then never be
    deleted) or lists one it did not (it would be deleted one day)."""
    site.write("p1.md", prediction_text("First"))
    (site.root / "static").mkdir()
    (site.root / "static" / "CNAME").write_text("predictions.example.org\n")
    assert site.build() == 0
    (site.output / "mine.txt").write_text("the owner's")
    recorded = read_record(site.output)
    assert recorded == set(site.files()) - {"mine.txt"}
    data = json.loads((site.output / OWNERSHIP_FILE).read_text())
    assert data["files"] == sorted(data["files"])


def test_a_tampered_record_deletes_nothing_outside_the_output(
    site: SiteFolder, tmp_path: Path
) -> None:
    """Catches: trusting names like `../x` or `/etc/x` from a record that was edited."""
    site.write("p1.md", prediction_text("First"))
    assert site.build() == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    record = json.loads((site.output / OWNERSHIP_FILE).read_text())
    record["files"] += ["../../victim.txt", str(victim), "a/../../victim.txt"]
    (site.output / OWNERSHIP_FILE).write_text(json.dumps(record))
    _edit_a_title(site)
    assert site.build() == 0
    assert victim.read_text() == "keep me"


def test_the_sites_static_folder_is_copied_and_followed(site: SiteFolder) -> None:
    """Catches: no documented way to ship a CNAME, and a static file removed from the site
    left in the output for ever."""
    site.write("p1.md", prediction_text("First"))
    static = site.root / "static"
    (static / ".well-known").mkdir(parents=True)
    (static / "CNAME").write_text("predictions.example.org\n")
    (static / ".nojekyll").write_text("")
    (static / ".well-known" / "security.txt").write_text("Contact: mailto:a@example.org\n")
    assert site.build() == 0
    assert (site.output / "CNAME").read_text() == "predictions.example.org\n"
    assert (site.output / ".nojekyll").is_file()
    assert (site.output / ".well-known" / "security.txt").is_file()
    (static / ".well-known" / "security.txt").unlink()
    (static / "CNAME").write_text("forecasts.example.org\n")
    assert site.build() == 0, "a static file's change is seen by the up-to-date check"
    assert (site.output / "CNAME").read_text() == "forecasts.example.org\n"
    assert not (site.output / ".well-known").exists()


def test_a_static_file_the_build_makes_is_a_warning(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: a static file silently overwriting a page (or silently dropped)."""
    site.write("p1.md", prediction_text("First"))
    (site.root / "static").mkdir()
    (site.root / "static" / "index.html").write_text("mine")
    assert site.build() == 0
    assert "static/index.html: replaced by the file the build makes there" in (
        capsys.readouterr().err
    )
    assert site.html("").find("title") is not None


def test_repository_output_is_not_refused(tmp_path: Path) -> None:
    """The repository's own example builds into its default output/ (sanity check of the
    folder rule against the real layout)."""
    check_folder(REPO, REPO / "output")


def test_a_build_that_adds_files_and_removes_none_writes_the_record_once(
    site: SiteFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new files are recorded beside the record before they are moved in, and the record
    is written once, after (at 10,000 predictions with search, a write of it is about 50 ms).
    Catches: the record written again with the same names; and (the second build) the record
    not written again when files went."""
    site.write("p1.md", prediction_text("First", extra="tags: [solar]\n"))
    assert site.build() == 0
    writes: list[set[str]] = []
    real = staging.write_record
    monkeypatch.setattr(
        staging, "write_record", lambda out, names: (writes.append(set(names)), real(out, names))[1]
    )
    site.write("p2.md", prediction_text("Second", extra="tags: [wind]\n"))  # new files, none gone
    assert site.build() == 0
    assert len(writes) == 1 and writes[0] == read_record(site.output) == set(site.files())
    (site.root / "content" / "predictions" / "p2.md").unlink()  # its files go
    writes.clear()
    assert site.build() == 0
    assert len(writes) == 1 and writes[0] == read_record(site.output) == set(site.files())
