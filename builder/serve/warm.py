"""serve's first build, from what the last `foretell build` left in the output folder: the page
keys, units and memo it recorded (cache.py), and the files still as it wrote them. serve's
first build then is an incremental build like any other: it makes only the files whose key
changed since (a draft previewed, a source edited, another day) and reads the others back,
instead of rendering the whole site in memory (53,600 files at 10,000 predictions: half a
minute). Without such a build, it makes them all.

A file counts as the build's while its stat is the one recorded, as the build itself trusts
it (build.intact_by_stat); each is stat-ed again once read, so that one a build beside serve
replaced meanwhile is caught: serve then makes every file itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from builder.incremental import cache
from builder.incremental.build import intact_by_stat
from builder.incremental.cache import UnitRecord
from builder.options import BuildOptions
from builder.system.files import Stat, stat_files


@dataclass
class LastBuild:
    """What the last build into the output folder recorded, of the files still as it left them."""

    keys: dict[str, str] = field(default_factory=dict)  # path -> page key
    stats: dict[str, Stat] = field(default_factory=dict)  # path -> its stat, as recorded
    units: dict[str, UnitRecord] = field(default_factory=dict)
    memo: dict[str, object] = field(default_factory=dict)


def last_build(options: BuildOptions) -> LastBuild:
    """The last build's record of the output folder (nothing, without one)."""
    manifest = cache.load_manifest(options.root)
    if not manifest.outputs or manifest.output_dir not in options.out_names:
        return LastBuild()
    keys, _ = intact_by_stat(manifest, stat_files(options.out, manifest.outputs))
    stats = {path: manifest.outputs[path][1] for path in keys}
    return LastBuild(keys, stats, manifest.units, cache.load_memo(options.root))


def read_back(
    options: BuildOptions, last: LastBuild, paths: Iterable[str]
) -> dict[str, bytes] | None:
    """The bytes of the files at `paths`, each still as the last build left it; None when one
    was written again, or removed, meanwhile."""
    names = sorted(paths)
    folder = f"{options.out}{os.sep}"  # joined as strings: 53,600 Path objects cost 0.3 s
    files: dict[str, bytes] = {}
    try:
        for name in names:
            with open(folder + name, "rb") as handle:
                files[name] = handle.read()
    except OSError:
        return None
    now = stat_files(options.out, names)
    if any(now.get(name) != last.stats[name] for name in names):
        return None
    return files
