"""`foretell due [--within DAYS] [--strict]`: the predictions waiting for their author.

First those overdue (target date passed, no resolution), oldest target date first, each with
its file, its target date, how many days overdue and the `foretell resolve` command that
settles it; then those falling due within DAYS days, nearest first. With --strict the command
exits 1 while any is overdue, so a CI job can nag.

The content is read by the build's loader, and a site it cannot read is refused (exit 2)
rather than listed in part: a prediction in a broken file may be the overdue one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from builder.arguments import site_options
from builder.config.siteconfig import load_config
from builder.content.loader import check_duplicates, read_every_file
from builder.content.model import OUTCOMES, Prediction
from builder.errors import Problem
from builder.trackrecord.overdue import (
    DUE_WITHIN_DAYS,
    days_overdue,
    due_within,
    last_day,
    overdue,
)

OVERDUE_EXIT = 1  # --strict, with anything overdue
UNREADABLE_EXIT = 2  # the site has errors: nothing is listed


@dataclass(frozen=True)
class Due:
    today: dt.date
    within: int
    overdue: tuple[Prediction, ...]  # oldest target date first
    soon: tuple[Prediction, ...]  # nearest target date first


class Unreadable(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} error(s)")
        self.problems = problems


def due(root: Path, within: int, now: dt.date | None = None) -> Due:
    """What is overdue and what falls due within `within` days, on `now` (default: the
    site's today); raise Unreadable with every error when the content cannot be read."""
    config, problems = load_config(root)
    errors = [p for p in problems if p.is_error]
    if config is None:
        raise Unreadable(errors)
    entries = read_every_file(root, [a.key for a in config.authors])
    results = [entry.result for entry in entries.values()]
    errors += [p for r in results for p in r.problems if p.is_error]
    errors += check_duplicates(results)
    if errors:
        raise Unreadable(sorted(errors))
    predictions = [r.prediction for r in results if r.prediction is not None]
    today = now or config.today()
    return Due(today, within, overdue(predictions, today), due_within(predictions, today, within))


def report(found: Due, root: Path) -> list[str]:
    """The listing, one line each; the same input always gives the same lines."""
    lines = []
    if found.overdue:
        lines.append(f"Overdue: {_count(len(found.overdue))}, oldest target date first")
        for p in found.overdue:
            days = days_overdue(p, found.today)
            lines.append(f"  {_file(root, p)}: target date {p.target_date}, {_days(days)} overdue")
            lines.append(f"    {resolve_command(p, root)}")
    else:
        lines.append("Nothing overdue.")
    window = f"within {_days(found.within)} (to {last_day(found.today, found.within)})"
    if found.soon:
        lines.append(f"Due {window}: {_count(len(found.soon))}, nearest first")
        for p in found.soon:
            when = (p.target_date - found.today).days
            at = "today" if when == 0 else f"in {_days(when)}"
            lines.append(f"  {_file(root, p)}: target date {p.target_date}, due {at}")
    else:
        lines.append(f"Nothing due {window}.")
    return lines


def resolve_command(p: Prediction, root: Path) -> str:
    """The command that records the outcome, runnable from where `due` was run."""
    words = ["foretell", "resolve", shlex.quote(p.slug), "--outcome", "|".join(OUTCOMES)]
    if root != Path("."):
        words += ["--source", shlex.quote(root.as_posix())]
    return " ".join(words)


def _file(root: Path, p: Prediction) -> str:
    return p.source if root == Path(".") else (root / p.source).as_posix()


def _count(number: int) -> str:
    return f"{number} prediction{'' if number == 1 else 's'}"


def _days(number: int) -> str:
    return f"{number} day{'' if number == 1 else 's'}"


# --- Command line ------------------------------------------------------------------------


def configure(command: argparse.ArgumentParser) -> None:
    """The `foretell due` command's arguments (the CLI made the parser, see cli.py)."""
    command.description = (
        "List the published predictions whose target date has passed without a resolution "
        "(oldest first, with the command that resolves each), then those due soon."
    )
    command.add_argument(
        "--within",
        type=_days_argument,
        default=DUE_WITHIN_DAYS,
        metavar="DAYS",
        help=f"also list those due within DAYS days (default: {DUE_WITHIN_DAYS})",
    )
    command.add_argument(
        "--strict",
        action="store_true",
        help=f"exit {OVERDUE_EXIT} if any prediction is overdue (for a CI job)",
    )
    site_options(command)
    command.set_defaults(func=run)


def _days_argument(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        days = -1
    if days < 0:
        raise argparse.ArgumentTypeError(f"expected a number of days (0 or more), got {text!r}")
    return days


def run(args: argparse.Namespace) -> int:
    try:
        found = due(args.source, args.within, args.now)
    except Unreadable as unreadable:
        _write(sys.stderr, [f"error: {problem}" for problem in unreadable.problems])
        _write(sys.stderr, ["Nothing listed: fix these first (foretell check lists them all)."])
        return UNREADABLE_EXIT
    _write(sys.stdout, report(found, args.source))
    return OVERDUE_EXIT if args.strict and found.overdue else 0


def _write(stream: TextIO, lines: Sequence[str]) -> None:
    stream.write("".join(f"{line}\n" for line in lines))
