"""Change one prediction file in place, as `foretell resolve` and `foretell update` do.

The file is found the way the build finds it (the `slug:` field, or the file name). The new
text is parsed by the build's own loader and must read back as exactly the intended
prediction before it is written, so the file always passes `foretell check` afterwards; the
write is atomic, and keeps the file's permissions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from builder.config.siteconfig import SiteConfig, load_config
from builder.content.model import Prediction
from builder.content.yamledit import EditError
from builder.system.files import write_atomically


class Refused(Exception):
    """A request we refuse; the message tells the author what to do."""


def refuse_future(prediction: Prediction, what: str, date: dt.date, today: dt.date) -> None:
    """A date a command would write that is after today (--now, or the date in the site's time
    zone): what it records has not happened yet, and the page would show it as done."""
    if date > today:
        raise Refused(
            f"{prediction.source}: {what} date {date.isoformat()} is after today "
            f"({today.isoformat()}): {what}s are recorded on the day they happen"
        )


@dataclass(frozen=True)
class Target:
    """The site's configuration, its author keys, and the prediction to change."""

    config: SiteConfig
    authors: list[str]
    prediction: Prediction


def find(root: Path, slug: str) -> Target:
    """The prediction with `slug` in the site at `root`, or Refused."""
    config, problems = load_config(root)
    if config is None:
        raise Refused("; ".join(str(p) for p in problems) or "cannot read site.yaml")
    authors = [a.key for a in config.authors]
    return Target(config, authors, _by_slug(root, slug, authors))


def _by_slug(root: Path, slug: str, authors: list[str]) -> Prediction:
    from builder.content.loader import read_every_file  # heavy: only when editing

    entries = read_every_file(root, authors)
    found = [
        e.result.prediction
        for e in entries.values()
        if e.result.prediction is not None and e.result.prediction.slug == slug
    ]
    if len(found) > 1:
        names = " and ".join(p.source for p in found)
        raise Refused(f"slug {slug!r} is used by {names}; run foretell check")
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
    raise Refused(message)


def rewrite(
    root: Path, target: Target, edit: Callable[[str], str], expected: Prediction, what: str
) -> Path:
    """Apply `edit` to the prediction's file text and write the result, once it reads back
    as `expected` (the prediction with `what`, e.g. "the resolution", added)."""
    old = target.prediction
    path = root / old.source
    text = path.read_bytes().decode("utf-8")  # the loader read it, so it is UTF-8
    try:
        new_text = edit(text)
    except EditError as exc:
        raise Refused(f"{old.source}: {exc}") from None
    _verify(new_text, target, expected, what)
    _write(path, new_text.encode("utf-8"))
    return path


def _verify(text: str, target: Target, expected: Prediction, what: str) -> None:
    """The new text, read as the build reads it, is `expected`, and nothing else changed."""
    from builder.content.loader import parse_prediction

    source = target.prediction.source
    result = parse_prediction(source, text, target.authors)
    errors = [p for p in result.problems if p.is_error]
    if result.prediction is None or errors or result.prediction != _undigested(expected):
        # A bug, not the author's mistake: refuse rather than write a file we cannot vouch for.
        detail = "; ".join(str(p) for p in errors) or "the result does not read back as intended"
        raise Refused(f"{source}: could not add {what} safely ({detail})")


def _undigested(prediction: Prediction) -> Prediction:
    # parse_prediction was given no digest; the file's hash is the build's business.
    return dataclasses.replace(prediction, digest="")


def _write(path: Path, data: bytes) -> None:
    """Atomically, keeping the file's permissions: an editor or a crash never sees half."""
    write_atomically(path, data, mode=path.stat().st_mode & 0o7777)
