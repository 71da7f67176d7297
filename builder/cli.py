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
from builder.arguments import COMMANDS, date, nearest_site, site_options
from builder.content import parsecache
from builder.errors import WARNINGS_SHOWN, BuildFailed, Problem, warnings_left
from builder.incremental import dispatch, freshness
from builder.options import BuildOptions
from builder.write import ownership

if TYPE_CHECKING:  # rich is imported when there is something to print with it
    from rich.console import Console

    from builder.config.siteconfig import SiteConfig
    from builder.pipeline import Loaded

NO_SITE = "no site.yaml here or in any folder above: run `foretell init` to start a site"
PREVIEW_DRAFTS = "preview them with: foretell serve --drafts"


def main(argv: Sequence[str] | None = None) -> int:
    try:
        try:
            return _main(argv)
        finally:  # what is still buffered, while a closed pipe can still be caught below
            sys.stdout.flush()
    except BrokenPipeError:
        return _reader_gone()


def _reader_gone() -> int:
    """What the command printed went to a pipe whose reader has stopped reading (`foretell
    theme list | head -1`): exit quietly. stdout is pointed at devnull, or the interpreter's
    own flush of it at exit would fail again and print a traceback. Exit status 1, as the
    Python documentation's idiom and rich's Console.on_broken_pipe do (rich prints `check`'s
    and `build`'s problems, and exits 1 when its stream is closed): every command agrees."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    with contextlib.suppress(AttributeError, OSError, ValueError):  # no real stdout
        os.dup2(devnull, sys.stdout.fileno())
    return 1


def _main(argv: Sequence[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = _parser(next((arg for arg in argv if not arg.startswith("-")), None))
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    if getattr(args, "source", False) is None:  # a site command, without --source
        args.source = nearest_site()
        if args.source is None:
            sys.stderr.write(f"error: {NO_SITE}\n")
            return 1
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

    init = sub.add_parser(
        "init",
        help="start a new site in DIR (default: here)",
        description="Write a site that builds as it is: a commented site.yaml, an example "
        "prediction and a .gitignore. Writes nothing if any of them exists.",
    )
    init.add_argument(
        "dir",
        nargs="?",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="the site's folder, made if missing (default: the current folder)",
    )
    init.add_argument(
        "--github-pages",
        action="store_true",
        help="also write a GitHub Actions workflow that publishes the site on GitHub Pages",
    )
    init.add_argument("--now", type=date, help="today's date YYYY-MM-DD (default: the real date)")
    init.set_defaults(func=run_init)

    build = sub.add_parser("build", help="build the site into output/")
    site_options(build)
    build.add_argument("--output", type=Path, help="output folder (default: SOURCE/output)")
    build.add_argument("--clean", action="store_true", help="rebuild everything from scratch")
    build.add_argument("--drafts", action="store_true", help="include drafts")
    build.add_argument(
        "--url",
        type=site_url,
        help="the address the site is deployed at, instead of site.yaml's url",
    )
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
        url=args.url,
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
        _print_warnings(report.warnings)
    took = time.perf_counter() - started
    if report.way == "up to date":
        _plain("Up to date", f": {report.pages} pages, nothing changed ({took:.2f} s)")
    else:
        counts = f"{report.files} files, {report.changed} changed, {report.rendered} rendered"
        _plain("Built", f" {report.pages} pages ({counts}) in {took:.2f} s")
    if report.drafts:
        sys.stderr.write(f"{drafts_skipped(report.drafts)}\n")
    return 0


def _print_warnings(warnings: Sequence[Problem]) -> None:
    """The first warnings in full, then how many more of each kind (errors.warnings_left).
    Plain text: a build that succeeds never imports rich."""
    color = sys.stderr.isatty() and "NO_COLOR" not in os.environ
    lead = "\x1b[33mwarning\x1b[0m" if color else "warning"
    lines = [f"{lead}: {problem}" for problem in warnings[:WARNINGS_SHOWN]]
    sys.stderr.write("\n".join([*lines, *warnings_left(warnings)]) + "\n")


def drafts_skipped(count: int) -> str:
    return f"{_count(count, 'draft')} skipped ({PREVIEW_DRAFTS})"


def _count(number: int, noun: str) -> str:
    """The number and the noun: "1 draft", "2 drafts", "0 drafts"."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def site_url(text: str) -> str:
    """--url: the rule site.yaml's url follows (weburl.py, no query or fragment), with the
    one "/" at its end that every address is made from."""
    from builder.config.weburl import web_url

    try:
        url = web_url(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if "?" in url or "#" in url:  # after web_url, only where a query or a fragment starts
        raise argparse.ArgumentTypeError(f"must not have a query or a fragment, got {url!r}")
    return url.rstrip("/") + "/"


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
    from builder.content.loader import draft_count

    console = _console()
    options = BuildOptions(root=args.source, now=args.now)
    fresh = freshness.check(options, output=False)  # today, resolved once
    templates = _template_errors(options.root, fresh.config[0])
    # The files unchanged since the last build are taken as it parsed them (the build does
    # the same): 0.5 s at 10,000 predictions, against 16 s to parse them all again.
    parsed = parsecache.load_files(options.root)
    try:
        loaded = pipeline.load(options, fresh.today, parsed, fresh.config, fresh.inputs)
    except BuildFailed as failed:
        return _check_failed(console, failed.problems + templates)
    warnings = sorted(loaded.warnings + _renamed_without_alias(options.root, loaded))
    if templates:
        return _check_failed(console, warnings + templates)
    print_problems(console, warnings)
    count = _count(len(loaded.site.predictions), "prediction")
    console.print(f"[green]OK[/]: {count}, {_summary(warnings)}")
    drafts = draft_count(loaded.files.values())
    if drafts:
        console.print(drafts_skipped(drafts), soft_wrap=True)
    return 0


def _check_failed(console: Console, problems: Sequence[Problem]) -> int:
    print_problems(console, problems)
    console.print(f"[red]Check failed[/]: {_summary(problems)}")
    return 1


def _template_errors(root: Path, config: SiteConfig | None) -> list[Problem]:
    """The theme's templates that do not compile, as `build` reports them (render/errors.py):
    what `check` accepts, `build` builds. Without a config there is no theme to look in (its
    problems are reported first)."""
    if config is None:
        return []
    from builder.pipeline import theme_of
    from builder.render.errors import syntax_problems

    return syntax_problems(theme_of(root, config), root)


def _renamed_without_alias(root: Path, loaded: Loaded) -> list[Problem]:
    """Predictions whose slug changed in git history, their old address left without an alias
    (trackrecord/renames.py): `check` only, as it reads history the build does not cache."""
    from builder.trackrecord.renames import missing_aliases

    lines = {entry.result.source: entry.result.slug_line for entry in loaded.files.values()}
    return missing_aliases(root, loaded.site.predictions, lines)


def run_init(args: argparse.Namespace) -> int:
    """A new site in args.dir; when any of its files exists, nothing is written."""
    from builder.content import starter
    from builder.system import clock

    folder: Path = args.dir
    today = args.now or clock.today("UTC")  # the time zone the new site.yaml names
    if folder.exists() and not folder.is_dir():
        sys.stderr.write(f"error: {folder} is a file, not a folder\n")
        return 1
    try:
        written = starter.create(folder, today, github_pages=args.github_pages)
    except starter.InitRefused as refused:
        for path in refused.existing:
            sys.stderr.write(f"error: {path} already exists\n")
        sys.stderr.write("Nothing was written: foretell init never overwrites a file.\n")
        return 1
    except OSError as exc:  # a file where a folder must go, no permission...
        sys.stderr.write(f"error: cannot write the site into {folder}: {exc}\n")
        return 1
    here = folder == Path(".")
    lines = [f"Created a foretell site {'here' if here else f'in {folder}'}:"]
    lines += [f"  {path}" for path in written]
    lines.append("Next:" if here else f"Next: cd {folder}, then")
    lines += [
        "  foretell serve          preview it in a browser, rebuilt at every save",
        '  foretell new "Title"    start a prediction (a draft: foretell serve --drafts)',
        "  foretell build          make the site in output/, to upload to any static host",
    ]
    if args.github_pages:
        lines.append(
            f"GitHub Pages: {starter.PAGES_WORKFLOW_NAME} publishes every push to main, once the"
            " repository's Settings > Pages has Source set to GitHub Actions. foretell is not on"
            " PyPI yet: in that file, replace OWNER/foretell with the repository you install"
            " foretell from."
        )
    sys.stderr.write("\n".join(lines) + "\n")
    return 0


def run_new(args: argparse.Namespace) -> int:
    from rich.markup import escape

    from builder.content import new as newfile

    console = _console()
    try:
        path = newfile.create(args.source, args.title, author=args.author, now=args.now)
    except newfile.NewFileError as exc:
        console.print(f"[red]error[/]: {escape(str(exc))}", soft_wrap=True)
        return 1
    console.print(escape(NEXT_STEPS.format(path=path)).rstrip("\n"), soft_wrap=True)
    return 0


NEXT_STEPS = """\
Created {path} (a draft)
Next:
  1. Edit it: write the claim, your confidence, your sources and why you expect it.
  2. Preview it: foretell serve --drafts
  3. Publish it: delete the line `draft: true`, then run foretell build.
"""


if __name__ == "__main__":
    sys.exit(main())
