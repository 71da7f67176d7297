"""Writing the output: changed files only, all or nothing, stale files removed."""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Mapping
from pathlib import Path

import pytest

from builder.system.files import Stat, output_stats
from builder.write import staging as write
from builder.write.ownership import (
    _FORMAT,
    ADDITIONS_FILE,
    OWNERSHIP_FILE,
    read_record,
    write_record,
)
from builder.write.staging import Staging


def write_output(
    out: Path, files: Mapping[str, bytes], *, keep: Collection[str] = (), clean: bool = False
) -> set[str]:
    """Make `out` hold exactly `files` plus `keep` of what builds write, in one go, as a
    build does (through a `Staging`); return the names written."""
    with Staging(out, output_stats(out.resolve()), clean) as staging:
        for name in sorted(files):
            staging.add(name, files[name])
        return staging.commit(keep)


def _tree(out: Path) -> dict[str, bytes]:
    """The output's files, but for the record of what the build wrote (tested on its own)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and p.name != OWNERSHIP_FILE
    }


def test_writes_only_what_changed_and_removes_what_is_gone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_output(out, {"a/index.html": b"A", "b/index.html": b"B", "old/deep/x.txt": b"X"})
    mtime_a = (out / "a/index.html").stat().st_mtime_ns
    written = write_output(out, {"a/index.html": b"A", "b/index.html": b"B2", "c.txt": b"C"})
    assert written == {"b/index.html", "c.txt"}
    assert _tree(out) == {"a/index.html": b"A", "b/index.html": b"B2", "c.txt": b"C"}
    assert (out / "a/index.html").stat().st_mtime_ns == mtime_a
    assert not (out / "old").exists(), "emptied folders are removed"


def test_kept_files_stay_and_clean_rewrites_everything(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_output(out, {"page.html": b"P", "feed.xml": b"F"})
    assert write_output(out, {"feed.xml": b"F"}, keep={"page.html"}) == set()
    assert _tree(out) == {"page.html": b"P", "feed.xml": b"F"}
    assert write_output(out, {"feed.xml": b"F"}, keep={"page.html"}, clean=True) == {"feed.xml"}


def _fill_the_disk_at_the_second_write(monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = write._write_file
    calls = []

    def full_disk(path: Path, data: bytes) -> Stat:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_write(path, data)

    monkeypatch.setattr(write, "_write_file", full_disk)


def test_a_failure_while_staging_leaves_the_output_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    write_output(out, {"a.html": b"old a", "b.html": b"old b"})
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    _fill_the_disk_at_the_second_write(monkeypatch)
    with pytest.raises(OSError):
        write_output(out, {"a.html": b"new a", "b.html": b"new b"})
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "no staging folder left behind"


def test_output_is_readable_by_a_web_server_running_as_another_user(tmp_path: Path) -> None:
    # Staging in a mkdtemp() folder (mode 0700) must not leak that mode into the output.
    out = tmp_path / "out"
    write_output(out, {"a/index.html": b"A"})
    for path in (out, out / "a", out / "a" / "index.html"):
        assert path.stat().st_mode & 0o004, path


def test_a_new_output_is_staged_whole_and_a_failure_leaves_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches: a half-written output folder appearing when the first build fails."""
    _fill_the_disk_at_the_second_write(monkeypatch)
    with pytest.raises(OSError):
        write_output(tmp_path / "out", {"a/index.html": b"A", "b/index.html": b"B"})
    assert list(tmp_path.iterdir()) == [], "neither an output nor a staging folder"
    monkeypatch.undo()
    assert write_output(tmp_path / "out", {"a/index.html": b"A"}) == {"a/index.html"}
    assert _tree(tmp_path / "out") == {"a/index.html": b"A"}


def test_a_symlinked_output_stays_a_symlink(tmp_path: Path) -> None:
    """Catches: renaming the staged tree over a symlink that a web server points at."""
    target = tmp_path / "www"
    target.mkdir()
    (tmp_path / "out").symlink_to(target)
    write_output(tmp_path / "out", {"a/index.html": b"A"})
    assert (tmp_path / "out").is_symlink()
    assert _tree(target) == {"a/index.html": b"A"}


