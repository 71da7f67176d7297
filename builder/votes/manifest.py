"""The votes manifest: which predictions can be voted on, and until when.

The static build writes it (builder/render/votes_manifest.py); the vote endpoint reads it
(``load_votables``) and follows its changes (``ManifestWatcher``). It holds only public facts —
slug, target date and, once resolved, resolution date — so it can be published with the site.
Manifests written before resolution dates were added still load (as unresolved predictions).
"""

from __future__ import annotations

import datetime
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from builder.render.votes_manifest import MANIFEST_VERSION, is_valid_slug

log = logging.getLogger("foretell.votes")


class ManifestError(Exception):
    """The manifest file is missing, unreadable or not a valid votes manifest."""


@dataclass(frozen=True)
class Votable:
    """A prediction in the manifest: until when it may be voted on."""

    target_date: datetime.date
    resolution_date: datetime.date | None = None

    def is_open(self, today: datetime.date) -> bool:
        """Open through the whole target date (UTC), and only while unresolved.

        A resolved prediction is closed whatever its resolution date: the site shows the outcome
        as soon as it is published, and a vote cast knowing it is no forecast.
        """
        return self.resolution_date is None and today <= self.target_date

    def closed_message(self, slug: str) -> str:
        if self.resolution_date is not None:
            return f"voting on {slug} closed: it was resolved ({self.resolution_date.isoformat()})"
        return f"voting on {slug} closed at the end of {self.target_date.isoformat()} (UTC)"


def load_votables(path: Path) -> dict[str, Votable]:
    """Read a manifest written by `build_manifest`; raise ManifestError saying what is wrong."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ManifestError(f"{path}: votes manifest not found (build the site first)") from None
    except OSError as exc:
        raise ManifestError(f"{path}: cannot read votes manifest: {exc.strerror}") from None
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ManifestError(f"{path}: votes manifest is not valid JSON: {exc}") from None
    return _parse(path, document)


def _parse(path: Path, document: object) -> dict[str, Votable]:
    if not isinstance(document, Mapping):
        raise ManifestError(f"{path}: votes manifest must be a JSON object")
    if document.get("version") != MANIFEST_VERSION:
        raise ManifestError(
            f"{path}: unsupported votes manifest version {document.get('version')!r} "
            f"(expected {MANIFEST_VERSION})"
        )
    predictions = document.get("predictions")
    if not isinstance(predictions, list):
        raise ManifestError(f"{path}: 'predictions' must be a list")
    result: dict[str, Votable] = {}
    for index, item in enumerate(predictions):
        where = f"{path}: predictions[{index}]"
        if not isinstance(item, Mapping):
            raise ManifestError(f"{where} must be an object")
        slug = item.get("slug")
        if not is_valid_slug(slug):
            raise ManifestError(f"{where}: invalid slug {slug!r}")
        assert isinstance(slug, str)  # narrowed by is_valid_slug, for the type checker
        if slug in result:
            raise ManifestError(f"{where}: slug {slug!r} appears twice")
        target_date = _parse_date(item.get("target_date"), f"{where}: target_date")
        resolution_date = None
        if "resolution_date" in item:  # missing from older manifests: not resolved
            resolution_date = _parse_date(item["resolution_date"], f"{where}: resolution_date")
        result[slug] = Votable(target_date, resolution_date)
    return result


def _parse_date(raw: object, what: str) -> datetime.date:
    try:
        if not isinstance(raw, str) or len(raw) != 10:
            raise ValueError
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise ManifestError(f"{what} must be YYYY-MM-DD, got {raw!r}") from None


@dataclass(frozen=True)
class _Loaded:
    """One version of the file, swapped in whole so readers never see half an update."""

    signature: tuple[int, int, int, int] | None  # (ino, size, mtime_ns, ctime_ns) at load
    predictions: Mapping[str, Votable]


class ManifestWatcher:
    """The current manifest, re-read whenever the file changes.

    `current()` costs one stat() per call, cheap enough to do on every request, and notices
    atomic replacements (inode) and in-place rewrites (size, mtime, and ctime, which catches
    even copies that preserve the mtime, like `cp -p`). When the new file is
    broken (for example caught mid-write by a non-atomic writer) the last good version stays in
    force, and the broken version is not re-parsed until it changes again.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._failed_signature: tuple[int, int, int, int] | None = None
        signature = self._stat()
        self._loaded = _Loaded(signature, load_votables(self.path))  # fail loudly at startup

    def current(self) -> Mapping[str, Votable]:
        signature = self._stat()
        if (
            signature is not None
            and signature != self._loaded.signature
            and signature != self._failed_signature
        ):
            self._load(signature)
        return self._loaded.predictions

    def reload(self) -> bool:
        """Re-read the file even if it looks unchanged (SIGHUP). True when it was loaded."""
        return self._load(self._stat())

    def _load(self, signature: tuple[int, int, int, int] | None) -> bool:
        try:
            predictions = load_votables(self.path)
        except ManifestError as exc:
            self._failed_signature = signature
            log.warning("keeping the previous votes manifest: %s", exc)
            return False
        self._loaded = _Loaded(signature, predictions)
        self._failed_signature = None
        log.info("loaded votes manifest %s: %d predictions", self.path, len(predictions))
        return True

    def _stat(self) -> tuple[int, int, int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None  # gone for now (being replaced?): keep serving the last good version
        return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
