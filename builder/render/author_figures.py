"""`authors/<key>/figures.json`: the figures the author box on every prediction page shows
(predictions, points, accuracy), formatted as the pages format them.

Why a file and not the page: a resolution changes its author's points, a new prediction their
count, and a page that printed them would have to be rendered again, every one of that
author's, for each (about 2,000 pages for one `foretell resolve` at 10,000 predictions). The
box links the author's track record in any case; static/author-figures.js fills the figures in
from this file, so a page's bytes depend only on what is its own.
"""

from __future__ import annotations

import json

from builder.render.outputs import Memo, Output
from builder.render.templates import PageSpec, percent, signed_points
from builder.site.model import Site
from builder.trackrecord.records import AuthorStats

NONE = "\u2014"  # no scored prediction yet: a dash, not "0 points" or "0%", which read as a result


def figures_path(author: str) -> str:
    return f"authors/{author}/figures.json"


def figures(stats: AuthorStats) -> dict[str, str]:
    return {
        "predictions": str(stats.count),
        "points": signed_points(stats.points) if stats.scored else NONE,
        "accuracy": percent(stats.accuracy) if stats.accuracy is not None else NONE,
    }


def author_figure_files(site: Site, _specs: list[PageSpec], _memo: Memo) -> list[Output]:
    """One file per author with a page (every author of site.yaml, and any other who wrote)."""
    keys = dict.fromkeys([*site.stats, *(p.author for p in site.predictions)])
    outputs = []
    for key in keys:
        shown = figures(site.author_stats(key))
        outputs.append(Output(figures_path(key), shown, lambda shown=shown: _json(shown)))
    return outputs


def _json(shown: dict[str, str]) -> bytes:
    return (json.dumps(shown, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