def test_an_output_that_cannot_be_replaced_is_filled_file_by_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches: a build that fails when the output folder is a mount point (rename: EBUSY)."""
    out = tmp_path / "out"
    out.mkdir()
    real_replace = os.replace

    def busy(src: str | Path, dst: str | Path) -> None:
        if Path(src).is_dir():
            raise OSError(16, "Device or resource busy")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", busy)
    monkeypatch.setattr(Path, "rmdir", lambda self: None)  # a mount point stays
    write_output(out, {"a/index.html": b"A", "b.txt": b"B"})
    assert _tree(out) == {"a/index.html": b"A", "b.txt": b"B"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "no staging folder left behind"


def test_the_record_is_rewritten_only_when_the_set_of_files_changes(tmp_path: Path) -> None:
    # Catches: the record of 53,600 names written (twice) by every build at 10,000, though
    # most builds add or remove no file; or not rewritten when they do.
    out = tmp_path / "out"
    write_output(out, {"a.html": b"A", "b.html": b"B"})
    record = out / OWNERSHIP_FILE
    before = record.stat().st_ino, record.stat().st_mtime_ns
    write_output(out, {"a.html": b"A2", "b.html": b"B"})
    assert (record.stat().st_ino, record.stat().st_mtime_ns) == before
    write_output(out, {"a.html": b"A2"})
    assert json.loads(record.read_text(encoding="utf-8"))["files"] == ["a.html"]
    write_output(out, {"a.html": b"A2", "c/d.html": b"D"})
    assert json.loads(record.read_text(encoding="utf-8"))["files"] == ["a.html", "c/d.html"]


def test_files_added_and_gone_cost_one_write_of_the_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What a shortcut that re-indexes a search shard does (its bundle's files are renamed).
    # Catches: the whole record written before moving in and again after (two writes of
    # 65,000 names at 10,000 predictions with search), or the new files not recorded first.
    out = tmp_path / "out"
    write_output(out, {"a.html": b"A", "old.pf": b"1"})
    writes: list[tuple[str, set[str]]] = []
    real_write = write.write_record
    monkeypatch.setattr(
        write, "write_record", lambda o, n: (writes.append(("record", set(n))), real_write(o, n))
    )
    real_add = write.record_additions

    def record_additions(o: Path, n: set[str]) -> None:
        writes.append(("additions", set(n)))
        real_add(o, n)

    monkeypatch.setattr(write, "record_additions", record_additions)
    write_output(out, {"a.html": b"A", "new.pf": b"2"})
    assert writes == [("additions", {"new.pf"}), ("record", {"a.html", "new.pf"})]
    assert read_record(out) == {"a.html", "new.pf"} and not (out / ADDITIONS_FILE).exists()


def test_a_build_killed_while_moving_in_leaves_its_files_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Catches: a new file moved in before it is recorded (after a kill, no build would ever
    # delete it); the additions left beside the record by the next build (its output then
    # differs from a clean build's).
    out = tmp_path / "out"
    write_output(out, {"a.html": b"A", "old.txt": b"O"})
    real_replace, moved = os.replace, []

    def killed(src: str, dst: str) -> None:
        if moved:
            raise KeyboardInterrupt  # killed after the first file is in
        moved.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(write.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        write_output(out, {"a.html": b"A2", "b.html": b"B", "c.html": b"C"})
    assert moved and read_record(out) == {"a.html", "old.txt", "b.html", "c.html"}
    moved.clear()  # killed again, adding another file: the first one's additions stay
    with pytest.raises(KeyboardInterrupt):
        write_output(out, {"b.html": b"B", "c.html": b"C", "d.html": b"D"})
    assert read_record(out) == {"a.html", "old.txt", "b.html", "c.html", "d.html"}
    monkeypatch.setattr(write.os, "replace", real_replace)
    files = {"a.html": b"A", "b.html": b"B", "c.html": b"C", "d.html": b"D", "old.txt": b"O"}
    write_output(out, files)  # exactly the files recorded: the additions go all the same
    assert _tree(out) == files and read_record(out) == set(files)
    write_output(out, {"a.html": b"A"})
    assert _tree(out) == {"a.html": b"A"}


@pytest.mark.parametrize("names", [[], ["a.html"], ["z/é.html", 'q"uote,\n y', "a b/c.html"]])
def test_the_record_has_the_bytes_of_json_with_indent_0(tmp_path: Path, names: list[str]) -> None:
    # Catches: the fast encoding drifting from the record's documented form (json, indent 0),
    # which an earlier foretell wrote and reads.
    write_record(tmp_path, names)
    expected = json.dumps({"format": _FORMAT, "files": sorted(names)}, indent=0) + "\n"
    assert (tmp_path / OWNERSHIP_FILE).read_text(encoding="utf-8") == expected
