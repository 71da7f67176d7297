"""The votes manifest: deterministic output, strict loading, and following file changes."""

from __future__ import annotations

import datetime
import json
import logging
import os
from pathlib import Path

import pytest

from builder.render.votes_manifest import build_manifest
from builder.votes.manifest import ManifestError, ManifestWatcher, Votable, load_votables

D1 = datetime.date(2030, 1, 31)
D2 = datetime.date(2031, 12, 1)
R = datetime.date(2029, 6, 2)  # a resolution date, before both target dates


def test_build_manifest_is_exact_sorted_json_with_trailing_newline() -> None:
    data = build_manifest([("zeta", D2), ("alpha", D1)])
    assert data == (
        b'{"version": 1, "predictions": [\n'
        b'  {"slug": "alpha", "target_date": "2030-01-31"},\n'
        b'  {"slug": "zeta", "target_date": "2031-12-01"}\n'
        b"]}\n"
    )


def test_build_manifest_does_not_depend_on_input_order() -> None:
    # Catches emitting in input order: rebuilds would then produce spurious diffs.
    entries = [(f"p{i}", D1 + datetime.timedelta(days=i)) for i in range(20)]
    assert build_manifest(entries) == build_manifest(reversed(entries))


def test_build_manifest_accepts_any_iterable_and_empty() -> None:
    assert json.loads(build_manifest(iter([]))) == {"version": 1, "predictions": []}


@pytest.mark.parametrize("slug", ["", "a/b", "a,b", "a b", "a?b", "a#b", "a%20b", "x" * 1001])
def test_build_manifest_refuses_slugs_the_endpoint_cannot_route(slug: str) -> None:
    with pytest.raises(ValueError, match="slug"):
        build_manifest([(slug, D1)])


def test_build_manifest_refuses_duplicate_slugs() -> None:
    # Two dates for one slug: the endpoint could only honour one of them, silently.
    with pytest.raises(ValueError, match="twice"):
        build_manifest([("a", D1), ("a", D2)])


def test_build_manifest_refuses_datetimes() -> None:
    # A datetime would serialise with a time of day that load_votables then rejects.
    with pytest.raises(ValueError, match="date"):
        build_manifest([("a", datetime.datetime(2030, 1, 1, 12, 0))])


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "votes-manifest.json"
    path.write_bytes(build_manifest([("b", D2), ("a", D1), ("ünïcode-slug", D1)], {"b": R}))
    assert load_votables(path) == {
        "a": Votable(D1),
        "b": Votable(D2, R),
        "ünïcode-slug": Votable(D1),
    }


def test_resolution_date_is_written_only_for_resolved_predictions() -> None:
    # Unresolved rows are byte-for-byte what they were before resolution dates existed.
    assert build_manifest([("zeta", D2), ("alpha", D1)], {"zeta": R}) == (
        b'{"version": 1, "predictions": [\n'
        b'  {"slug": "alpha", "target_date": "2030-01-31"},\n'
        b'  {"slug": "zeta", "target_date": "2031-12-01", "resolution_date": "2029-06-02"}\n'
        b"]}\n"
    )


def test_a_manifest_without_resolution_dates_still_loads(tmp_path: Path) -> None:
    # Written by a build from before resolution dates: every prediction is unresolved.
    path = tmp_path / "m.json"
    path.write_bytes(b'{"version": 1, "predictions": [{"slug": "a", "target_date": "2030-01-31"}]}')
    assert load_votables(path) == {"a": Votable(D1, None)}


def test_build_manifest_refuses_bad_resolutions() -> None:
    with pytest.raises(ValueError, match="unknown slug 'ghost'"):
        build_manifest([("a", D1)], {"ghost": R})
    with pytest.raises(ValueError, match="resolution date of 'a' must be a date"):
        build_manifest([("a", D1)], {"a": datetime.datetime(2029, 6, 2, 12, 0)})


