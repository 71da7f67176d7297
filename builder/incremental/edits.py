"""The edits the shortcut takes (shortcut.py): which prediction files changed since its
record, read again, and the kinds of each edit: "body", "display" (display.py), "forecast"
(forecasts.py), "terms" (terms.py) or the last two, as at least the kinds the shortcuts since
the last full build took each file as (taken.py). Drafts edited, added or deleted, which a
build that does not preview them leaves out, change none of its files (drafts.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from builder.content.future import dated_after
from builder.content.loader import PREDICTIONS_DIR, FileEntry, read_entry
from builder.content.model import (
    Prediction,
    differs_in_display_only,
    differs_in_open_forecasts,
    differs_in_open_forecasts_and_terms,
    differs_in_open_terms,
)
from builder.errors import Problem
from builder.incremental import taken
from builder.incremental.freshness import Freshness
from builder.incremental.site_static import is_site_static
from builder.options import BuildOptions
from builder.system.files import Stat

_PREDICTION_FILES = PREDICTIONS_DIR.as_posix() + "/"
# Every file edited since the last full build is taken again at each shortcut (its record
# stays as that build left it): past this many, the full build is taken, and leaves a new
# record (at 10,000 predictions, a display edit adds ~40 ms to each shortcut after it).
MAX_EDITED = 8


@dataclass
class Edits:
    """The edited files read again: published predictions without an error (`entries`), and
    drafts that stay drafts (`drafts`)."""

    entries: dict[str, FileEntry]
    before: dict[str, Prediction]  # slug -> the version the record was made with
    # source -> the kinds of edit (_edit_kinds: body, display, forecast, terms) each file is
    # taken as: its own, and those the shortcuts since the last full build took it as
    # (taken.py)
    kinds_by_source: dict[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    since: taken.Taken = dataclasses.field(default_factory=lambda: taken.Taken(""))
    # The slugs of those a shortcut since took: what the output shows of them may be neither
    # the record's version nor this one, so each file showing them is written.
    again: frozenset[str] = frozenset()
    # Commits since the record touched them (a later HEAD: restored.py), so their history,
    # which every one of their files shows, is another.
    history_moved: bool = False
    # The drafts edited or added, left out of a build that does not preview them: nothing of
    # the site shows them, but their warnings (_stays_a_draft, _a_new_draft).
    drafts: dict[str, FileEntry] = dataclasses.field(default_factory=dict)
    added: frozenset[str] = frozenset()  # those of `drafts` the record does not know
    removed: frozenset[str] = frozenset()  # drafts deleted since the record

    @property
    def edit_kinds(self) -> frozenset[str]:
        """Every kind of edit the files are taken as."""
        return frozenset().union(*self.kinds_by_source.values())

    @property
    def display(self) -> bool:
        """Some differ in more than the body (content.model.DISPLAY_ONLY), or in their
        history: display.py."""
        return bool(self.edit_kinds - {"body"}) or self.history_moved

    @property
    def forecasts(self) -> bool:
        """Some differ in their open forecasts too, or in their history: forecasts.py reads
        it again and replaces their lines in the exports."""
        return "forecast" in self.edit_kinds or self.history_moved

    def edited(self) -> dict[str, Prediction]:
        return {_slug(e): _prediction(e) for e in self.entries.values()}

    def warnings_now(
        self, before: Iterable[Problem], inputs: Mapping[str, Stat | None]
    ) -> list[Problem]:
        """The site's warnings `before`, with the edited files' own as they are now, and none
        of a prediction file no more among the `inputs` (a draft deleted, or added since the
        record and deleted again). A file's are those its parse finds and those of its dates
        after today (content/future.py), which no file taken has (find): so its parse finds
        them all."""
        taken = self.entries | self.drafts
        deleted = lambda path: is_article(path) and path not in inputs  # noqa: E731
        kept = [w for w in before if w.path not in taken and not deleted(w.path)]
        return sorted(kept + [w for e in taken.values() for w in e.result.problems])


def find(
    options: BuildOptions,
    fresh: Freshness,
    changed: list[str],
    previous: Mapping[str, FileEntry],
    since: taken.Taken | None = None,
) -> Edits | None:
    """The changed files read again, or None unless each differs from its `previous` entry
    as _edit_kinds allows, or is a draft that stays one (_stays_a_draft: Edits.drafts), a new
    draft (_a_new_draft: Edits.added, which drafts.fit checks against the site) or a draft
    deleted (Edits.removed). Each is taken as its edit and as the kinds the shortcuts `since`
    the last full build took it as (taken.py)."""
    assert fresh.config[0] is not None
    authors = frozenset(a.key for a in fresh.config[0].authors)
    new: dict[str, FileEntry] = {}
    before: dict[str, Prediction] = {}
    kinds: dict[str, frozenset[str]] = {}
    drafts: dict[str, FileEntry] = {}
    added, removed = set(), set()
    since = since or taken.Taken("")
    for source in changed:
        old = previous.get(source)
        if fresh.inputs.get(source) is None:  # deleted
            if old is None or options.drafts or not _is_draft(old):
                return None
            removed.add(source)
            continue
        entry = since.entries.get(source)  # as the last shortcut read it, if still so
        if entry is None or entry.stat != fresh.inputs.get(source) or entry.authors != authors:
            entry = read_entry(options.root, (source, None), authors)
        if old is None:  # a new file
            if options.drafts or not _a_new_draft(entry):
                return None
            drafts[source] = entry
            added.add(source)
            continue
        if not options.drafts and _stays_a_draft(old, entry):
            drafts[source] = entry
            continue
        found = _edit_kinds(old, entry, drafts_shown=options.drafts)
        if found is None or dated_after(entry.result.prediction, fresh.today):  # type: ignore[arg-type]
            return None  # a date after today: the full build warns of it (content/future.py)
        kinds[source] = found | since.kinds_by_source.get(source, frozenset())
        new[source] = entry
        before[_slug(old)] = _prediction(old)
    taken_before = since.kinds_by_source
    again = frozenset(_slug(previous[source]) for source in changed if source in taken_before)
    news, deleted = frozenset(added), frozenset(removed)
    return Edits(new, before, kinds, since, again, drafts=drafts, added=news, removed=deleted)


def is_article(path: str) -> bool:
    return path.startswith(_PREDICTION_FILES) and path.endswith(".md")


def shortcut_takes(path: str) -> bool:
    """An input whose change the shortcut may take: a prediction file, or one of the site's
    static files (site_static.py)."""
    return is_article(path) or is_site_static(path)


def changed_sources(
    before: Mapping[str, Stat | None], now: Mapping[str, Stat | None], *, static: bool = False
) -> list[str] | None:
    """The prediction files (and with `static`, the site's static files: site_static.py)
    added, deleted or whose stat changed, or None when anything else changed too (site.yaml,
    a template...), or when more than MAX_EDITED did."""
    missing = object()
    paths = before.keys() | now.keys()
    changed = sorted(path for path in paths if before.get(path, missing) != now.get(path, missing))
    if len(changed) > MAX_EDITED:
        return None
    return changed if all(map(shortcut_takes if static else is_article, changed)) else None


def _edit_kinds(
    old: FileEntry, new: FileEntry, *, drafts_shown: bool = False
) -> frozenset[str] | None:
    """The kinds of edit, when both versions are published predictions without an error
    (a warning is reported: Edits.warnings_now): "body" when they differ in their body
    alone, "display" when in what they display alone (model.DISPLAY_ONLY), "forecast" when in
    that and the forecasts of a prediction not resolved (model.OPEN_FORECASTS), "terms" when
    in that and the category and tags of one (model.TERMS, terms.py), both when in all of
    those; else None. Where `drafts_shown` (a --drafts preview), two versions of a draft
    too, but in their body or display alone: a draft is in no feed, calendar, export or
    search index, which the other kinds remake."""
    a, b = old.result.prediction, new.result.prediction
    if a is None or b is None:  # a file with an error has none (loader.py)
        return None
    if a.draft or b.draft:
        kinds = _kinds(a, b) if drafts_shown and a.draft and b.draft else None
        return kinds if kinds is not None and kinds <= {"body", "display"} else None
    return _kinds(a, b)


def _kinds(a: Prediction, b: Prediction) -> frozenset[str] | None:
    if _without_body(a) == _without_body(b):
        return frozenset({"body"})
    if differs_in_display_only(a, b):
        return frozenset({"display"})
    if differs_in_open_forecasts(a, b):
        return frozenset({"forecast"})
    if differs_in_open_terms(a, b):
        return frozenset({"terms"})
    if differs_in_open_forecasts_and_terms(a, b):
        return frozenset({"forecast", "terms"})
    return None


def _stays_a_draft(old: FileEntry, new: FileEntry) -> bool:
    """Whether both versions are drafts without an error (a file with one has no prediction:
    loader.py), claiming the same slug, aliases and terms: the full build would leave it out
    as it did, and find no new clash with another file (loader.check_duplicates), nor
    another term that drafts name (terms.py)."""
    a, b = old.result.prediction, new.result.prediction
    if a is None or b is None or not (a.draft and b.draft):
        return False
    claims = lambda p: (p.slug, p.aliases, p.category, p.tags)  # noqa: E731
    return claims(a) == claims(b)


def _a_new_draft(entry: FileEntry) -> bool:
    """A draft without an error, and without aliases, which a build checks against every page
    of the site (pipeline.load): what else it may clash with, drafts.fit checks."""
    p = entry.result.prediction
    return p is not None and p.draft and not p.aliases


def _is_draft(entry: FileEntry) -> bool:
    p = entry.result.prediction
    return p is not None and p.draft


def _without_body(p: Prediction) -> Prediction:
    return dataclasses.replace(p, body_html="", digest="")


def _prediction(entry: FileEntry) -> Prediction:
    assert entry.result.prediction is not None  # find() takes good predictions only
    return entry.result.prediction


def _slug(entry: FileEntry) -> str:
    return _prediction(entry).slug
