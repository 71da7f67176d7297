"""The shortcut's forecast edits: a new first confidence, or an update, of a prediction that is
not resolved (with or without display edits: display.py).

No score is made from an open prediction's forecasts (trackrecord/scoring.py scores resolved
ones), so such an edit shows where a display edit does, and in two more places: what git
vouches for about the prediction (its history, read again: the record's is of the version
before), and its line in each track-record export. The one figure of the site it can move is
through the history: whether the prediction was recorded after the fact, which each author's
count shows (an uncommitted edit leaves git nothing to vouch for); when that changes, the
full build is taken, as it is for a prediction with timestamp tokens, whose claims the site
publishes one file per forecast. The exports are patched, each edited prediction's line
replaced, the rest of the file as the last build left it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from builder.config.siteconfig import SiteConfig
from builder.content.model import Prediction
from builder.incremental.edits import Edits
from builder.incremental.freshness import Freshness
from builder.incremental.history import histories_of
from builder.incremental.shortcut import Record
from builder.incremental.shortcut_render import excerpt_of
from builder.options import BuildOptions
from builder.render.trackrecord_csv import CSV_FILE, row_line
from builder.render.trackrecord_json import JSON_FILE, prediction_line
from builder.site.model import Site
from builder.trackrecord.history import FileHistory
from builder.trackrecord.vouch import vouched

EXPORTS: dict[str, Callable[[Prediction, Site], str]] = {
    JSON_FILE: lambda p, site: f"\n{prediction_line(p, site)}",  # each after a line break
    CSV_FILE: lambda p, site: f"\n{row_line(p, site)}",  # after the header's, or a row's
}


def record_with_history(
    options: BuildOptions, fresh: Freshness, record: Record, found: Edits
) -> Record | None:
    """The record with the edited predictions' git history as it is now; None when the
    shortcut cannot make all the edits change (applies)."""
    config = fresh.config[0]
    assert config is not None
    edited = found.edited()
    now = histories_of(options.root, edited.values(), fresh.head)
    stamped = record.stamps.keys()
    if not applies(config, stamped, found.before, record.history, edited, now):
        return None
    history = {k: v for k, v in record.history.items() if k not in edited} | now
    return dataclasses.replace(record, history=history)


@dataclass(frozen=True)
class Patched:
    """The exports with the edited predictions' lines replaced."""

    files: dict[str, bytes]  # path -> the export's bytes
    # (export, slug) -> each edited prediction's line as written there (taken.Taken.lines
    # keeps them: the next shortcut finds them so)
    lines: dict[tuple[str, str], str]


def exports(
    fresh: Freshness,
    then: Record,
    now: Record,
    found: Edits,
    read: Callable[[str], bytes | None],
) -> Patched | None:
    """The track-record exports with the edited predictions' lines, from the files as
    `read` gives them (patched_exports), `then` the record they were made with, the lines
    the shortcuts since wrote in `found.since`."""
    edited = found.edited()
    site_then = excerpt_of(fresh, then, found.before.values())
    site_now = excerpt_of(fresh, now, edited.values())
    written = found.since.lines
    return patched_exports(read, found.before, edited, site_then, site_now, written)


def applies(
    config: SiteConfig,
    stamped: Collection[str],
    before: Mapping[str, Prediction],
    then: Mapping[str, FileHistory],
    edited: Mapping[str, Prediction],
    now: Mapping[str, FileHistory],
) -> bool:
    """Whether the shortcut can make all an edit of these forecasts changes, the histories
    `then` (of the versions `before`) and `now` (of the `edited` ones) by slug: no edited
    prediction is among those with timestamp tokens, `stamped` (the site publishes their
    claims, one file per forecast: render/timestamps.py), and each is recorded after the fact
    exactly when its version before was (each author's count of them is on the site)."""
    if any(slug in stamped for slug in edited):
        return False
    grace = config.track_record.update_grace_days
    for slug, p in edited.items():
        old = vouched(before[slug], then.get(slug), grace)
        if old.late != vouched(p, now.get(slug), grace).late:
            return False
    return True


def patched_exports(
    read: Callable[[str], bytes | None],
    before: Mapping[str, Prediction],
    edited: Mapping[str, Prediction],
    site_then: Site,
    site_now: Site,
    written: Mapping[tuple[str, str], str] | None = None,
) -> Patched | None:
    """Each export with the edited predictions' lines as they are now (`read` gives a file
    as the output holds it); None when one of them holds a line of neither the version the
    last full build saw, nor this one, nor the one a shortcut since `written` there (by
    export and slug)."""
    made: dict[str, bytes] = {}
    lines: dict[tuple[str, str], str] = {}
    for path, line_of in EXPORTS.items():
        data = read(path)
        if data is None:
            return None
        text = data.decode("utf-8")
        for slug, p in edited.items():
            new = lines[path, slug] = line_of(p, site_now)
            if text.count(new) == 1:
                continue  # made so by an earlier shortcut
            old = line_of(before[slug], site_then)
            if text.count(old) != 1:
                old = (written or {}).get((path, slug), "")
                if not old or text.count(old) != 1:
                    return None
            text = text.replace(old, new)
        made[path] = text.encode("utf-8")
    return Patched(made, lines)
