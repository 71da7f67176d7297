"""`foretell resolve SLUG --outcome yes|no|void`: record how a prediction turned out.

It finds the file the way the build does (the `slug:` field, or the file name), checks the
request, and adds the `resolution:` block under `prediction:` without touching anything else
in the file (yamledit.py). The new text is parsed by the build's own loader before it is
written, so the file always passes `foretell check` afterwards; the write is atomic.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from builder.arguments import date as date_argument
from builder.arguments import site_options
from builder.config.siteconfig import SiteConfig, load_config
from builder.config.weburl import web_url
from builder.content.model import OUTCOMES, Prediction, Resolution
from builder.content.yamledit import Block, EditError, add_resolution


class ResolveError(Exception):
    """A request we refuse; the message tells the author what to do."""


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
    """Write the resolution into the prediction's file, or raise ResolveError."""
    config = _config(root)
    authors = [a.key for a in config.authors]
    prediction = _find(root, request.slug, authors)
    if prediction.resolution is not None and not request.force:
        old = prediction.resolution
        raise ResolveError(
            f"{prediction.source}: {request.slug!r} is already resolved ({old.outcome} on "
            f"{old.date.isoformat()}); use --force to replace that resolution"
        )
    date = request.date or now or config.today()
    if date < prediction.date:
        raise ResolveError(
            f"resolution date {date.isoformat()} is before the prediction was published "
            f"({prediction.date.isoformat()})"
        )
    evidence = None if request.evidence is None else _evidence(request.evidence)
    block = Block(request.outcome, date, evidence, request.note)
    path = root / prediction.source
    raw = path.read_bytes()
    text = raw.decode("utf-8")  # the loader read it, so it is UTF-8
    try:
        new_text = add_resolution(text, block, replace=request.force)
    except EditError as exc:
        raise ResolveError(f"{prediction.source}: {exc}") from None
    expected = Resolution(request.outcome, date, evidence, request.note)  # type: ignore[arg-type]
    _verify(prediction, new_text, expected, authors)
    _write(path, new_text.encode("utf-8"))
    return Done(path, expected, prediction.resolution)


def _config(root: Path) -> SiteConfig:
    config, problems = load_config(root)
    if config is None:
        raise ResolveError("; ".join(str(p) for p in problems) or "cannot read site.yaml")
    return config


def _find(root: Path, slug: str, authors: list[str]) -> Prediction:
    from builder.content.loader import prediction_files, read_all  # heavy: only when resolving

    entries = read_all(root, prediction_files(root), authors)
    found = [
        e.result.prediction
        for e in entries.values()
        if e.result.prediction is not None and e.result.prediction.slug == slug
    ]
    if len(found) > 1:
        names = " and ".join(p.source for p in found)
        raise ResolveError(f"slug {slug!r} is used by {names}; run foretell check")
    if found:
        return found[0]
    message = f"no prediction with slug {slug!r}"
    slugs = sorted(e.result.prediction.slug for e in entries.values() if e.result.prediction)
    close = difflib.get_close_matches(slug, slugs, n=3, cutoff=0.6)
    if close:
        message += f"; did you mean {', '.join(close)}?"
    # A file the loader could not read may be the one: say so rather than only "no such".
    broken = sorted(e.result.source for e in entries.values() if e.result.prediction is None)
    if broken:
        message += f" ({len(broken)} file(s) have errors, e.g. {broken[0]}: run foretell check)"
    raise ResolveError(message)


def _evidence(url: str) -> str:
    """The URL as `foretell check` reads it back (the same rule, so the file passes)."""
    try:
        return web_url(url)
    except ValueError as exc:
        raise ResolveError(f"--evidence must be an http(s) URL: {exc}") from None


def _verify(old: Prediction, text: str, expected: Resolution, authors: list[str]) -> None:
    """The new text, read as the build reads it, is the old prediction plus `expected`."""
    from builder.content.loader import parse_prediction

    result = parse_prediction(old.source, text, authors)
    new = result.prediction
    errors = [p for p in result.problems if p.is_error]
    same = new is not None and dataclasses.replace(new, resolution=None) == dataclasses.replace(
        old, resolution=None, digest=""
    )
    if new is None or errors or new.resolution != expected or not same:
        # A bug, not the author's mistake: refuse rather than write a file we cannot vouch for.
        detail = "; ".join(str(p) for p in errors) or "the result does not read back as intended"
        raise ResolveError(f"{old.source}: could not add the resolution safely ({detail})")


def _write(path: Path, data: bytes) -> None:
    """Atomically, keeping the file's permissions: an editor or a crash never sees half."""
    mode = path.stat().st_mode
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    except ResolveError as exc:
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
