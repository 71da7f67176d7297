"""Watch a site's sources and hand over debounced batches of changes, one batch at a time.

Editors save in bursts (write a temp file, rename, touch the folder), so events are collected
until the tree has been quiet for `DEBOUNCE` seconds and then handed over as one batch. The
callback runs on the watcher's single worker thread, so handling (rebuilding) is serialized:
events that arrive meanwhile simply form the next batch.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from builder.system.files import INPUT_DIRS

Kind = Literal["content", "templates", "static", "config"]

DEBOUNCE = 0.03  # seconds of quiet that end a batch: an editor's save is one burst of events
MAX_WAIT = 1.0  # ...but never hold a batch longer than this behind a steady stream of events

# Only events that mean "the bytes changed". Opened/closed/attrib events are left out: the
# build itself opens every file, and reacting to that would rebuild forever.
EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]

# Editors' scratch files: vim's swap files and its "4913" write test, emacs' "#x#"/".#x",
# backups ending in "~".
_SCRATCH_SUFFIXES = (".swp", ".swx", ".swo", ".tmp", "~")


@dataclass(frozen=True)
class Change:
    path: str  # relative to the site root, with "/"
    kind: Kind
    created: bool = False  # the event created the file (see Watcher._collect)


@dataclass(frozen=True)
class Batch:
    changes: tuple[Change, ...]

    @property
    def kinds(self) -> set[Kind]:
        return {c.kind for c in self.changes}

    def describe(self) -> str:
        """One short phrase for the terminal: the file, or how many files of which kinds."""
        if len(self.changes) == 1:
            return self.changes[0].path
        kinds = ", ".join(sorted(self.kinds))
        return f"{len(self.changes)} files ({kinds})"


def classify(root: Path, path: str | bytes, *, created: bool = False) -> Change | None:
    """The kind of change a path is, or None when the build does not read it."""
    text = path.decode() if isinstance(path, bytes) else path
    try:
        rel = PurePosixPath(Path(text).relative_to(root).as_posix())
    except ValueError:
        return None
    parts = rel.parts
    if not parts or any(_is_scratch(part) for part in parts):  # also inside hidden folders
        return None
    if parts == ("site.yaml",):
        return Change(str(rel), "config", created)
    if parts[0] == "content":
        return Change(str(rel), "content", created)
    if parts[0] == "themes":
        kind: Kind = "templates" if parts[2:3] == ("templates",) else "static"
        return Change(str(rel), kind, created)
    if parts[0] == "static":  # the site's own static files, copied as they are
        return Change(str(rel), "static", created)
    return None


def _is_scratch(name: str) -> bool:
    return (
        name.startswith((".", "#"))
        or name.endswith(_SCRATCH_SUFFIXES)
        or name == "4913"
        or name == "__pycache__"
    )


class _Collector(FileSystemEventHandler):
    def __init__(self, root: Path, inbox: queue.Queue[Change | None]) -> None:
        self.root = root
        self.inbox = inbox

    def on_any_event(self, event: FileSystemEvent) -> None:
        if type(event) not in EVENTS:
            return
        created = event.event_type == "created"
        for path in (event.src_path, getattr(event, "dest_path", "")):
            change = classify(self.root, path, created=created) if path else None
            if change is not None:
                self.inbox.put(change)


class Watcher:
    """`start()`, then `on_batch(batch)` is called (on one worker thread) after each burst of
    changes; `stop()` ends the observer and the worker, waiting for a batch in progress."""

    def __init__(self, root: Path, on_batch: Callable[[Batch], None]) -> None:
        self.root = root.resolve()
        self.on_batch = on_batch
        self._inbox: queue.Queue[Change | None] = queue.Queue()
        self._observer = Observer()
        self._worker = threading.Thread(target=self._work, name="foretell-rebuild", daemon=True)
        self._stopping = threading.Event()
        self._handler = _Collector(self.root, self._inbox)
        self._watches: dict[str, ObservedWatch] = {}  # "content"/"themes" -> its live watch

    def start(self) -> None:
        # The root itself only for site.yaml and content/ or themes/ coming and going:
        # watching it recursively would also watch output/ (which `foretell build` rewrites
        # beside us) and .git, one inotify watch per folder.
        self._observer.schedule(self._handler, str(self.root), recursive=False, event_filter=EVENTS)
        self._watch_folders(Batch(()))
        self._observer.start()
        self._worker.start()

    def _watch_folders(self, batch: Batch) -> None:
        """Watch content/, themes/ and static/ recursively while they exist.

        inotify watches a folder, not a name: once content/ is deleted (or moved away), its
        watch is dead, and a content/ created again in its place is a new folder nobody
        watches. The root's watch reports the folder itself coming or going, and then the
        folder's watch is dropped and, if the folder is there (again), set up anew. The
        rebuild that follows reads whatever was written before the new watch started.
        """
        touched = {change.path for change in batch.changes}
        for name in INPUT_DIRS:
            folder = self.root / name
            watch = self._watches.get(name)
            if watch is not None and (name in touched or not folder.is_dir()):
                self._observer.unschedule(watch)
                del self._watches[name]
            if name not in self._watches and folder.is_dir():
                # OSError: gone again already; its next appearance is an event too.
                with contextlib.suppress(OSError):
                    self._watches[name] = self._observer.schedule(
                        self._handler, str(folder), recursive=True, event_filter=EVENTS
                    )

    def stop(self) -> None:
        self._stopping.set()
        self._inbox.put(None)  # wakes the worker
        # The worker first: it may be setting up a watch, which must not outlive the observer.
        if self._worker.is_alive():
            self._worker.join()
        self._observer.stop()
        if self._observer.is_alive():
            self._observer.join()

    def _work(self) -> None:
        while not self._stopping.is_set():
            first = self._inbox.get()
            if first is None:
                return
            batch = self._collect(first)
            if batch is None:
                return
            self._watch_folders(batch)  # content/ or themes/ may have come, gone, come back
            if not batch.changes:
                continue
            try:
                self.on_batch(batch)
            except Exception:  # a bug of ours: say so, but keep watching
                traceback.print_exc()

    def _collect(self, first: Change) -> Batch | None:
        """Gather changes until DEBOUNCE seconds pass without one (or MAX_WAIT in all)."""
        seen: dict[str, Change] = {first.path: first}
        deadline = time.monotonic() + MAX_WAIT
        while (left := deadline - time.monotonic()) > 0:
            try:
                change = self._inbox.get(timeout=min(DEBOUNCE, left))
            except queue.Empty:
                break
            if change is None:
                return None
            seen.setdefault(change.path, change)
        # A file created and gone again within the batch is an editor's or a tool's scratch
        # file (sed -i, atomic saves): not worth a rebuild, nor a mention.
        kept = [c for p, c in sorted(seen.items()) if not c.created or (self.root / p).exists()]
        return Batch(tuple(kept))