def test_voting_closes_at_the_target_date_or_at_the_resolution() -> None:
    assert Votable(D1).is_open(D1) and not Votable(D1).is_open(D1 + datetime.timedelta(days=1))
    # Resolved: closed, even while the target date is ahead and whatever the resolution date
    # (one in the future only means the author's calendar is ahead of UTC).
    for resolved_on in (R, D1, D2):
        assert not Votable(D1, resolved_on).is_open(R - datetime.timedelta(days=1))
    assert "resolved (2029-06-02)" in Votable(D1, R).closed_message("a")
    assert "end of 2030-01-31" in Votable(D1).closed_message("a")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[]", "JSON object"),
        (b'{"version": 2, "predictions": []}', "version"),
        (b'{"predictions": []}', "version"),
        (b'{"version": 1}', "'predictions' must be a list"),
        (b'{"version": 1, "predictions": ["a"]}', r"predictions\[0\] must be an object"),
        (b'{"version": 1, "predictions": [{"target_date": "2030-01-01"}]}', "invalid slug"),
        (b'{"version": 1, "predictions": [{"slug": "a/b", "target_date": "2030-01-01"}]}', "slug"),
        (b'{"version": 1, "predictions": [{"slug": "a"}]}', "target_date"),
        (b'{"version": 1, "predictions": [{"slug": "a", "target_date": "2030-13-01"}]}', "YYYY"),
        (b'{"version": 1, "predictions": [{"slug": "a", "target_date": "20300101"}]}', "YYYY"),
        (b'{"version": 1, "predictions": [{"slug": "a", "target_date": 20300101}]}', "YYYY"),
        (
            b'{"version": 1, "predictions": [{"slug": "a", "target_date": "2030-01-01",'
            b' "resolution_date": "2029-6-2"}]}',
            r"predictions\[0\]: resolution_date must be YYYY-MM-DD",
        ),
        (
            b'{"version": 1, "predictions": [{"slug": "a", "target_date": "2030-01-01",'
            b' "resolution_date": null}]}',
            "resolution_date must be YYYY-MM-DD",
        ),
        (
            b'{"version": 1, "predictions": [{"slug": "a", "target_date": "2030-01-01"},'
            b' {"slug": "a", "target_date": "2030-01-02"}]}',
            "twice",
        ),
    ],
)
def test_load_manifest_rejects_invalid_files_clearly(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "m.json"
    path.write_bytes(content)
    with pytest.raises(ManifestError, match=message) as info:
        load_votables(path)
    assert str(path) in str(info.value)  # the operator needs to know which file


def test_load_manifest_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="not found"):
        load_votables(tmp_path / "nope.json")


def test_load_manifest_directory_is_a_manifest_error(tmp_path: Path) -> None:
    # An OSError other than "not found" must not escape as a traceback either.
    with pytest.raises(ManifestError, match="cannot read"):
        load_votables(tmp_path)


def _write(path: Path, entries: list[tuple[str, datetime.date]]) -> None:
    path.write_bytes(build_manifest(entries))


def test_watcher_sees_a_rewrite(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    _write(path, [("a", D1)])
    watcher = ManifestWatcher(path)
    assert dict(watcher.current()) == {"a": Votable(D1)}
    _write(path, [("a", D1), ("bb", D2)])
    assert dict(watcher.current()) == {"a": Votable(D1), "bb": Votable(D2)}


def test_watcher_sees_same_size_rewrite_with_preserved_mtime(tmp_path: Path) -> None:
    # Like `cp -p` over the file: same inode, same size, same mtime. Only ctime differs, so
    # this catches a watcher that compares just size and mtime.
    path = tmp_path / "m.json"
    _write(path, [("aa", D1)])
    before = os.stat(path)
    watcher = ManifestWatcher(path)
    _write(path, [("bb", D1)])
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size
    assert dict(watcher.current()) == {"bb": Votable(D1)}


def test_watcher_sees_atomic_replacement(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    _write(path, [("a", D1)])
    watcher = ManifestWatcher(path)
    new = tmp_path / "m.json.tmp"
    _write(new, [("b", D1)])
    os.replace(new, path)
    assert dict(watcher.current()) == {"b": Votable(D1)}


def test_watcher_keeps_last_good_manifest_and_logs_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "m.json"
    _write(path, [("a", D1)])
    watcher = ManifestWatcher(path)
    path.write_text('{"version": 1, "predictions": [')  # a writer caught mid-write
    with caplog.at_level(logging.WARNING, logger="foretell.votes"):
        assert dict(watcher.current()) == {"a": Votable(D1)}
        assert dict(watcher.current()) == {"a": Votable(D1)}
    # Not re-parsed (and re-logged) on every request while it stays broken.
    assert len([r for r in caplog.records if "keeping the previous" in r.message]) == 1
    _write(path, [("c", D2)])
    assert dict(watcher.current()) == {"c": Votable(D2)}


def test_watcher_keeps_manifest_while_file_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    _write(path, [("a", D1)])
    watcher = ManifestWatcher(path)
    path.unlink()
    assert dict(watcher.current()) == {"a": Votable(D1)}


def test_watcher_forced_reload_rereads_unchanged_looking_file(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    _write(path, [("a", D1)])
    watcher = ManifestWatcher(path)
    calls = []
    original = watcher._load

    def counting_load(signature: tuple[int, int, int, int] | None) -> bool:
        calls.append(signature)
        return original(signature)

    watcher._load = counting_load  # type: ignore[method-assign]
    watcher.current()
    assert calls == []  # unchanged file: no re-read per request
    assert watcher.reload() is True
    assert len(calls) == 1


def test_watcher_refuses_to_start_without_a_valid_manifest(tmp_path: Path) -> None:
    with pytest.raises(ManifestError):
        ManifestWatcher(tmp_path / "missing.json")
