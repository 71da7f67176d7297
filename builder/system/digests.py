"""Content digests: of input files (`source_digest`: the parse cache's and the shortcut's), of
output files (`file_digest`, and `output_digest` of bytes about to be written: what the manifest
records and a deploy checks), many at once on every core (`source_digests`, `file_digests`) or
in a forked child beside the caller (`BackgroundDigests`) for the thousands a deploy or a
restored checkout checks, and of keys (`digest`).

Two hashes, neither for security: output files are SHA-256, which the CPU's SHA instructions
(used by OpenSSL) hash about 2.5 times as fast as BLAKE2b, and a deploy hashes every output file
(600 MB at 10,000 predictions); inputs and keys are a short BLAKE2b, inputs being read anyway
and few beside the outputs."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from builder.system.files import ForkedJob


def file_digest(path: Path | str) -> str | None:
    """The content digest of a file, or None if it cannot be read. SHA-256: with the CPU's
    SHA instructions, which OpenSSL uses, it hashes about 2.5 times as fast as BLAKE2b, and a
    deploy hashes every output file (600 MB at 10,000 predictions)."""
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    # Read whole, by the descriptor: output files are small, and hashlib.file_digest zeroes a
    # 256 KiB buffer for each, which costs more than hashing them.
    h = hashlib.sha256()
    try:
        while chunk := os.read(handle, 1 << 20):
            h.update(chunk)
    except OSError:
        return None
    finally:
        os.close(handle)
    return h.hexdigest()[:32]  # as long as `digest`: the manifest holds one per output file


def output_digest(data: bytes) -> str:
    """`file_digest` of a file holding `data`."""
    return hashlib.sha256(data).hexdigest()[:32]


def source_digest(data: bytes) -> str:
    """The digest of an input file's bytes: the parse cache's and the shortcut's, the same
    short BLAKE2b as keys' (`digest`): inputs are read anyway, and are few beside the
    outputs."""
    return digest(data)


def source_digests(root: Path, names: Sequence[str]) -> list[str | None]:
    """`source_digest` of each input file under `root` (None if it cannot be read), in
    order, on every core."""
    from builder.system.workers import map_forked

    return map_forked(partial(_source_digest, f"{root}{os.sep}"), names)


def _source_digest(folder: str, name: str) -> str | None:
    try:
        with open(folder + name, "rb") as handle:
            return source_digest(handle.read())
    except OSError:
        return None


def file_digests(paths: Sequence[Path | str]) -> list[str | None]:
    """`file_digest` of each path, in order, on every core: a deploy checks every output
    file it restored (50,000 at 10,000 predictions, where a core hashes 600 MB in a second).
    Processes, not threads: opening and reading so many small files holds the GIL."""
    from builder.system.workers import map_forked  # only a deploy's build forks for this

    return map_forked(file_digest, paths)


class BackgroundDigests:
    """`file_digests(paths)`, begun now: a forked child digests most of them while the caller
    goes on (a deploy's build loads its site meanwhile, on the other core), and the caller
    digests the rest when it asks (`result`)."""

    # The child's share: the caller loads the site (about half the time the digests take on
    # one core) before it starts on its own share.
    CHILD_SHARE = 0.7

    def __init__(self, paths: Sequence[str]) -> None:
        from builder.system.workers import PARALLEL_THRESHOLD  # see file_digests

        self._paths = paths
        self._answer: list[str | None] | None = None
        self._cut = int(len(paths) * self.CHILD_SHARE)
        theirs = paths[: self._cut]
        self._child = (  # none for a few files
            ForkedJob.start(lambda: "\n".join(file_digest(p) or "" for p in theirs).encode())
            if len(paths) >= PARALLEL_THRESHOLD
            else None
        )

    def result(self) -> list[str | None]:
        if self._answer is None:
            if self._child is None:
                self._answer = file_digests(self._paths)
                return self._answer
            mine = [file_digest(path) for path in self._paths[self._cut :]]
            theirs = self._child.answer().decode().split("\n")
            if len(theirs) != self._cut:  # the child failed: do its share here
                theirs = [file_digest(path) or "" for path in self._paths[: self._cut]]
            self._answer = [found or None for found in theirs] + mine
        return self._answer


def digest(data: bytes) -> str:
    """A short digest of `data`, for keys: not for security."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()
