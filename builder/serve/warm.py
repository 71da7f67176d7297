"""serve's first build from the output folder, when `foretell build` left it up to date for
the same options: its files read back instead of made again (at 10,000 predictions, 53,600
files: reading them takes a few seconds, rendering them half a minute), with the page keys,
units and memo that build recorded, so the rebuilds after it re-render only what changes.

The folder is trusted as the build's next no-op would trust it (freshness.py: every input
and every output as the manifest recorded them), and each file is stat-ed again once read, so
a build running beside serve that replaced it meanwhile is caught: serve then builds as it
does without one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from builder.incremental import cache, freshness
from builder.incremental.cache import UnitRecord
from builder.options import BuildOptions
from builder.render import search
from builder.system.files import stat_files


@dataclass
class Built:
    """What the build in the output folder made and recorded."""

    files: dict[str, tuple[str | None, bytes]]  # path -> its page key (None: none) and bytes
    units: dict[str, UnitRecord]
    memo: dict[str, object]


def built_output(options: BuildOptions, *, index: bool) -> Built | None:
    """The output folder's files with their keys, when it is as the last build left it for
    these options and inputs; None otherwise. Without `index`, the search index's files are
    left out (serve makes its own: searching.py)."""
    fresh = freshness.check(options, output=True)
    if not fresh.manifest.outputs or not fresh.up_to_date:
        return None
    outputs = fresh.manifest.outputs
    names = [p for p in outputs if index or not p.startswith(search.FOLDER)]
    files: dict[str, tuple[str | None, bytes]] = {}
    folder = f"{options.out}{os.sep}"
    try:
        for name in names:
            with open(folder + name, "rb") as handle:
                files[name] = (outputs[name][0], handle.read())
    except OSError:
        return None
    now = stat_files(options.out, names)
    if any(now.get(name) != outputs[name][1] for name in names):
        return None  # written again while read: a build beside serve
    return Built(files, fresh.manifest.units, cache.load_memo(options.root))
