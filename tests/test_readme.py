"""The project's own Markdown (README.md, docs/, benchmarks/): every link to a heading of the
same page or to a file of the repository leads somewhere."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import REPO
from markdown_it import MarkdownIt

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), REPO / "benchmarks/README.md"]


def _anchors(tokens: list) -> set[str]:
    """The ids GitHub gives the headings: lower case, punctuation dropped but hyphens,
    spaces as hyphens, a repeated one numbered."""
    seen: dict[str, int] = {}
    found = set()
    for heading, inline in pairwise(tokens):
        if heading.type != "heading_open":
            continue
        text = "".join(child.content for child in inline.children or [])
        slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def _links(tokens: list) -> list[str]:
    return [
        child.attrs["href"]
        for token in tokens
        for child in token.children or []
        if child.type == "link_open"
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_link_to_a_heading_or_a_file_leads_somewhere(page: Path) -> None:
    """(Catches a heading renamed while a link still names its old id, and a moved file.)"""
    parser = MarkdownIt("commonmark")
    tokens = parser.parse(page.read_text(encoding="utf-8"))
    broken = []
    for href in _links(tokens):
        if re.match(r"[a-z][a-z0-9+.-]*:", href):  # https:, mailto:: not ours to check
            continue
        path, _, fragment = href.partition("#")
        target = (page.parent / unquote(path)).resolve() if path else page
        if not target.exists() or (
            fragment
            and target.suffix == ".md"
            and fragment not in _anchors(parser.parse(target.read_text(encoding="utf-8")))
        ):
            broken.append(href)
    assert broken == []
