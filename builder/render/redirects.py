"""Links that never break: for each alias of a prediction (front matter `aliases:`), a redirect
page at the old address, as Hugo makes them (an immediate meta refresh, a canonical link to the
page, and a visible link for whatever ignores both), and a line of `_redirects`, which Netlify
and Cloudflare Pages answer with a real `301 Moved Permanently` before any page is served.
"""

from __future__ import annotations

from collections.abc import Iterator

from builder.content import aliases
from builder.content.model import Prediction
from builder.render.outputs import Memo, Output
from builder.render.templates import PageSpec
from builder.site import urls
from builder.site.model import Site

ALIAS_TEMPLATE = "alias.html"
REDIRECTS_FILE = "_redirects"


def alias_pages(p: Prediction) -> Iterator[PageSpec]:
    for alias in p.aliases:
        # All it shows, so all that re-renders it.
        context = {"title": p.title, "target": p.url}
        yield PageSpec(aliases.output_path(alias), alias, ALIAS_TEMPLATE, context)


def redirects_files(site: Site, _specs: list[PageSpec], _memo: Memo) -> list[Output]:
    """The pipeline extra: `_redirects`, one `/old/ /new/ 301` line per alias (none without
    aliases, so that a site's own `static/_redirects` stands)."""
    root = urls.root_path(site.config.url)
    moves = tuple(
        (f"{root}{alias}", f"{root}{p.url}")
        for p in sorted(site.predictions, key=lambda p: p.slug)
        for alias in p.aliases
    )
    if not moves:
        return []
    return [Output(REDIRECTS_FILE, {"moves": moves}, lambda: redirects(moves))]


def redirects(moves: tuple[tuple[str, str], ...]) -> bytes:
    lines = ["# Made by foretell from the predictions' aliases: old address, new one, status."]
    lines += [f"{old} {new} 301" for old, new in moves]
    return ("\n".join(lines) + "\n").encode("utf-8")
