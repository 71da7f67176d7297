"""Command-line options shared by the subcommands, and the commands whose modules load late."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

SITE_FILE = "site.yaml"  # what makes a folder a site (config/siteconfig.py reads it)


def site_options(parser: argparse.ArgumentParser) -> None:
    """`--source DIR` and `--now YYYY-MM-DD`, the same for every command. Without --source,
    `source` is None until the command line (cli.py) looks for the site: nearest_site()."""
    parser.add_argument(
        "--source",
        "-s",
        type=Path,
        help="site folder (default: the nearest folder holding site.yaml, here or above)",
    )
    parser.add_argument("--now", type=date, help="today's date YYYY-MM-DD (default: the real date)")


def nearest_site(start: Path | None = None) -> Path | None:
    """The nearest folder at or above `start` (default: the current folder) that holds
    site.yaml, as git finds its repository: "." for `start` itself, else "..", "../.." and so
    on, so that paths printed from it stay short; None when no folder above holds one."""
    try:
        here = start or Path.cwd()
    except FileNotFoundError:  # the current folder was deleted
        return None
    for depth, folder in enumerate((here, *here.parents)):
        if (folder / SITE_FILE).is_file():
            return Path(*[".."] * depth) if depth else Path(".")
    return None


def date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def port(text: str) -> int:
    """A TCP port, 0 for any free one (`serve --port`, `votes serve --port`)."""
    if not (text.isascii() and text.isdigit()) or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"expected a port number 0-65535, got {text!r}")
    return int(text)


# Commands whose modules take a while to import (a web server, the loader...): listed by name
# and help, and their module imported only when the command is the one run, so that
# `foretell build` starts fast (a no-op build is mostly starting Python).
COMMANDS = {
    "serve": (
        "builder.serve.command",
        "preview the site: serve it, rebuild on change, reload the browser",
    ),
    "resolve": ("builder.trackrecord.resolve", "record a prediction's outcome in its file"),
    "update": ("builder.trackrecord.update", "record a revised forecast in a prediction's file"),
    "due": (
        "builder.trackrecord.due",
        "list the predictions overdue for resolution, then due soon",
    ),
    "import": (
        "builder.content.importers",
        "bring predictions from another tracker (Fatebook, PredictionBook)",
    ),
    "stamp": (
        "builder.trackrecord.stamps.stamp",
        "get RFC 3161 timestamps for the claims that have none yet (content/stamps/)",
    ),
    "verify": (
        "builder.trackrecord.stamps.verify",
        "check a built site's timestamps yourself: every token, claim and date",
    ),
    "votes": ("builder.votes.command", "the reader-vote endpoint"),
    "theme": (
        "builder.render.themecopy",
        "copy the installed theme's files into the site to customise them (copy, list)",
    ),
}
