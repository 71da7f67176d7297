"""system/files.py: content digests of files, one by one and many at once."""

from __future__ import annotations

import hashlib
from pathlib import Path

from builder.system.files import file_digest, file_digests


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
