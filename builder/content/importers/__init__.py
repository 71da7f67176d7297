"""`foretell import fatebook|predictionbook FILE`: bring a track record from another tracker.

Each question of the export becomes one prediction file (writer.py); rows that cannot be
read are left out and reported, one `FILE:ROW: field: message` line each, and nothing on
the site is ever overwritten. Exit status: 0 when every question is on the site, 1 when
some were left out, 2 when nothing could be done (no such file, not that format, bad
site.yaml or --author).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path

from builder.arguments import site_options
from builder.content.importers import fatebook, predictionbook
from builder.content.importers.question import ImportFailed, Parsed
from builder.content.importers.writer import FOLDER, Result, write_all
from builder.content.new import NewFileError, site_author
from builder.errors import Problem

Reader = Callable[[Path, str, str | None], Parsed]
FORMATS: dict[str, Reader] = {"fatebook": fatebook.read, "predictionbook": predictionbook.read}


def configure(command: argparse.ArgumentParser) -> None:
    """The `foretell import` command's arguments (the CLI made the parser, see cli.py)."""
    command.description = (
        "Write one prediction file per question of another tracker's export: Fatebook's CSV "
        "(account menu, 'Export all your predictions') or PredictionBook's CSV (settings, "
        "'Export my predictions as CSV') or API JSON (/api/my_predictions). Rows it cannot "
        "read are reported and left out; existing files are never overwritten, and questions "
        "already on the site are not written again."
    )
    command.add_argument("tracker", choices=sorted(FORMATS), help="where the export comes from")
    command.add_argument("file", type=Path, help="the exported file")
    command.add_argument("--author", help="author key from site.yaml (default: the first one)")
    command.add_argument(
        "--forecaster",
        metavar="NAME",
        help="Fatebook: import NAME's latest forecast on each question (default: the "
        "question's creator's)",
    )
    site_options(command)  # --source as every command has it (and --now, unused here)
    command.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        authors, author = _authors(args.source, args.author)
        parsed = FORMATS[args.tracker](args.file, str(args.file), args.forecaster)
    except ImportFailed as failed:
        _say(f"error: {failed}")
        return 2
    result = write_all(args.source, parsed.questions, author, authors)
    for problem in sorted([*parsed.problems, *result.problems], key=_in_file_order):
        _say(str(problem))
    if parsed.note:
        _say(f"note: {parsed.note}")
    _say(_summary(parsed, result))
    return 1 if parsed.skipped or result.skipped else 0


def _authors(root: Path, wanted: str | None) -> tuple[list[str], str]:
    """The site's author keys, and the one to write (chosen as `foretell new` does)."""
    try:
        config, author = site_author(root, wanted)
    except NewFileError as exc:
        raise ImportFailed(str(exc) or "cannot read site.yaml") from None
    return [a.key for a in config.authors], author


def _in_file_order(problem: Problem) -> tuple[int, list[int | str]]:
    """CSV rows by line; JSON items (no lines) by index: "predictions.10" after "….9"."""
    parts = re.split(r"(\d+)", problem.field or "")  # str, digits, str...: always comparable
    return problem.line or 0, [int(part) if part.isdigit() else part for part in parts]


def _summary(parsed: Parsed, result: Result) -> str:
    count = len(result.written)
    noun = "prediction" if count == 1 else "predictions"
    text = f"Imported {count} {noun} into {FOLDER}/, skipped {parsed.skipped + result.skipped}"
    if result.present:
        text += f"; {result.present} already there"
    return text + "."


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")
