"""Command-line options shared by the subcommands, and the commands whose modules load late."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path


def site_options(parser: argparse.ArgumentParser) -> None:
    """`--source DIR` and `--now YYYY-MM-DD`, the same for every command."""
    parser.add_argument(
        "--source", "-s", type=Path, default=Path("."), help="site folder (default: .)"
    )
    parser.add_argument("--now", type=date, help="today's date YYYY-MM-DD (default: the real date)")


def date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


# Commands whose modules take a while to import (a web server, the loader...): listed by name
# and help, and their module imported only when the command is the one run, so that
# `foretell build` starts fast (a no-op build is mostly starting Python).
COMMANDS = {
    "serve": (
        "builder.serve.command",
        "preview the site: serve it, rebuild on change, reload the browser",
    ),
    "resolve": ("builder.trackrecord.resolve", "record a prediction's outcome in its file"),
    "votes": ("builder.votes.command", "the reader-vote endpoint"),
}
