"""`foretell resolve SLUG --outcome yes|no|void`: record how a prediction turned out.

It finds the file the way the build does (the `slug:` field, or the file name), checks the
request, and adds the `resolution:` block under `prediction:` without touching anything else
in the file (yamledit.py). The new text is parsed by the build's own loader before it is
written, so the file always passes `foretell check` afterwards; the write is atomic
(content/edit.py, shared with `foretell update`).
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
from builder.config.weburl import web_url
from builder.content.edit import Refused, find, refuse_future, rewrite
from builder.content.model import OUTCOMES, Resolution
from builder.content.yamledit import Block, add_resolution


@dataclass(frozen=True)
class Request:
    slug: str
    outcome: str  # yes | no | void (argparse checked it)
    date: dt.date | None = None  # None: today
    evidence: str | None = None
    note: str | None = None
    force: bool = False


@dataclass(frozen=True)
class Done:
    path: Path
    resolution: Resolution
    replaced: Resolution | None  # the resolution --force replaced


def resolve(root: Path, request: Request, now: dt.date | None = None) -> Done:
    """Write the resolution into the prediction's file, or raise Refused."""
    target = find(root, request.slug)
    prediction = target.prediction
    if prediction.resolution is not None and not request.force:
        old = prediction.resolution
        raise Refused(
            f"{prediction.source}: {request.slug!r} is already resolved ({old.outcome} on "
            f"{old.date.isoformat()}); use --force to replace that resolution"
        )
    today = now or target.config.today()
    date = request.date or today
    refuse_future(prediction, "resolution", date, today)
    if date < prediction.date:
        raise Refused(
            f"resolution date {date.isoformat()} is before the prediction was published "
            f"({prediction.date.isoformat()})"
        )
    evidence = None if request.evidence is None else _evidence(request.evidence)
    block = Block(request.outcome, date, evidence, request.note)
    expected = Resolution(request.outcome, date, evidence, request.note)  # type: ignore[arg-type]
    path = rewrite(
        root,
        target,
        lambda text: add_resolution(text, block, replace=request.force),
        dataclasses.replace(prediction, resolution=expected),
        "the resolution",
    )
    return Done(path, expected, prediction.resolution)


def _evidence(url: str) -> str:
    """The URL as `foretell check` reads it back (the same rule, so the file passes)."""
    try:
        return web_url(url)
    except ValueError as exc:
        raise Refused(f"--evidence must be an http(s) URL: {exc}") from None


# --- Command line ------------------------------------------------------------------------


def configure(command: argparse.ArgumentParser) -> None:
    """The `foretell resolve` command's arguments (the CLI made the parser, see cli.py)."""
    command.description = (
        "Add the resolution block under `prediction:` in the prediction's file, changing "
        "nothing else in it."
    )
    command.add_argument("slug", help="the prediction's slug (its file name, or its slug: field)")
    command.add_argument("--outcome", required=True, choices=OUTCOMES, help="what happened")
    command.add_argument(
        "--date", type=date_argument, help="resolution date YYYY-MM-DD (default: today)"
    )
    command.add_argument("--evidence", metavar="URL", help="link to the evidence")
    command.add_argument("--note", help="a short note shown with the outcome")
    command.add_argument(
        "--force", action="store_true", help="replace an existing resolution (and only it)"
    )
    site_options(command)
    command.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    console = Console(stderr=True, highlight=False)
    request = Request(args.slug, args.outcome, args.date, args.evidence, args.note, args.force)
    try:
        done = resolve(args.source, request, args.now)
    except Refused as exc:
        console.print(f"[red]error[/]: {escape(str(exc))}", soft_wrap=True)
        return 1
    r = done.resolution
    what = "Replaced the resolution of" if done.replaced else "Resolved"
    console.print(
        f"{what} {escape(args.slug)}: [bold]{r.outcome}[/] on {r.date.isoformat()} "
        f"({escape(str(done.path))})",
        soft_wrap=True,
    )
    return 0
