"""The site's own `static/` files (render/assets.site_static) changed since the last full
build: an image added for an article, say. Each is copied as it is to the top of the output,
and nothing else the build makes shows it, so the shortcut copies those added or changed and
deletes the copies of those deleted (shortcut.py).

Unless it lands where the build makes a file: the build's file wins there, with a warning
(pipeline.plan), which only the full build gives. A static file's copy is known to be one
where the full build copied it (it was among the record's inputs, without a warning), or a
shortcut since did (taken.Taken.static); any other path the output holds may be the build's.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from builder.incremental.freshness import Freshness
from builder.options import BuildOptions
from builder.system.files import SITE_STATIC

FOLDER = f"{SITE_STATIC}/"  # as an input's path starts


def is_site_static(path: str) -> bool:
    return path.startswith(FOLDER)


@dataclass(frozen=True)
class Copies:
    files: dict[str, bytes]  # output path -> the bytes of the static file copied there
    gone: frozenset[str]  # output paths of the static files deleted

    @property
    def paths(self) -> frozenset[str]:
        return frozenset(self.files) | self.gone


def copies(
    options: BuildOptions,
    fresh: Freshness,
    changed: Collection[str],
    built_with: Collection[str],
    copied_since: Collection[str],
) -> Copies | None:
    """The copies to make of the `changed` static files (inputs' paths) and those to delete;
    None when one's output path may be a file the build makes. `built_with`: the inputs the
    last full build read; `copied_since`: the output paths the shortcuts since copied to."""
    warned = {w.path for w in fresh.manifest.warnings}
    files: dict[str, bytes] = {}
    gone: set[str] = set()
    for source in sorted(changed):
        path = source.removeprefix(FOLDER)
        ours = (source in built_with and source not in warned) or path in copied_since
        if not ours and (path in fresh.manifest.outputs or source in warned):
            return None
        if fresh.inputs.get(source) is None:  # deleted
            if not ours:
                return None
            gone.add(path)
            continue
        try:
            files[path] = (options.root / source).read_bytes()
        except OSError:  # deleted meanwhile: the full build sees it so
            return None
    return Copies(files, frozenset(gone))
