"""The build cache's files in `.foretell/cache/`: each a pickle of this version of foretell,
written atomically, read only when whole, of the expected type and of this version (a cache
another version wrote, or a corrupt one, is ignored, never trusted). What each file holds is
its reader's: the parse cache (content/parsecache.py), the manifest and the rest
(incremental/cache.py)."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path
from typing import Any, TypeVar

from builder import __version__
from builder.options import CACHE_DIR  # where the cache lives: the build's folders read it too
from builder.system import collector
from builder.system.files import write_atomically

# Any change to foretell or to the Python that pickled the cache makes it another cache.
# The cache format's version: a pickle another version wrote is not read (read_pickle).
VERSION = f"foretell {__version__} / python {sys.version_info[:3]} / cache 35"

T = TypeVar("T")


# Where the modules of pickled classes lived before the package was laid out as the pipeline
# (foretell 0.1.0 up to the layout change): an older manifest names them so.
_MOVED = {"builder.cache": "builder.incremental.cache", "builder.inputs": "builder.system.files"}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        return super().find_class(_MOVED.get(module, module), name)


def read_pickle(root: Path, name: str, kind: type[T], *, any_version: bool = False) -> T | None:
    """The value stored under `name`, or None when it is missing, corrupt, of another type,
    or written by another version of foretell (unless `any_version`)."""
    try:
        with (root / CACHE_DIR / name).open("rb") as handle, collector.held_off():
            unpickler = _Unpickler(handle) if any_version else pickle.Unpickler(handle)
            version, value = unpickler.load()
    except Exception:  # a corrupt cache, of whatever kind, is simply not used
        return None
    return value if (any_version or version == VERSION) and isinstance(value, kind) else None


def write_pickle(root: Path, name: str, value: Any) -> None:
    """Write atomically: a build killed halfway leaves the previous cache, not half of one."""
    data = pickle.dumps((VERSION, value), protocol=pickle.HIGHEST_PROTOCOL)
    write_atomically(root / CACHE_DIR / name, data, mode=None)
