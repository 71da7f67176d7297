"""What a build is asked to do, and what it reports: shared by the command line, the pipeline,
the incremental layer and the preview server."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from builder.errors import Problem

CACHE_DIR = Path(".foretell") / "cache"  # under the site folder: what builds keep between runs


@dataclass(frozen=True)
class BuildOptions:
    root: Path
    # --now as given; None means the real date in the site's time zone, which the up-to-date
    # check (incremental/freshness.py, called by the command line or serve) resolves once.
    now: dt.date | None = None
    output: Path | None = None
    clean: bool = False
    drafts: bool = False
    force: bool = False  # build into a non-empty folder that no build recorded writing
    url: str | None = None  # --url: the address to build for, instead of site.yaml's url

    @property
    def out(self) -> Path:
        return (self.output or self.root / "output").resolve()

    @property
    def out_key(self) -> str:
        """The output folder as the build cache names it: from the site folder when inside
        it, so that a cache restored into a checkout at another path (another CI runner's,
        say) still describes the output restored with it; else in full."""
        out, root = self.out, self.root.resolve()
        return out.relative_to(root).as_posix() if out.is_relative_to(root) else str(out)

    @property
    def out_names(self) -> tuple[str, str]:
        """Every name a build cache may know the output folder by: `out_key`, or in full, as
        the builds before `out_key` named it (their cache still holds)."""
        return self.out_key, str(self.out)


@dataclass
class Report:
    pages: int
    files: int
    changed: int
    rendered: int
    warnings: list[Problem]
    timings: dict[str, float] = field(default_factory=dict)
    way: Literal["up to date", "shortcut", "full"] = "full"  # see incremental/dispatch.py
    drafts: int = 0  # drafts left out of the site (none with `drafts`)
