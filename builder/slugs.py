"""URL slugs: lower-case, ASCII-folded, hyphenated."""

from __future__ import annotations

import re
import unicodedata

SAFE_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def slugify(text: str) -> str:
    """ "Économie & Société" -> "economie-societe"."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-") or "untitled"


def is_safe_slug(slug: str) -> bool:
    """Slugs become folder names: no separators, dots, spaces or upper case."""
    return bool(SAFE_SLUG.match(slug))
