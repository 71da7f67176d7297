"""The `foretell` command: a thin layer that parses arguments, runs the pipeline, prints."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from builder import __version__
from builder.arguments import COMMANDS, site_options
from builder.errors import BuildFailed, Problem
from builder.incremental import dispatch, freshness
from builder.options import BuildOptions
from builder.write import ownership

if TYPE_CHECKING:  # rich is imported when there is something to print with it
    from rich.console import Console


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = _parser(next((arg for arg in argv if not arg.startswith("-")), None))
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser, complete for `command` (the first word of the command line)."""
    parser = argparse.ArgumentParser(
        prog="foretell", description="Build a static site of prediction articles."
    )
    parser.add_argument("--version", action="version", version=f"foretell {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    build = sub.add_parser("build", help="build the site into output/")
    site_options(build)
    build.add_argument("--output", type=Path, help="output folder (default: SOURCE/output)")
    build.add_argument("--clean", action="store_true", help="rebuild everything from scratch")
    build.add_argument("--drafts", action="store_true", help="include drafts")
    build.add_argument(
        "--force",
        action="store_true",
        help="build into a non-empty folder no build wrote (only the build's files are replaced)",
    )
    build.set_defaults(func=run_build)

    check = sub.add_parser("check", help="report every problem in the content, write nothing")
    site_options(check)
    check.set_defaults(func=run_check)

    new = sub.add_parser("new", help="write a new prediction file, ready to edit")
    new.add_argument("title", help="the article's title")
    new.add_argument("--author", help="author key from site.yaml (default: the first one)")
    site_options(new)
    new.set_defaults(func=run_new)

    for name, (module, help_text) in COMMANDS.items():
        subparser = sub.add_parser(name, help=help_text)
        if name == command:
            importlib.import_module(module).configure(subparser)
    return parser


def _console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def print_problems(console: Console, problems: Sequence[Problem]) -> None:
    from rich.markup import escape

    for problem in problems:
        style = "red" if problem.is_error else "yellow"
        text = escape(str(problem))  # an author's text is never read as rich markup
        console.print(f"[{style}]{problem.severity}[/]: {text}", soft_wrap=True)


def _summary(problems: Sequence[Problem]) -> str:
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    return f"{errors} error(s), {warnings} warning(s)"


def run_build(args: argparse.Namespace) -> int:
    options = BuildOptions(
        root=args.source,
        now=args.now,
        output=args.output,
        clean=args.clean,
        drafts=args.drafts,
        force=args.force,
    )
    started = time.perf_counter()
    try:
        ownership.check_folder(options.root, options.out)  # before the check clears a cache
    except ownership.OutputRefused as refused:
        return _refused(refused)
    fresh = freshness.check(options)  # stats only, a fraction of a second
    try:
        # The commonest answer, up to date, imports nothing heavy: not even rich to print it.
        with _spinner(unless=fresh.up_to_date):
            report = dispatch.build(options, fresh)
    except BuildFailed as failed:
        return _failed(_console(), failed.problems)
    except ownership.OutputRefused as refused:
        return _refused(refused)
    except Exception as exc:  # a theme's template error is the author's; anything else, ours
        from builder.render.errors import template_problem

        problem = template_problem(exc, args.source)
        if problem is None:
            raise
        return _failed(_console(), [problem])
    if report.warnings:
        print_problems(_console(), report.warnings)
    took = time.perf_counter() - started
    if report.way == "up to date":
        _plain("Up to date", f": {report.pages} pages, nothing changed ({took:.2f} s)")
        return 0
    counts = f"{report.files} files, {report.changed} changed, {report.rendered} rendered"
    _plain("Built", f" {report.pages} pages ({counts}) in {took:.2f} s")
    return 0


@contextlib.contextmanager
def _spinner(unless: bool = False) -> Iterator[None]:
    """rich's spinner where someone watches a build, and nothing elsewhere: its refresh thread
    costs CPU the build needs, and importing rich a tenth of a one-article rebuild."""
    if unless or not sys.stderr.isatty():
        yield
        return
    with _console().status("Building…"):
        yield


def _plain(lead: str, rest: str) -> None:
    """One line on stderr, `lead` in green on a terminal, as rich would print it."""
    color = sys.stderr.isatty() and "NO_COLOR" not in os.environ
    sys.stderr.write(f"\x1b[32m{lead}\x1b[0m{rest}\n" if color else f"{lead}{rest}\n")


def _refused(refused: ownership.OutputRefused) -> int:
    """Nothing was written: exit 2, as for a command line that cannot be carried out."""
    sys.stderr.write(f"error: {refused}\n")
    return 2


def _failed(console: Console, problems: Sequence[Problem]) -> int:
    print_problems(console, problems)
    console.print(f"[red]Build failed[/]: {_summary(problems)}; output left unchanged.")
    return 1


def run_check(args: argparse.Namespace) -> int:
    from builder import pipeline

    console = _console()
    options = BuildOptions(root=args.source, now=args.now)
    fresh = freshness.check(options, output=False)  # today, resolved once
    try:
        loaded = pipeline.load(options, fresh.today, config_read=fresh.config, inputs=fresh.inputs)
    except BuildFailed as failed:
        print_problems(console, failed.problems)
        console.print(f"[red]Check failed[/]: {_summary(failed.problems)}")
        return 1
    print_problems(console, loaded.warnings)
    count = len(loaded.site.predictions)
    console.print(f"[green]OK[/]: {count} predictions, {_summary(loaded.warnings)}")
    return 0


def run_new(args: argparse.Namespace) -> int:
    from builder.content import new as newfile

    console = _console()
    try:
        path = newfile.create(args.source, args.title, author=args.author, now=args.now)
    except newfile.NewFileError as exc:
        console.print(f"[red]error[/]: {exc}")
        return 1
    console.print(f"Created {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
