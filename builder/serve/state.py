"""The live site: one Rebuilder for the session, rebuilt on demand, swapped in atomically.

Requests read `LiveSite.snapshot`, a `Served`: an immutable value that a rebuild replaces in one
assignment, so a request sees either the old site or the new one, never a half-built mix.
A failed build keeps the last good files and records the problems beside them: pages keep
being served, with the problems shown on top. The pages a rebuild changed are rendered when
first asked for, and by a thread of their own meanwhile (lazy.py): one that fails to render
fails the build then, as if the rebuild had.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from builder.config.siteconfig import load_config
from builder.errors import BuildFailed, Problem
from builder.options import BuildOptions
from builder.render.errors import template_problem
from builder.serve.lazy import Completer, LazyFiles
from builder.serve.rebuild import Rebuilder
from builder.serve.searching import LiveIndex
from builder.site import urls


@dataclass(frozen=True)
class Served:
    """The site served right now, as one immutable value: a rebuild replaces it whole."""

    build_id: str  # changes with every build, good or bad: open pages reload when it does
    files: Mapping[str, bytes] | None  # the last good site; None until a build has succeeded
    problems: tuple[Problem, ...] = ()  # errors of the latest build; empty when it succeeded
    prefix: str = "/"  # the URL path the site lives under ("/" or "/blog/")
    root: Path | None = None  # the site's folder: what a page that fails to render names


@dataclass(frozen=True)
class RebuildResult:
    """What one rebuild did, for the terminal."""

    seconds: float
    files: int  # in the site now served
    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    trace: str | None = None  # a genuine bug's traceback, for the terminal only
    unchanged: bool = False  # the rebuilt site is byte-identical: no reload sent

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class LiveSite:
    options: BuildOptions
    builder: Rebuilder = field(init=False)
    snapshot: Served = field(init=False)

    def __post_init__(self) -> None:
        # One Rebuilder for the whole session: it keeps what it can between builds (incremental).
        # The search index is made apart, and not waited for (searching.py).
        self.builder = Rebuilder(self.options, index=False)
        self._index = LiveIndex(self._indexed, self._index_failed)
        self._pages: LazyFiles | None = None  # the files of the build served, but the index's
        # Unique per server process, so a tab left open across a restart reloads too.
        boot = secrets.token_hex(4)
        self._ids = (f"{boot}-{n}" for n in itertools.count(1))
        self._lock = threading.Lock()  # one build at a time (first build vs watcher)
        self._listeners: list[Callable[[], None]] = []
        self.snapshot = Served(next(self._ids), None)
        # Told of a build that failed after it was served, when one of its pages failed.
        self.late: Callable[[RebuildResult], None] = lambda outcome: None
        self._fallback: Mapping[str, bytes] | None = None  # served if that happens
        self._completer = Completer(self._failed_late)

    def close(self) -> None:
        """Stop rendering pages and indexing them in the background."""
        self._completer.close()
        self._index.close()

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call `listener()` (from the building thread) after every new snapshot."""
        self._listeners.append(listener)

    def rebuild(self) -> RebuildResult:
        with self._lock:
            started = time.perf_counter()
            outcome = self._build()
            outcome = replace(outcome, seconds=time.perf_counter() - started)
        if not outcome.unchanged:
            self._tell()
        return outcome

    def _tell(self) -> None:
        for listener in self._listeners:
            listener()

    def _build(self) -> RebuildResult:
        previous = self.snapshot
        root = self.options.root
        try:
            pages = self.builder.files()  # immutable: never changed under a request
            assert self.builder.site is not None  # the first build waits for Pagefind, no other
            self._index.index(self.builder.site, wait=previous.files is None)
        except BuildFailed as failed:
            errors = tuple(p for p in failed.problems if p.is_error)
            warnings = tuple(p for p in failed.problems if not p.is_error)
            return self._failed(previous, errors, warnings)
        except Exception as exc:  # a template error, or a genuine bug: never kill the server
            problem, trace = problem_of(exc, root)
            return self._failed(previous, (problem,), trace=trace)
        warnings = tuple(self.builder.warnings)
        files = pages.updated(self._index.files)
        if pages.same_as(self._pages) and not previous.problems:
            return RebuildResult(0.0, len(files), warnings=warnings, unchanged=True)
        self._fallback, self._pages = previous.files, pages
        self.snapshot = Served(next(self._ids), files, (), _prefix(root), root)
        self._completer.complete(pages)
        return RebuildResult(0.0, len(files), warnings=warnings)

    def _indexed(self, index: Mapping[str, bytes]) -> None:
        """The search index made again (on its thread): served from now on, without reloading
        the open pages, which show none of it (searching.py)."""
        with self._lock:
            served = self.snapshot.files
            if isinstance(served, LazyFiles):
                self.snapshot = replace(self.snapshot, files=served.updated(index))

    def _index_failed(self, failed: BuildFailed) -> None:
        """Pagefind could not run (on the index's thread): the build failed after all."""
        with self._lock:
            problems = (*self.snapshot.problems, *failed.problems)
            outcome = self._failed(self.snapshot, problems)
        self._tell()
        self.late(outcome)

    def failed_to_render(self, served: Served, exc: BaseException) -> Served:
        """A request met a page of `served` that fails to render (on a request's thread): the
        build fails now, as when the completer meets it first, rather than the page showing
        the error alone until it does. Returns the site to answer from."""
        with self._lock:
            pages = self._pages if self.snapshot.build_id == served.build_id else None
        if pages is not None:
            self._failed_late(pages, exc)
        return self.snapshot

    def _failed_late(self, files: LazyFiles, exc: BaseException) -> None:
        """A page of the site served now failed to render (on the completer's thread, or a
        request's): its build failed, and the site before it is served again, with the
        problem on top."""
        problem, trace = problem_of(exc, self.options.root)
        with self._lock:
            if files is not self._pages:  # another build is served by now, or this failed
                return
            self._pages = None  # told once, whoever (completer, request) meets it first
            # With the errors of a build that failed since, if one did (it kept these files).
            problems = (*self.snapshot.problems, problem)
            served = replace(self.snapshot, files=self._fallback)
            outcome = self._failed(served, problems, trace=trace)
        self._tell()
        self.late(outcome)

    def _failed(
        self,
        previous: Served,
        errors: tuple[Problem, ...],
        warnings: tuple[Problem, ...] = (),
        trace: str | None = None,
    ) -> RebuildResult:
        self.snapshot = replace(previous, build_id=next(self._ids), problems=errors)
        count = len(previous.files) if previous.files is not None else 0
        return RebuildResult(0.0, count, errors, warnings, trace)


def problem_of(exc: BaseException, root: Path) -> tuple[Problem, str | None]:
    """What to show of an exception raised while building: a template's error at its file
    and line; anything else is a bug of ours, with its traceback for the terminal."""
    problem = template_problem(exc, root)
    if problem is not None:
        return problem, None
    internal = Problem("(foretell)", None, None, f"{type(exc).__name__}: {exc}")
    return internal, "".join(traceback.format_exception(exc))


def _prefix(root: Path) -> str:
    """Serve the site under its URL's path, as it will live, so that 404.html (whose links
    start from the site's root path) works too."""
    config, _ = load_config(root)
    return urls.root_path(config.url) if config is not None else "/"
