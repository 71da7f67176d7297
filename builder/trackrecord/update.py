"""`foretell update SLUG --confidence 0.55`: record a revised forecast in the prediction's file.

The update goes after the last one under `prediction.updates` (the list is made when there is
none) without touching anything else in the file (yamledit.py). The request is held to the
rules `foretell check` applies to updates (schema.py), the new text is read back by the
build's loader, and the write is atomic (content/edit.py, shared with `foretell resolve`).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from builder.arguments import date as date_argument
from builder.arguments import site_options
from builder.content.edit import Refused, find, refuse_future, rewrite
from builder.content.model import Prediction, Update
from builder.content.schema import confidence_problem, update_date_problem
from builder.content.yamledit import add_update


@dataclass(frozen=True)
class Request:
    slug: str
    confidence: float
    date: dt.date | None = None  # None: today
    note: str | None = None
    force: bool = False  # update a resolved prediction


@dataclass(frozen=True)
class Done:
    path: Path
    update: Update
    previous: float  # the confidence that stood until this update


def update(root: Path, request: Request, now: dt.date | None = None) -> Done:
    """Append the update to the prediction's file, or raise Refused."""
    problem = confidence_problem(request.confidence)
    if problem is not None:
        raise Refused(f"--confidence {problem}")
    target = find(root, request.slug)
    prediction = target.prediction
    _refuse_resolved(prediction, request.force)
    previous = prediction.current_confidence
    if previous is None:
        raise Refused(
            f"{prediction.source}: {request.slug!r} has no prediction.confidence: an update "
            "revises the confidence first published, so give that one first"
        )
    today = now or target.config.today()
    date = request.date or today
    refuse_future(prediction, "update", date, today)
    _refuse_date(prediction, date, defaulted=request.date is None)
    note = (request.note or "").strip() or None  # as `check` reads it back
    new = Update(date, request.confidence, note)
    path = rewrite(
        root,
        target,
        lambda text: add_update(text, new),
        dataclasses.replace(prediction, updates=(*prediction.updates, new)),
        "the update",
    )
    return Done(path, new, previous)


def _refuse_resolved(prediction: Prediction, force: bool) -> None:
    resolution = prediction.resolution
    if resolution is not None and not force:
        # Revising a forecast once the answer is known is what the record must not allow
        # by accident; --force is for recording a late entry of an update made in time.
        raise Refused(
            f"{prediction.source}: {prediction.slug!r} is already resolved "
            f"({resolution.outcome} on {resolution.date.isoformat()}); use --force to add "
            "an update dated before the resolution anyway"
        )


def _refuse_date(prediction: Prediction, date: dt.date, *, defaulted: bool) -> None:
    """The rules `check` applies (schema.py), so that what the command writes passes it."""
    last = prediction.updates[-1].date if prediction.updates else None
    problem = update_date_problem(
        date,
        published=prediction.date,
        target=prediction.target_date,
        resolved=prediction.resolution.date if prediction.resolution else None,
        previous=last,
    )
    if problem is not None:
        hint = " (the date defaults to today: give one with --date)" if defaulted else ""
        raise Refused(f"{prediction.source}: update date {date.isoformat()} {problem}{hint}")


# --- Command line ------------------------------------------------------------------------


def configure(command: argparse.ArgumentParser) -> None:
    """The `foretell update` command's arguments (the CLI made the parser, see cli.py)."""
    command.description = (
        "Add a revised forecast after the last one under `prediction.updates` in the "
        "prediction's file, changing nothing else in it."
    )
    command.add_argument("slug", help="the prediction's slug (its file name, or its slug: field)")
    command.add_argument(
        "--confidence", required=True, type=float, help="the new confidence, from 0 to 1"
    )
    command.add_argument(
        "--date", type=date_argument, help="the update's date YYYY-MM-DD (default: today)"
    )
    command.add_argument("--note", help="why the forecast changed, shown with the update")
    command.add_argument(
        "--force", action="store_true", help="update a prediction that is already resolved"
    )
    site_options(command)
    command.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    console = Console(stderr=True, highlight=False)
    request = Request(args.slug, args.confidence, args.date, args.note, args.force)
    try:
        done = update(args.source, request, args.now)
    except Refused as exc:
        console.print(f"[red]error[/]: {escape(str(exc))}", soft_wrap=True)
        return 1
    u = done.update
    console.print(
        f"Updated {escape(args.slug)}: confidence [bold]{u.confidence:g}[/] (was "
        f"{done.previous:g}) from {u.date.isoformat()} ({escape(str(done.path))})",
        soft_wrap=True,
    )
    return 0
