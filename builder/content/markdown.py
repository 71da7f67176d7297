"""Markdown to HTML: CommonMark plus tables, footnotes, strikethrough, heading anchors,
Pygments highlighting (CSS classes) and numbered citations `[n]` linked to the references."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from builder.content.slugs import slugify

if TYPE_CHECKING:  # Pygments is imported on the first code block: a body edit often has none
    from pygments.formatters import HtmlFormatter
    from pygments.lexer import Lexer

CITATION = re.compile(r"\[(\d{1,3})\]")
_LINK_DEPTH = {"link_open": 1, "link_close": -1}  # citations are not looked for inside links


@dataclass(frozen=True)
class Citation:
    number: int
    line: int  # 0-based line within the Markdown body


@dataclass(frozen=True)
class Rendered:
    html: str
    summary: str  # plain text of the first paragraph
    citations: tuple[Citation, ...]


def render(body: str) -> Rendered:
    env: dict[str, object] = {"citations": []}
    md = _parser()
    tokens = md.parse(body, env)
    html = md.renderer.render(tokens, md.options, env)
    citations = env["citations"]
    assert isinstance(citations, list)
    return Rendered(html=html, summary=_summary(tokens), citations=tuple(citations))


@cache
def _parser() -> MarkdownIt:
    """One configured parser per process; building it costs more than a short article."""
    # The defaults of "tasklists" and "strikethrough_single_tilde" stated: markdown-it-py
    # looks them up for every list and paragraph, and a missing key costs an exception each
    # time (~3% of all Markdown rendering).
    options = {"tasklists": False, "strikethrough_single_tilde": False}
    md = MarkdownIt("commonmark", {"highlight": _highlight, "html": True, **options})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=2, max_level=4, slug_func=slugify)
    md.core.ruler.push("citations", _citations)
    return md


def _highlight(code: str, lang: str, _attrs: str) -> str:
    lexer = _lexer(lang) if lang else None
    if lexer is None:
        return ""  # markdown-it escapes and wraps the code itself
    from pygments import highlight

    inner = highlight(code, lexer, _formatter())
    return (
        f'<pre class="highlight"><code class="language-{escapeHtml(lang)}">{inner}</code></pre>\n'
    )


# Made once per process, not once per code block (that was 7% of all Markdown rendering).
@cache
def _lexer(lang: str) -> Lexer | None:
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(lang)
    except ClassNotFound:
        return None


@cache
def _formatter() -> HtmlFormatter[str]:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True)


def _citations(state: StateCore) -> None:
    """Turn `[n]` in plain text into links to reference n, outside code and links."""
    found: list[Citation] = state.env["citations"]
    for block in state.tokens:
        if block.type != "inline" or not block.children or not _may_cite(block.content):
            continue
        line = block.map[0] if block.map else 0
        depth = 0
        children: list[Token] = []
        for child in block.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            depth += _LINK_DEPTH.get(child.type, 0)
            if child.type == "text" and depth == 0 and CITATION.search(child.content):
                children.extend(_split_citations(child, line, found))
            else:
                children.append(child)
        block.children = children


def _may_cite(source: str) -> bool:
    # Most paragraphs cite nothing: skip their tokens. An entity could spell a bracket.
    return CITATION.search(source) is not None or "&" in source


def _split_citations(token: Token, line: int, found: list[Citation]) -> list[Token]:
    parts: list[Token] = []
    position = 0
    for match in CITATION.finditer(token.content):
        number = int(match.group(1))
        found.append(Citation(number, line))
        parts.append(_text(token.content[position : match.start()]))
        link = Token("html_inline", "", 0)
        link.content = (
            f'<a class="citation" href="#ref-{number}" '
            f'aria-label="Reference {number}">[{number}]</a>'
        )
        parts.append(link)
        position = match.end()
    parts.append(_text(token.content[position:]))
    return [part for part in parts if part.content]


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _summary(tokens: list[Token]) -> str:
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and index + 1 < len(tokens):
            children = tokens[index + 1].children or []
            text = "".join(
                " " if c.type in ("softbreak", "hardbreak") else c.content
                for c in children
                if c.type in ("text", "code_inline", "softbreak", "hardbreak")
            )
            return " ".join(text.split())
    return ""


def pygments_css() -> str:
    """Highlighting styles for light and dark schemes, for the theme's stylesheet."""
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style="friendly").get_style_defs(".highlight")
    dark = HtmlFormatter(style="monokai").get_style_defs(".highlight")
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
