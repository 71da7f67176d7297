"""`foretell votes snapshot`: the final vote tallies of every closed prediction, written to the
site's content/crowd.json, which the build reads (builder/content/crowd.py).

The tallies come from a running endpoint (`--endpoint URL`, over its read API, which says
whether each prediction is still open), or from its database directly (`--db`, as the endpoint
takes it: an SQLite file, opened read-only, or a PostgreSQL URL, read through its store); a
prediction is then closed as the endpoint would close it: the votes manifest's target date has
passed in UTC, or the prediction is resolved. Which predictions there are is
read from the votes manifest the build wrote.

A tally, once in the file, is never rewritten: only predictions not in it yet are asked for,
so votes that reach a closed prediction later (reopened by an edit, say, or written to the
database by hand) change nothing. The file is replaced in one rename, and not at all when
nothing closed since the last snapshot.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.arguments import nearest_site
from builder.content.crowd import CHOICES, CROWD_FILE, CrowdTally, format_crowd, parse_crowd
from builder.render.votes_manifest import FILE as MANIFEST_FILE
from builder.system import clock
from builder.system.files import write_atomically

from .database import (
    Database,
    SqliteDatabase,
    database_argument,
    one_line,
    open_store,
    store_errors,
)
from .manifest import ManifestError, Votable, load_votables
from .openapi import MAX_BATCH_IDS
from .store import SchemaError, tallies_from_rows

HTTP_TIMEOUT = 10.0  # seconds per request to the endpoint


class SnapshotError(Exception):
    """Why no snapshot could be taken: one line for the command to print."""


@dataclass(frozen=True)
class Snapshot:
    """What a snapshot found: the file's new tallies, and what it left as it was."""

    added: dict[str, CrowdTally]
    kept: int  # tallies already in the file, untouched
    still_open: int  # predictions whose voting has not closed yet
    unknown: tuple[str, ...] = ()  # in the manifest, but not known to the endpoint


def configure(commands: Any) -> None:
    """`foretell votes snapshot`'s arguments, on the `votes` command's subparsers."""
    from builder.arguments import site_options

    snapshot = commands.add_parser(
        "snapshot",
        help="write the final vote tallies of closed predictions to content/crowd.json",
        description=(
            "Write the final tallies of every prediction whose voting has closed to the site's "
            f"{CROWD_FILE}, for the build to score the readers' forecasts. A tally already in "
            "the file is never rewritten."
        ),
    )
    source = snapshot.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--endpoint",
        metavar="URL",
        type=_endpoint,
        help="a running `foretell votes serve`, e.g. https://votes.example.org",
    )
    source.add_argument(
        "--db",
        type=database_argument,
        metavar="URL",
        help="the endpoint's database: its SQLite file (opened read-only) or sqlite:///PATH, "
        "or postgresql://USER@HOST/DBNAME",
    )
    snapshot.add_argument(
        "--manifest",
        type=Path,
        metavar="FILE",
        help=f"the votes manifest written by the build (default: SOURCE/output/{MANIFEST_FILE})",
    )
    site_options(snapshot)  # --source, and --now: the UTC date on which --db closes voting
    snapshot.set_defaults(func=snapshot_command)


def _endpoint(text: str) -> str:
    parts = urllib.parse.urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise argparse.ArgumentTypeError(
            f"not an endpoint URL: {text!r} (expected e.g. https://votes.example.org)"
        )
    return text.strip().rstrip("/")


def snapshot_command(args: argparse.Namespace) -> int:
    root = args.source if args.source is not None else nearest_site()
    if root is None:
        return _fail("no site.yaml here or in any folder above: give --source DIR")
    manifest_path = args.manifest or root / "output" / MANIFEST_FILE
    today = args.now or clock.today("UTC")  # voting closes at the end of the day in UTC
    try:
        result = take(root, load_votables(manifest_path), today, args.endpoint, args.db)
    except (SnapshotError, ManifestError) as exc:
        return _fail(str(exc))
    print(_summary(root, result))
    return 0


def _fail(message: str) -> int:
    print(f"foretell votes snapshot: error: {message}", file=sys.stderr)
    return 2


def take(
    root: Path,
    manifest: Mapping[str, Votable],
    today: dt.date,
    endpoint: str | None = None,
    db: Database | None = None,
) -> Snapshot:
    """Add the tallies of the predictions closed since the last snapshot to root's crowd file
    (from `endpoint`, or else from `db`); raise SnapshotError, writing nothing, on failure."""
    path = root / CROWD_FILE
    existing = _existing(path)
    wanted = [slug for slug in sorted(manifest) if slug not in existing]
    if endpoint is not None:
        found, unknown = fetch_tallies(endpoint, wanted)
        closed = {slug: tally for slug, (tally, is_open) in found.items() if not is_open}
    else:
        assert db is not None
        unknown = []
        ended = [slug for slug in wanted if not manifest[slug].is_open(today)]
        counts = read_tallies(db, ended)
        closed = {slug: counts.get(slug, CrowdTally()) for slug in ended}
    if closed:
        # Durable: a tally once written is never asked for again.
        write_atomically(path, format_crowd({**existing, **closed}), durable=True)
    still_open = len(wanted) - len(closed) - len(unknown)
    return Snapshot(closed, len(existing), still_open, tuple(unknown))


