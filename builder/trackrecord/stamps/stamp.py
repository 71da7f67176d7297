"""`foretell stamp`: ask the timestamp authorities of site.yaml for a token for every
published claim (content/claim.py) that has none from them yet, and keep each token beside
the content (stamps/store.py), to be committed with it.

It never asks twice for the same hash (a token's file is named after it), reports each
request in one line, and stops at the first network or authority error, saying which, with
exit status 1: every token written is whole (written to a temporary file and renamed), and
a reply that is not a good token for the claim is never written. An authority's first token
pins its certificates (the ones the token carries); from then on a token signed by any other
key is refused.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from builder.arguments import site_options
from builder.config.siteconfig import load_config
from builder.config.timestamps import Authority
from builder.content.claim import Claim, claims
from builder.content.loader import check_duplicates, read_every_file
from builder.content.model import Prediction
from builder.system.files import write_atomically
from builder.trackrecord.stamps.authority import AuthorityError, request_token
from builder.trackrecord.stamps.store import chain_path, token_path
from builder.trackrecord.stamps.token import carried_chain, check_token, has_signer, with_roots

FAILED_EXIT = 1  # an authority failed: what was stamped before it is kept
UNREADABLE_EXIT = 2  # the site has errors, or no authority: nothing asked
NO_AUTHORITY = "no timestamp authority: add `timestamps: {authorities: [URL]}` to site.yaml"


class Unreadable(Exception):
    pass


def published(root: Path) -> tuple[list[Prediction], tuple[Authority, ...]]:
    """The published predictions, by slug, and the authorities; Unreadable with every
    error (one per line) when the site cannot be read."""
    config, problems = load_config(root)
    errors = [str(p) for p in problems if p.is_error]
    if config is None or errors:
        raise Unreadable("\n".join(errors))
    entries = read_every_file(root, [a.key for a in config.authors])
    results = [entry.result for entry in entries.values()]
    found = [p for r in results for p in r.problems if p.is_error] + check_duplicates(results)
    if found:
        raise Unreadable("\n".join(map(str, sorted(found))))
    if not config.timestamps.authorities:
        raise Unreadable(NO_AUTHORITY)
    predictions = [r.prediction for r in results if r.prediction and not r.prediction.draft]
    return sorted(predictions, key=lambda p: p.slug), config.timestamps.authorities


def missing(
    root: Path, predictions: list[Prediction], authorities: tuple[Authority, ...]
) -> Iterator[tuple[Claim, Authority, str]]:
    """(claim, authority, token path) of each claim that authority has not stamped yet."""
    for p in predictions:
        for claim in claims(p):
            for authority in authorities:
                path = token_path(p.slug, claim.prefix, authority.name)
                if not (root / path).exists():
                    yield claim, authority, path


def stamp_one(root: Path, claim: Claim, authority: Authority, path: str) -> str:
    """Ask, check, keep: the token's time, as a line's end; AuthorityError on any failure."""
    token = request_token(authority.url, claim.data)
    pinned_file = root / chain_path(authority.name)
    try:
        existing = pinned_file.read_bytes() if pinned_file.exists() else b""
        # No pin yet, or only the root certificate the author saved there (for an authority
        # whose tokens carry no root): the token's certificates complete it.
        first = not has_signer(existing)
        pinned = with_roots(carried_chain(token), existing) if first else existing
    except (ValueError, OSError) as exc:
        raise AuthorityError(f"cannot pin its certificates: {exc}") from None
    check = check_token(token, pinned)
    if check.error is not None:
        hint = f"; save its root certificate (PEM) as {chain_path(authority.name)}" if first else ""
        raise AuthorityError(f"refused its token: it {check.error}{hint}")
    if first:
        write_atomically(pinned_file, pinned)
    write_atomically(root / path, token)
    assert check.time is not None
    when = check.time.strftime("%Y-%m-%d %H:%M:%S UTC")
    return when + (" (its certificates pinned)" if first else "")


def _what(claim: Claim) -> str:
    return "as published" if claim.index == 0 else f"as of update {claim.index}"


def stamp(root: Path, out: TextIO, err: TextIO) -> int:
    try:
        predictions, authorities = published(root)
    except Unreadable as exc:
        err.write("".join(f"error: {line}\n" for line in str(exc).splitlines()))
        return UNREADABLE_EXIT
    asked = 0
    for claim, authority, path in missing(root, predictions, authorities):
        head = f"{claim.slug} ({_what(claim)}, {claim.prefix}) from {authority.name}"
        try:
            when = stamp_one(root, claim, authority, path)
        except AuthorityError as exc:
            err.write(f"error: {head}: {authority.url}: {exc}\n")
            err.write(f"Stopped: {asked} token(s) stored before it; run `foretell stamp` again.\n")
            return FAILED_EXIT
        asked += 1
        out.write(f"stamped {head}: {when} -> {path}\n")
    if asked:
        out.write(f"{asked} token(s) stored: commit content/stamps/ with the content.\n")
    else:
        out.write("Nothing to stamp: every published claim has its token from each authority.\n")
    return 0


# --- Command line ------------------------------------------------------------------------


def configure(command: argparse.ArgumentParser) -> None:
    command.description = (
        "Ask the timestamp authorities of site.yaml (timestamps.authorities) for a token for "
        "every published claim that has none yet, and store it under content/stamps/."
    )
    site_options(command)
    command.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return stamp(args.source, sys.stdout, sys.stderr)
