"""`foretell verify [PATH | --site URL]`: a reader checks a site's timestamps themselves.

It reads (from a folder) or fetches (from a site) the files every build publishes:
`stamps.json` (which tokens each prediction has, and each authority's certificates),
`track-record.json` (each prediction's statement, target date, confidence and updates: what
the site scores) and the tokens, and prints one line per prediction:

    ok    slug: timestamped by <authority> on <time> UTC, before its target date <date>
    late  slug: first timestamped on <time> UTC, after its target date <date>
    none  slug: no timestamp
    FAIL  slug: <which token, and what is wrong>

then a summary. The claims are made again here from track-record.json (content/claim.py),
not taken from the site, so a token passes only for the record the site actually publishes.
A failure (a token that does not verify, is signed by another key than the authority's
certificates, stamps a claim the record no longer holds, or a late stamp the site does not
count as late) makes the exit status 1. `--ca FILE` trusts the root certificates in FILE
(downloaded from the authority itself) instead of the ones the site publishes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from cryptography.hazmat.primitives import serialization

from builder.content.claim import claim_bytes
from builder.content.model import Update
from builder.trackrecord.stamps.store import INDEX_FILE, RECORD_FILE
from builder.trackrecord.stamps.token import check_token, fingerprint, pinned_chain

TIMEOUT = 30
FAILED_EXIT = 1
SAFE_PATH = re.compile(r"^[A-Za-z0-9_.~-][A-Za-z0-9_.~/-]*$")


class Unavailable(Exception):
    """A file of the site could not be read or fetched: which, and why."""


@dataclass
class Source:
    """A built site: a folder, or the URL it is served at."""

    where: str
    is_url: bool

    def get(self, path: str) -> bytes:
        if not SAFE_PATH.match(path) or ".." in path.split("/"):
            raise Unavailable(f"{path!r} is not a path inside the site")
        if not self.is_url:
            try:
                return (Path(self.where) / path).read_bytes()
            except OSError as exc:
                raise Unavailable(f"{path}: {exc.strerror}") from None
        url = self.where.rstrip("/") + "/" + path
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT) as answer:  # http(s): run() checks
                return answer.read()
        except urllib.error.HTTPError as exc:
            raise Unavailable(f"{url}: HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise Unavailable(f"{url}: {getattr(exc, 'reason', exc)}") from None


@dataclass(frozen=True)
class Line:
    status: str  # ok | late | none | FAIL
    slug: str
    detail: str

    def __str__(self) -> str:
        return f"{self.status:<5} {self.slug}: {self.detail}"


def verify_site(source: Source, ca: bytes | None = None) -> list[Line]:
    """One line per prediction of the site's record, by slug; Unavailable when the index,
    the record or a certificate cannot be read."""
    index = _json(source, INDEX_FILE)
    record = _json(source, RECORD_FILE)
    chains = {name: _trusted(source.get(path), ca) for name, path in index["certificates"].items()}
    listed = index.get("predictions", {})
    lines = []
    for slug, entry in sorted(record["predictions"].items()):
        tokens = listed.get(slug, {}).get("tokens", [])
        lines.append(_prediction(source, slug, entry, tokens, chains))
    return lines


def _json(source: Source, path: str) -> Any:
    try:
        return json.loads(source.get(path))
    except ValueError as exc:
        raise Unavailable(f"{path} is not JSON ({exc})") from None


def _trusted(pem: bytes, ca: bytes | None) -> bytes:
    """The site's certificates for an authority; with `ca`, only its own (the first) and the
    roots of `ca`, so that the chain must end in a root the reader chose."""
    if ca is None:
        return pem
    leaf = pinned_chain(pem)[0].public_bytes(serialization.Encoding.PEM)
    return leaf + ca


def _claims(slug: str, entry: Mapping[str, Any]) -> dict[str, int]:
    """SHA-256 -> index of each claim the record holds (0 as published, k as of update k)."""
    updates = [
        Update(dt.date.fromisoformat(u["date"]), u["confidence"], u.get("note"))
        for u in entry.get("updates") or []
    ]
    found = {}
    for k in range(len(updates) + 1):
        data = claim_bytes(
            slug, entry["statement"], entry["target_date"], entry["confidence"], updates[:k]
        )
        found[hashlib.sha256(data).hexdigest()] = k
    return found


def _deadline(entry: Mapping[str, Any]) -> tuple[str, dt.date]:
    target = dt.date.fromisoformat(entry["target_date"])
    resolved = entry.get("resolution_date")
    if resolved and dt.date.fromisoformat(resolved) < target:
        return "resolution date", dt.date.fromisoformat(resolved)
    return "target date", target


def _prediction(
    source: Source,
    slug: str,
    entry: Mapping[str, Any],
    tokens: list[str],
    chains: Mapping[str, bytes],
) -> Line:
    if not tokens:
        return Line("none", slug, "no timestamp")
    claims = _claims(slug, entry)
    first: tuple[dt.datetime, str] | None = None
    for path in tokens:
        name = path.rsplit("/", 1)[-1]
        authority = name.removesuffix(".tsr").split(".", 1)[-1]
        chain = chains.get(authority)
        if chain is None:
            return Line("FAIL", slug, f"{name}: the site publishes no certificate for {authority}")
        try:
            check = check_token(source.get(path), chain)
        except Unavailable as exc:
            return Line("FAIL", slug, f"{name}: cannot be read ({exc})")
        if check.error is not None:
            return Line("FAIL", slug, f"{name}: the token {check.error}")
        assert check.imprint is not None and check.time is not None
        if check.imprint not in claims:
            message = "stamps a claim the site's record no longer holds: edited after stamping"
            return Line("FAIL", slug, f"{name}: {message}")
        if claims[check.imprint] == 0 and (first is None or check.time < first[0]):
            first = (check.time, authority)
    if first is None:
        return Line("none", slug, "no timestamp of the claim as published (only of updates)")
    time, authority = first
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC")
    after, deadline = _deadline(entry)
    if time.date() > deadline:
        if not entry.get("late"):
            message = (
                f"first timestamped on {when}, after its {after} {deadline}, yet not counted late"
            )
            return Line("FAIL", slug, message)
        return Line("late", slug, f"first timestamped on {when}, after its {after} {deadline}")
    return Line("ok", slug, f"timestamped by {authority} on {when}, before its {after} {deadline}")


def summary(lines: list[Line]) -> str:
    count = {
        status: sum(line.status == status for line in lines)
        for status in ("ok", "late", "none", "FAIL")
    }
    return (
        f"{len(lines)} predictions: {count['ok']} timestamped before the date that settles "
        f"them, {count['late']} after it, {count['none']} without a timestamp, "
        f"{count['FAIL']} failed."
    )


def authorities(source: Source) -> list[str]:
    """One line per authority: its certificate's subject and SHA-256 fingerprint, for a
    reader to compare with what the authority publishes."""
    index = _json(source, INDEX_FILE)
    lines = []
    for name, path in sorted(index["certificates"].items()):
        for certificate in pinned_chain(source.get(path)):
            subject = certificate.subject.rfc4514_string()
            lines.append(f"{name}: {subject}, SHA-256 {fingerprint(certificate)}")
    return lines


def verify(source: Source, out: TextIO, err: TextIO, ca: bytes | None = None) -> int:
    try:
        lines = verify_site(source, ca)
        certificates = authorities(source)
    except (Unavailable, KeyError, ValueError) as exc:
        err.write(f"error: {exc}\n")
        return FAILED_EXIT
    out.write("".join(f"{line}\n" for line in lines))
    out.write(summary(lines) + "\n")
    out.write("".join(f"certificate {line}\n" for line in certificates))
    return FAILED_EXIT if any(line.status == "FAIL" for line in lines) else 0


# --- Command line ------------------------------------------------------------------------


def configure(command: argparse.ArgumentParser) -> None:
    command.description = (
        "Check a built site's timestamps: every token's signature and certificates, that it "
        "stamps the claim the site's track record holds, and its date. Exit 1 on any failure."
    )
    command.add_argument(
        "path", nargs="?", default="output", metavar="PATH",
        help="a built site's folder (default: output)",
    )  # fmt: skip
    command.add_argument("--site", metavar="URL", help="check the site served at URL instead")
    command.add_argument(
        "--ca", type=Path, metavar="FILE",
        help="trust only the root certificates in FILE (from the authority itself)",
    )  # fmt: skip
    command.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.site is not None and not re.match(r"^https?://", args.site):
        sys.stderr.write(f"error: --site: expected an http(s) URL, got {args.site!r}\n")
        return 2
    ca = None
    if args.ca is not None:
        try:
            ca = args.ca.read_bytes()
        except OSError as exc:
            sys.stderr.write(f"error: --ca: {args.ca}: {exc.strerror}\n")
            return 2
    source = Source(args.site, True) if args.site else Source(args.path, False)
    return verify(source, sys.stdout, sys.stderr, ca)