def _existing(path: Path) -> dict[str, CrowdTally]:
    """The tallies already snapshot; a file that cannot be read is never overwritten."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise SnapshotError(f"{path}: cannot be read: {exc}") from None
    tallies, problems = parse_crowd(text)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise SnapshotError(f"{path}: fix it first, it is not overwritten: {errors[0]}")
    return tallies


def read_tallies(database: Database, slugs: Collection[str]) -> dict[str, CrowdTally]:
    """The tallies of `slugs` with votes in the endpoint's database: an SQLite file read-only,
    by itself (the store would open it for writing); PostgreSQL through its store."""
    if isinstance(database, SqliteDatabase):
        found = _read_sqlite(database.path, slugs)
    else:
        found = _read_store(database, slugs)
    return {slug: tally for slug, tally in found.items() if tally.total}


def _read_store(database: Database, slugs: Collection[str]) -> dict[str, CrowdTally]:
    try:
        store = open_store(database)
        try:
            return store.tallies(slugs)
        finally:
            store.close()
    except (*store_errors(database), OSError, SchemaError) as exc:
        reason = one_line(exc)  # libpq's messages run over several lines
        raise SnapshotError(f"{database}: cannot read the vote database: {reason}") from None


def _read_sqlite(db: Path, slugs: Collection[str]) -> dict[str, CrowdTally]:
    """The tallies of `slugs` in an SQLite vote file, opened read-only (`mode=ro`): a read
    never creates the file, nor writes to it while the endpoint does."""
    if not db.is_file():
        raise SnapshotError(f"{db}: no such vote database")
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT slug, choice, n FROM tallies").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise SnapshotError(f"{db}: cannot read the vote database: {exc}") from None
    wanted = set(slugs)
    return tallies_from_rows(wanted, [r for r in rows if r[0] in wanted and r[1] in CHOICES])


def fetch_tallies(
    endpoint: str, slugs: Collection[str]
) -> tuple[dict[str, tuple[CrowdTally, bool]], list[str]]:
    """slug -> (tally, whether voting is still open) from the endpoint's `GET /v1/votes`, a
    hundred ids a request; and the slugs the endpoint does not know."""
    ordered = sorted(slugs)
    found: dict[str, tuple[CrowdTally, bool]] = {}
    unknown: list[str] = []
    for start in range(0, len(ordered), MAX_BATCH_IDS):
        chunk = ordered[start : start + MAX_BATCH_IDS]
        query = urllib.parse.urlencode({"ids": ",".join(chunk)})
        answer = _get_json(f"{endpoint}/v1/votes?{query}")
        votes, missing = _votes_of(endpoint, answer)
        found.update(votes)
        unknown += missing
    return found, sorted(unknown)


def _get_json(url: str) -> Any:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise SnapshotError(f"{_shown(url)}: HTTP {exc.code}: {_error_of(exc)}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SnapshotError(f"{_shown(url)}: cannot reach the endpoint: {reason}") from None
    try:
        return json.loads(body)
    except ValueError:
        raise SnapshotError(f"{_shown(url)}: the endpoint did not answer JSON") from None


def _shown(url: str) -> str:
    return url.split("?", 1)[0]


def _error_of(exc: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(exc.read())["error"])
    except (ValueError, KeyError, TypeError, OSError):
        return str(exc.reason)


def _votes_of(endpoint: str, answer: Any) -> tuple[dict[str, tuple[CrowdTally, bool]], list[str]]:
    """The answer's tallies, checked: a snapshot commits what it writes, so nothing odd in it."""
    try:
        votes = {
            slug: (CrowdTally(**{c: _count(item["counts"][c]) for c in CHOICES}), item["open"])
            for slug, item in answer["votes"].items()
            if isinstance(item["open"], bool)
        }
        if len(votes) != len(answer["votes"]):
            raise ValueError
        return votes, [str(slug) for slug in answer["unknown"]]
    except (KeyError, TypeError, ValueError, AttributeError):
        raise SnapshotError(f"{endpoint}: not a foretell vote endpoint's answer") from None


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(value)
    return value


def _summary(root: Path, result: Snapshot) -> str:
    added = len(result.added)
    lines = [
        f"{root / CROWD_FILE}: {added} {'tally' if added == 1 else 'tallies'} added, "
        f"{result.kept} kept as they were; {result.still_open} still open"
    ]
    lines += [
        f"  {slug}: {t.will} will, {t.wont} won't, {t.maybe} maybe"
        for slug, t in sorted(result.added.items())
    ]
    if result.unknown:
        lines.append(f"  unknown to the endpoint: {', '.join(result.unknown)}")
    return "\n".join(lines)
