"""Is the output already up to date? Answered from file stats alone, before anything heavy is
loaded: a build with nothing to do should cost little more than starting Python. Also the
build's options and its report, which the command line needs either way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

from builder import cache
from builder.cache import STAMP, Manifest
from builder.config import ConfigResult, load_config
from builder.errors import Problem
from builder.githead import git_head
from builder.inputs import Stat, inputs_digest, output_stats, scan, stat_files


@dataclass
class BuildOptions:
    root: Path
    now: dt.date | None = None  # None: today in the site's time zone
    output: Path | None = None
    clean: bool = False
    drafts: bool = False

    @property
    def out(self) -> Path:
        return (self.output or self.root / "output").resolve()


@dataclass
class Report:
    pages: int
    files: int
    changed: int
    rendered: int
    warnings: list[Problem]
    timings: dict[str, float] = field(default_factory=dict)
    way: Literal["up to date", "shortcut", "full"] = "full"  # see dispatch.py


@dataclass
class Freshness:
    config: ConfigResult  # site.yaml as read for the check, so the build need not read it again
    now: dt.date | None  # --now, or today in the site's time zone
    head: str | None  # git HEAD: pages show history, so a commit changes them
    inputs: dict[str, Stat | None]  # every input file's stat, also handed to the loader
    stamp: str  # digest of every input's stat, the options and foretell's version
    manifest: Manifest  # what the last build into this output folder wrote
    out: Path

    @cached_property
    def current(self) -> dict[str, Stat]:
        """What the output folder holds of what the last build wrote. The files it wrote are
        stat-ed by name (a walk of 10,000 folders costs four times more); without a manifest,
        the whole folder is what there is. Only when asked: a build whose inputs changed
        may not need it (shortcut.py)."""
        outputs = self.manifest.outputs
        return stat_files(self.out, outputs) if outputs else output_stats(self.out)

    @property
    def up_to_date(self) -> bool:
        if self.manifest.inputs != self.stamp:
            return False
        recorded = {path: stat for path, (_, stat) in self.manifest.outputs.items()}
        return self.current == recorded


def check(options: BuildOptions, *, output: bool = True) -> Freshness:
    """Stats and digests of the inputs, and, with `output`, what the last build wrote (serve,
    which writes nothing, passes False)."""
    if options.clean:
        cache.clear(options.root)
    manifest = cache.load_manifest(options.root) if output else Manifest()
    if manifest.output_dir != str(options.out):
        manifest = Manifest()  # it describes another output folder
    read = load_config(options.root)
    now = options.now or (read[0].today() if read[0] else None)
    head = git_head(options.root)
    inputs = scan(options.root)
    stamp = inputs_digest(inputs, f"{STAMP} / git {head}", now, options.drafts, options.out)
    return Freshness(read, now, head, inputs, stamp, manifest, options.out)


def no_op_report(fresh: Freshness) -> Report:
    outputs = fresh.manifest.outputs
    pages_count = len([path for path in outputs if path.endswith(".html")])
    return Report(pages_count, len(outputs), 0, 0, fresh.manifest.warnings, way="up to date")
