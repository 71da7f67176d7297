"""system/digests.py: content digests of files, one by one and many at once."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from builder.system.digests import BackgroundDigests, file_digest, file_digests


def test_file_digests_are_each_files_sha256_in_order_on_every_core(tmp_path: Path) -> None:
    # Catches: digests returned out of order by the workers (a restored file vouched for by
    # another's digest), a file read in part (one over the read size), an unreadable file
    # answered with a digest instead of None.
    paths = []
    for i in range(600):  # enough to fork the workers (system/workers.py)
        path = tmp_path / f"f{i}.html"
        path.write_bytes(f"file {i}\n".encode() * (i % 7))
        paths.append(path)
    big = tmp_path / "big.png"
    big.write_bytes(bytes(range(256)) * 9000)  # over the 1 MiB read
    paths += [big, tmp_path / "missing"]
    expected = [hashlib.sha256(p.read_bytes()).hexdigest()[:32] for p in paths[:-1]] + [None]
    assert file_digests(paths) == expected
    assert [file_digest(p) for p in paths] == expected


@pytest.mark.parametrize("count", [5, 600])
def test_background_digests_are_file_digests_in_order(tmp_path: Path, count: int) -> None:
    # Catches: the child's share and the caller's joined in the wrong order or cut at
    # different places (a restored file vouched for by another's digest), a missing file
    # answered with "" rather than None, a few files forked for.
    paths = []
    for i in range(count):  # 600: forked (system/workers.py's threshold), 5: not
        path = tmp_path / f"f{i}.html"
        path.write_bytes(f"file {i}\n".encode() * (i % 7))
        paths.append(str(path))
    paths.insert(count // 2, str(tmp_path / "missing"))
    begun = BackgroundDigests(paths)
    assert (begun._child is not None) == (count > 5)
    assert begun.result() == file_digests(paths)
    assert begun.result()[count // 2] is None
