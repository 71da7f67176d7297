"""`comments:` in site.yaml: which existing comment system the prediction pages embed.

Two are supported, each configured as its own documentation says, and neither is on unless
site.yaml names it: Giscus (GitHub Discussions; https://giscus.app) and Isso (a self-hosted
server, SQLite; https://isso-comments.de). foretell writes their documented embed markup and
loads it when the reader scrolls to it; it has no comment code of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from builder.config.fields import FieldReader

COMMENTS_KEYS = ("giscus", "isso")
GISCUS_KEYS = (
    "repo", "repo_id", "category", "category_id", "mapping", "strict", "reactions",
    "input_position", "theme", "lang",
)  # fmt: skip
ISSO_KEYS = ("url",)
# The page-to-discussion mappings that need nothing more than the page (giscus.app lists
# `specific` and `number` too: they name one discussion, which every page would share).
GISCUS_MAPPINGS = ("pathname", "url", "title", "og:title")
GISCUS_POSITIONS = ("bottom", "top")
_REPO = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")  # the ids giscus.app shows: R_kgDO..., DIC_kwDO...


@dataclass(frozen=True)
class Giscus:
    """The `data-*` settings of giscus.app's `<script>`, one field each."""

    kind: ClassVar[str] = "giscus"  # what partials/comments.html asks
    repo: str
    repo_id: str
    category: str
    category_id: str
    mapping: str = "pathname"
    strict: bool = False
    reactions: bool = True
    input_position: str = "bottom"
    theme: str = "preferred_color_scheme"  # follows the reader's light or dark mode
    lang: str = "en"


@dataclass(frozen=True)
class Isso:
    kind: ClassVar[str] = "isso"
    url: str  # the Isso server, ending in "/": its script is url + "js/embed.min.js"


Comments = Giscus | Isso


def read_comments(r: FieldReader, language: str) -> Comments | None:
    """The comment system site.yaml configures, or None (the default: no comments)."""
    settings = r.mapping("comments")
    if settings is None:
        return None
    r.unknown_keys("comments", COMMENTS_KEYS)
    named = [key for key in COMMENTS_KEYS if key in settings]
    if len(named) != 1:
        r.report("comments", "name one comment system: giscus or isso")
        return None
    if named == ["giscus"]:
        return _giscus(r, language)
    return _isso(r)


def _giscus(r: FieldReader, language: str) -> Giscus | None:
    if r.mapping("comments.giscus", required=True) is None:
        return None
    r.unknown_keys("comments.giscus", GISCUS_KEYS)
    repo = _matching(r, "comments.giscus.repo", _REPO, "owner/name, as in github.com/owner/name")
    ids = [
        _matching(r, f"comments.giscus.{key}", _TOKEN, "the id giscus.app shows for it")
        for key in ("repo_id", "category_id")
    ]
    category = r.string("comments.giscus.category", required=True)
    mapping = r.choice("comments.giscus.mapping", GISCUS_MAPPINGS) or "pathname"
    position = r.choice("comments.giscus.input_position", GISCUS_POSITIONS) or "bottom"
    if repo is None or category is None or None in ids:
        return None
    return Giscus(
        repo=repo,
        repo_id=ids[0] or "",
        category=category,
        category_id=ids[1] or "",
        mapping=mapping,
        strict=r.boolean("comments.giscus.strict"),
        reactions=r.boolean("comments.giscus.reactions", default=True),
        input_position=position,
        theme=r.string("comments.giscus.theme") or Giscus.theme,
        lang=r.string("comments.giscus.lang") or language,
    )


def _isso(r: FieldReader) -> Isso | None:
    if r.mapping("comments.isso", required=True) is None:
        return None
    r.unknown_keys("comments.isso", ISSO_KEYS)
    url = r.url("comments.isso.url", required=True)
    if url is None:
        return None
    if "?" in url or "#" in url:
        r.report("comments.isso.url", f"must not have a query or a fragment, got {url!r}")
        return None
    return Isso(url=url.rstrip("/") + "/")


def _matching(r: FieldReader, field: str, pattern: re.Pattern[str], what: str) -> str | None:
    value = r.string(field, required=True)
    if value is not None and not pattern.match(value):
        r.report(field, f"expected {what}, got {value!r}")
        return None
    return value
