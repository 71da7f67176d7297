"""Search on a static host: the Pagefind index of the predictions, and the search page.

With `search: true` in site.yaml, every published prediction becomes one search document: its
title, statement and article (nothing of the masthead, navigation or footer), with the status,
target date and statement as metadata the results show, and status, category, tags and author
as filters. Pagefind turns the documents into static files under `pagefind/` that the search
page's script queries in the browser.

Pagefind takes a few milliseconds per prediction and has no incremental mode, so the index is
split into shards by a hash of each prediction's slug: `pagefind/` holds shard 0 and the
runtime, `pagefind/1/`... the others, which the search page merges at query time
(`mergeIndex`). A shard is made again only when one of its documents changed (its key covers
each prediction's file digest and status on today, the site's authors and language, and
Pagefind's version): an edit re-indexes one shard, not the site. The shard count grows by
doubling, so it changes (and re-indexes everything) only when the site doubles in size.
Bundles are kept in the build's memo between builds.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import partial

from markupsafe import Markup, escape

from builder.content.model import Prediction
from builder.errors import BuildFailed, Problem
from builder.render import pagefind_files
from builder.render.outputs import Memo, Output
from builder.render.pagefind import Document, PagefindError, index_batches, pagefind_binary
from builder.render.templates import PageSpec, longdate
from builder.site.model import Site

FOLDER = "pagefind/"
PAGE = "search/"
PAGE_FILE = f"{PAGE}index.html"
SHARD_SIZE = 128  # predictions per shard at most: see benchmarks/README.md
FILTERS = ("status", "category", "tag", "author")  # search.html has a <select> for each
FORMAT = 1  # bump when documents() changes what it writes


def shard_count(predictions: int) -> int:
    """1 up to SHARD_SIZE predictions, then the power of two that keeps shards that small."""
    count = 1
    while predictions > count * SHARD_SIZE:
        count *= 2
    return count


def shard_of(slug: str, shards: int) -> int:
    return int.from_bytes(hashlib.blake2b(slug.encode(), digest_size=4).digest(), "big") % shards


def shard_folder(shard: int) -> str:
    return FOLDER if shard == 0 else f"{FOLDER}{shard}/"


def search_page(site: Site) -> list[PageSpec]:
    """The search page, when search is on: its script merges every shard. The filters' values
    and counts are in the page, so that the script need not fetch every shard's filter files
    (four per shard) before the reader has typed a word."""
    if not site.config.search:
        return []
    predictions = _indexed(site)
    shards = shard_count(len(predictions))
    context = {
        "shard_folders": [shard_folder(k) for k in range(1, shards)],
        "filters": filter_counts(site, predictions),
    }
    return [PageSpec(PAGE_FILE, PAGE, "search.html", context)]


def filter_counts(
    site: Site, predictions: Sequence[Prediction]
) -> dict[str, list[tuple[str, int]]]:
    """Each filter's values with the number of predictions holding each, as Pagefind counts
    them, sorted by value (case aside)."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in FILTERS}
    for p in predictions:
        for name, values in filters(site, p).items():
            counts[name].update(values)
    return sorted_counts(counts)


def sorted_counts(counts: Mapping[str, Counter[str]]) -> dict[str, list[tuple[str, int]]]:
    """Each filter's values held by any prediction, with their counts, in the page's order."""
    return {
        name: sorted((+found).items(), key=lambda pair: (pair[0].casefold(), pair[0]))
        for name, found in counts.items()
    }


def members(site: Site) -> list[list[Prediction]]:
    """The indexed predictions of each shard, in the site's order."""
    predictions = _indexed(site)
    found: list[list[Prediction]] = [[] for _ in range(shard_count(len(predictions)))]
    for p in predictions:
        found[shard_of(p.slug, len(found))].append(p)
    return found


