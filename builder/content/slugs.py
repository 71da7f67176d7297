"""URL slugs: lower-case, ASCII, hyphenated; other scripts transliterated (python-slugify).

One function makes every slug a name gets (category and tag pages, the `slug` filter their
links use, heading anchors, `foretell new` file names), so a link and its page always agree.
"""

from __future__ import annotations

import re
from functools import lru_cache

from slugify import slugify as _ascii_slug

SAFE_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")

# Marks that tell names apart: "C++", "C#" and "C" must not share a page. A leading "#" is
# a hashtag ("#MeToo" is "metoo"); after a letter it is "sharp" ("C#", "F#").
_SHARP = re.compile(r"(?<=\w)#")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=8192)  # templates ask for the same few tag names on every page
def slugify(text: str) -> str:
    """ "Économie & Société" -> "economie-societe", "日本" -> "ri-ben", "C++" -> "c-plus-plus";
    a name with nothing to transliterate ("🙂") -> its code points, "u-1f642"."""
    if text.isascii() and "+" not in text and "#" not in text:
        slug = _ascii(text)  # what the library makes of it, four times faster (headings)
    else:
        spelled = _SHARP.sub(" sharp ", text.replace("+", " plus "))
        # The library joins "1,000" into "1000"; earlier slugs said "1-000": URLs must last.
        spelled = spelled.replace(",", " ")
        slug = _ascii_slug(
            spelled, entities=False, decimal=False, hexadecimal=False, backend="text-unidecode"
        )
    return slug or _code_points(text)


def _ascii(text: str) -> str:
    return _NOT_ALNUM.sub("-", text.lower()).strip("-")


def _code_points(text: str) -> str:
    points = [f"{ord(char):x}" for char in text if not char.isspace()]
    return "u-" + "-".join(points) if points else "untitled"


def is_safe_slug(slug: str) -> bool:
    """Slugs become folder names: no separators, dots, spaces, control characters or upper
    case. The whole string must match: `$` would let a trailing newline through."""
    return SAFE_SLUG.fullmatch(slug) is not None
