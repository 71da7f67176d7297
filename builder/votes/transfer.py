"""`foretell votes export` and `foretell votes import`: every vote, as JSON lines, between
databases of either engine (SQLite to PostgreSQL when a site outgrows one machine).

One line per vote: {"slug", "voter" (the SHA-256 of the voter id, hex: ids are never
stored), "choice", "created_at", "updated_at" (unix seconds)}. Import adds the votes in one
transaction, a vote already there being replaced, then checks the tallies by counting.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator
from typing import IO, Any

from builder.content.crowd import CHOICES, CrowdTally

from .database import add_db_argument, fail, one_line, open_or_fail
from .store import StoredVote

FIELDS = ("slug", "voter", "choice", "created_at", "updated_at")


class BadLine(ValueError):
    pass


def configure_transfer(commands: Any) -> None:
    """Add `export` and `import` to `foretell votes`' subcommands."""
    export = commands.add_parser(
        "export",
        help="write every vote to standard output as JSON lines",
        description="Write every vote to standard output, one JSON object per line.",
    )
    add_db_argument(export)
    export.set_defaults(func=export_command)
    load = commands.add_parser(
        "import",
        help="add votes from JSON lines (from export) to a database",
        description=(
            "Read votes written by `foretell votes export` from standard input (or FILE) and "
            "store them in one transaction; a vote already there is replaced. Then check that "
            "the database's counts include them."
        ),
    )
    add_db_argument(load)
    load.add_argument("file", nargs="?", default="-", metavar="FILE", help="default: stdin")
    load.set_defaults(func=import_command)


def vote_json(vote: StoredVote) -> str:
    return json.dumps(
        {
            "slug": vote.slug,
            "voter": vote.voter_key.hex(),
            "choice": vote.choice,
            "created_at": vote.created_at,
            "updated_at": vote.updated_at,
        },
        ensure_ascii=False,
    )


def parse_vote_line(line: str) -> StoredVote:
    """BadLine saying what is wrong."""
    try:
        data = json.loads(line)
    except ValueError:
        raise BadLine("not JSON") from None
    if not isinstance(data, dict) or set(data) != set(FIELDS):
        raise BadLine(f"expected an object with exactly {', '.join(FIELDS)}")
    slug, voter, choice = data["slug"], data["voter"], data["choice"]
    if not isinstance(slug, str) or not slug:
        raise BadLine("slug: not a non-empty string")
    if choice not in CHOICES:
        raise BadLine(f"choice: must be one of {', '.join(CHOICES)}")
    try:
        key = bytes.fromhex(voter) if isinstance(voter, str) else b""
    except ValueError:
        key = b""
    if len(key) != 32:
        raise BadLine("voter: not 64 hex digits (a SHA-256)")
    times = (data["created_at"], data["updated_at"])
    if not all(type(t) is int and t >= 0 for t in times):
        raise BadLine("created_at, updated_at: not whole seconds")
    return StoredVote(slug, key, choice, *times)


def export_command(args: argparse.Namespace) -> int:
    store = open_or_fail(args.db, "export")
    if store is None:
        return 2
    try:
        for vote in store.export_votes():
            sys.stdout.write(vote_json(vote) + "\n")
        sys.stdout.flush()
    except store.errors as exc:
        return fail(f"{args.db}: {one_line(exc)}", "export")
    finally:
        store.close()
    return 0


def import_command(args: argparse.Namespace) -> int:
    try:
        stream: IO[str] = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        return fail(f"{args.file}: {exc.strerror}", "import")
    with stream:
        try:
            votes = list(_read_votes(stream, "<stdin>" if args.file == "-" else args.file))
        except BadLine as exc:
            return fail(str(exc), "import")
    store = open_or_fail(args.db, "import")
    if store is None:
        return 2
    try:
        expected = _expected_tallies(store, votes)
        store.import_votes(votes)
        got = store.tallies(expected)
    except store.errors as exc:
        return fail(f"{args.db}: {one_line(exc)}", "import")
    finally:
        store.close()
    wrong = [slug for slug, tally in expected.items() if got[slug] != tally]
    if wrong:
        return fail(f"counts differ after the import for: {', '.join(wrong[:10])}", "import")
    plural = "" if len(expected) == 1 else "s"
    print(f"imported {len(votes)} votes on {len(expected)} prediction{plural}; counts checked")
    return 0


def _read_votes(stream: IO[str], name: str) -> Iterator[StoredVote]:
    for number, line in enumerate(stream, 1):
        if line.strip():
            try:
                yield parse_vote_line(line)
            except BadLine as exc:
                raise BadLine(f"{name}:{number}: {exc}") from None


def _expected_tallies(store: Any, votes: list[StoredVote]) -> dict[str, CrowdTally]:
    """What the counts must be afterwards: those already there, with each imported vote
    replacing that voter's earlier one."""
    slugs = sorted({v.slug for v in votes})
    before = {slug: Counter(t.as_dict()) for slug, t in store.tallies(slugs).items()}
    previous = _choices_before(store, votes)
    for vote in {(v.slug, v.voter_key): v for v in votes}.values():
        old = previous.get((vote.slug, vote.voter_key))
        if old is not None:
            before[vote.slug][old] -= 1
        before[vote.slug][vote.choice] += 1
    return {slug: CrowdTally(**{c: counts[c] for c in CHOICES}) for slug, counts in before.items()}


def _choices_before(store: Any, votes: list[StoredVote]) -> dict[tuple[str, bytes], str]:
    wanted = {(v.slug, v.voter_key) for v in votes}
    return {
        (v.slug, v.voter_key): v.choice
        for v in store.export_votes()
        if (v.slug, v.voter_key) in wanted
    }
