"""Command-line options shared by the subcommands that read a site."""

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
