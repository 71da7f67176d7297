"""Pagefind alone on a site's predictions: one shard, as an edit re-indexes it; every shard,
as a cold build does; and all of them as one index, for comparison.

    PYTHONPATH=. python benchmarks/search_index.py SITE_DIR [--now 2026-06-01]

The site is loaded through foretell's own pipeline (every article parsed: a minute or two at
10,000), then only Pagefind is timed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from builder.options import BuildOptions
from builder.pipeline import load
from builder.render import search
from builder.render.pagefind import Document, index_batches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--now", type=dt.date.fromisoformat, default=dt.date(2026, 6, 1))
    args = parser.parse_args()
    site = load(BuildOptions(root=args.site.resolve()), args.now).site
    predictions = [p for p in site.predictions if not p.draft]
    shards = search.shard_count(len(predictions))
    members: list[list[Document]] = [[] for _ in range(shards)]
    for p in predictions:
        members[search.shard_of(p.slug, shards)].append(search.document(site, p))
    sizes = sorted(map(len, members))
    print(f"{len(predictions)} predictions, {shards} shards of {sizes[0]}-{sizes[-1]}")
    language = site.config.language
    for _ in range(3):
        one = _timed(lambda: index_batches([members[0]], language))
        print(f"one shard ({len(members[0])} documents): {one:.2f} s")
    every = _timed(lambda: index_batches(members, language, processes=2))
    print(f"all {shards} shards, 2 Pagefind processes: {every:.1f} s")
    whole = [doc for shard in members for doc in shard]
    print(f"one index of all, 1 process: {_timed(lambda: index_batches([whole], language)):.1f} s")


def _timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
