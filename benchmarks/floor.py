"""What the libraries foretell must use cost on their own: a lower bound for a cold build.

    python benchmarks/floor.py --count 1000 --scale 10000

Builds nothing. Generates a site (or reads `--site`), loads it once, then times each library
call the build cannot avoid, one item after another on one core, with foretell's own
configuration: markdown-it-py (with the plugins and highlighting foretell uses) on each body,
PyYAML on each front matter, Jinja on each page, icalendar on each event. Per-item costs are
scaled to `--scale` articles and divided by the cores, as if the work were spread perfectly.
No build of those articles can be faster than that sum, whatever the rest of the pipeline
does; compare it with Hugo's whole build from `compare.py`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

from builder import pipeline  # noqa: E402
from builder.config import yamlpos  # noqa: E402
from builder.content import markdown  # noqa: E402
from builder.content.frontmatter import split_front_matter  # noqa: E402
from builder.content.loader import prediction_files  # noqa: E402
from builder.incremental.freshness import BuildOptions  # noqa: E402
from builder.render import assets, calendar, pages  # noqa: E402
from builder.render.templates import Renderer  # noqa: E402


def per_item(work: Callable[[object], object], items: Sequence[object], rounds: int = 3) -> float:
    """Seconds of CPU per item: the best of `rounds` passes (the machine is noisy)."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for item in items:
            work(item)
        best = min(best, (time.process_time() - started) / len(items))
    return best


def measure(site: Path, now: dt.date) -> list[tuple[str, float, float]]:
    """(stage, seconds per item, items per article) for each unavoidable library call."""
    loaded = pipeline.load(BuildOptions(site, now, clean=True), now)
    texts = [(site / name).read_text("utf-8") for name in prediction_files(site)]
    splits = [split for split in map(split_front_matter, texts) if split is not None]
    theme = pipeline.theme_of(site, loaded.site.config)
    renderer = Renderer(loaded.site, theme, assets.theme_assets(theme)[1])
    specs = pages.all_pages(loaded.site)
    articles = len(loaded.site.predictions)
    base = loaded.site.config.url
    return [
        ("markdown-it-py: one body", per_item(lambda s: markdown.render(s.body), splits), 1.0),
        ("PyYAML: one front matter", per_item(lambda s: yamlpos.load(s.yaml_text), splits), 1.0),
        ("Jinja: one page", per_item(renderer.render, specs), len(specs) / articles),
        (
            "icalendar: one event",
            per_item(lambda p: calendar.event_bytes(p, base), loaded.site.predictions),
            1.0,
        ),
    ]


def report(stages: list[tuple[str, float, float]], scale: int, cores: int) -> None:
    print(f"| Library call | per item | items at {scale:,} | CPU | on {cores} cores |")
    print("| --- | ---: | ---: | ---: | ---: |")
    total = 0.0
    for stage, seconds, ratio in stages:
        items = round(scale * ratio)
        cpu = seconds * items
        total += cpu
        print(
            f"| {stage} | {seconds * 1000:.2f} ms | {items:,} | {cpu:.1f} s | {cpu / cores:.1f} s |"
        )
    print(f"| **all of them** | | | **{total:.1f} s** | **{total / cores:.1f} s** |")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="articles to generate")
    parser.add_argument("--site", type=Path, help="an existing site instead of generating one")
    parser.add_argument("--scale", type=int, default=10_000, help="articles to scale to")
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--now", type=dt.date.fromisoformat, default=dt.date(2026, 6, 1))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        site = args.site
        if site is None:
            site = Path(scratch) / "site"
            generate(site, args.count, seed=1)
        report(measure(site.resolve(), args.now), args.scale, args.cores)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