def search_files(site: Site, _specs: list[PageSpec], memo: Memo) -> list[Output]:
    """The pipeline extra: every file of every shard, each shard indexed only when its key
    (a digest of what its documents are made from) is not in `memo`."""
    if not site.config.search:
        return []
    groups = members(site)
    keys = [shard_key(site, group) for group in groups]
    memo.fill(keys, partial(index_missing, site, groups))
    outputs = []
    for shard, key in enumerate(keys):
        for path, data in sorted(shard_outputs(shard, memo.get(key, dict)).items()):
            # The file's key covers its path already: the shard's key is all it adds.
            outputs.append(Output(path, {"shard": key}, partial(bytes, data)))
    return outputs


def shard_outputs(shard: int, bundle: Mapping[str, bytes]) -> dict[str, bytes]:
    """The output files of a shard's bundle: the runtime (the same in every bundle) is
    published once, with shard 0."""
    folder = shard_folder(shard)
    return {
        folder + path: data
        for path, data in bundle.items()
        if shard == 0 or not pagefind_files.is_runtime(path)
    }


def _indexed(site: Site) -> list[Prediction]:
    return [p for p in site.predictions if not p.draft]


def shard_key(site: Site, group: Sequence[Prediction]) -> str:
    """Everything the shard's bytes are made from: Pagefind's version, the site's language
    and authors (their names are a filter), and each prediction's file and status today."""
    config = site.config
    what = (
        FORMAT,
        str(pagefind_binary()),
        config.language,
        [(a.key, a.name) for a in config.authors],
        [(p.slug, p.digest, site.status(p).key) for p in group],
    )
    return Memo.key("search-shard", hashlib.sha256(repr(what).encode()).hexdigest())


def index_missing(
    site: Site, groups: Sequence[Sequence[Prediction]], missing: list[int]
) -> list[dict[str, bytes]]:
    """The missing shards' bundles; a Pagefind that cannot run fails the build with one line
    (the output is left as it was), not a traceback."""
    batches = [[document(site, p) for p in groups[shard]] for shard in missing]
    try:
        return index_batches(batches, site.config.language, processes=os.cpu_count() or 1)
    except (PagefindError, OSError) as exc:
        message = f"the search index could not be made ({exc}); `search: false` turns it off"
        raise BuildFailed([Problem("site.yaml", None, "search", message)]) from exc


def document(site: Site, p: Prediction) -> Document:
    """What Pagefind reads of a prediction: only what `data-pagefind-body` marks is indexed;
    the metadata and filters beside it are read but not indexed (`data-pagefind-ignore`)."""
    status = site.status(p)
    meta = {
        "statement": p.statement,
        "status": status.label,
        "status_key": status.key,
        "target_date": longdate(p.target_date),
        "target_iso": p.target_date.isoformat(),
    }
    html = Markup(
        '<!DOCTYPE html><html lang="{lang}"><head><title>{title}</title></head><body>'
        "<main data-pagefind-body>"
        '<h1 data-pagefind-meta="title">{title}</h1>'
        '<p class="statement">{statement}</p>{body}'
        '<div data-pagefind-ignore="index">{meta}{filters}</div>'
        "</main></body></html>"
    ).format(
        lang=site.config.language,
        title=p.title,
        statement=p.statement,
        body=Markup(p.body_html),
        meta=_tagged("meta", meta.items()),
        filters=_tagged("filter", ((k, v) for k, vs in filters(site, p).items() for v in vs)),
    )
    return Document(f"/{p.url}", str(html))


def filters(site: Site, p: Prediction) -> dict[str, list[str]]:
    """The values of each filter (FILTERS) a prediction is found under."""
    return {
        "status": [site.status(p).label],
        "category": [p.category] if p.category else [],
        "tag": list(p.tags),
        "author": [site.author(p.author).name],
    }


def _tagged(kind: str, pairs: Iterable[tuple[str, str]]) -> Markup:
    return Markup("").join(
        Markup('<span data-pagefind-{kind}="{name}">{value}</span>').format(
            kind=kind, name=name, value=escape(value)
        )
        for name, value in pairs
    )
