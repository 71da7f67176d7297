"""`votes-manifest.json`, the file the build writes for the vote endpoint: which predictions
can be voted on, and until when (slug, target date and, once resolved, resolution date). Only
public facts, so it is published with the site; builder/votes/manifest.py reads it.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Mapping

FILE = "votes-manifest.json"
MANIFEST_VERSION = 1

# A slug travels in a URL path segment and in the comma-separated `ids` of the batch endpoint,
# so it may not contain "/", ",", URL delimiters, whitespace or control characters.
_SLUG_RE = re.compile(r"[^/,?#%\s\x00-\x1f\x7f]{1,1000}")


def is_valid_slug(slug: object) -> bool:
    return isinstance(slug, str) and _SLUG_RE.fullmatch(slug) is not None


def _iso(value: object, what: str) -> str:
    # datetime is a subclass of date; its isoformat() would leak a time of day.
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise ValueError(f"votes manifest: {what} must be a date")
    return value.isoformat()


def build_manifest(
    entries: Iterable[tuple[str, datetime.date]],
    resolved: Mapping[str, datetime.date] | None = None,
) -> bytes:
    """Serialise (slug, target_date) pairs, and the resolution date of each slug in `resolved`,
    as the manifest, byte-for-byte deterministic.

    Raises ValueError for a slug the endpoint could not route, or the same slug twice: better
    to fail the build than to publish a manifest the endpoint will refuse.
    """
    resolved = resolved or {}
    rows: dict[str, dict[str, str]] = {}
    for slug, target_date in entries:
        if not is_valid_slug(slug):
            raise ValueError(f"votes manifest: slug {slug!r} cannot be used in a URL")
        if slug in rows:
            raise ValueError(f"votes manifest: slug {slug!r} appears twice")
        row = {"slug": slug, "target_date": _iso(target_date, f"target date of {slug!r}")}
        if slug in resolved:  # absent, not null, when unresolved: as in older manifests
            row["resolution_date"] = _iso(resolved[slug], f"resolution date of {slug!r}")
        rows[slug] = row
    unknown = sorted(set(resolved) - set(rows))
    if unknown:
        raise ValueError(f"votes manifest: resolution date for unknown slug {unknown[0]!r}")
    # One prediction a line: readable diffs, and the C encoder (indent= would use the slow one).
    lines = ",\n".join("  " + json.dumps(rows[slug], ensure_ascii=False) for slug in sorted(rows))
    return f'{{"version": {MANIFEST_VERSION}, "predictions": [\n{lines}\n]}}\n'.encode()
