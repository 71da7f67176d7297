"""Timestamps as readers see them: the notice on a prediction's page ("Timestamped by …
on …", with the files and the `openssl ts -verify` command to check it) and the files the
build publishes so that anyone can (`foretell verify` reads them too):

    predictions/<slug>/<hash>.<authority>.tsr  every token of the prediction, as committed
    predictions/<slug>/<hash>.json             each claim as it reads now (content/claim.py)
    stamps/<authority>.pem                            the certificates pinned for the authority
    stamps.json                                       the index: which tokens each prediction has
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from builder.content.claim import PREFIX_DIGITS, VERSION, claims
from builder.content.model import Prediction
from builder.render.outputs import Output
from builder.render.templates import longdate
from builder.site.model import Site
from builder.system.digests import digest
from builder.trackrecord.stamps.store import INDEX_FILE, chain_path
from builder.trackrecord.stamps.verdict import Stamp, StampProblem
from builder.trackrecord.vouch import deadline

INDEX = INDEX_FILE
CERTIFICATES = "stamps"  # stamps/<authority>.pem in the output


@dataclass(frozen=True)
class StampShown:
    """A good stamp, with what a reader needs to check it (file names relative to the page)."""

    label: str  # "The claim as published" | "The update of March 2, 2026"
    authority: str
    time: dt.datetime
    token: str
    claim: str
    certificate: str
    command: str


@dataclass(frozen=True)
class ProblemShown:
    token: str  # relative to the page
    message: str
    time: dt.datetime | None
    edited: bool


@dataclass(frozen=True)
class LateStamp:
    after: str  # "target date" | "resolution date"
    deadline: dt.date
    scored: bool


@dataclass(frozen=True)
class Notice:
    first: StampShown | None  # the claim as published, stamped
    updates: tuple[StampShown, ...]
    problems: tuple[ProblemShown, ...]
    late: LateStamp | None


def notice(site: Site, prediction: Prediction) -> Notice | None:
    """None for a prediction without any token."""
    stamps = site.stamps.get(prediction.slug)
    if stamps is None:
        return None
    first = stamps.first
    late = None
    if first is not None and site.vouched(prediction).late:
        after, day = deadline(prediction, _usable_history(site, prediction))
        late = LateStamp(after, day, site.includes_late)
    updates = tuple(
        _stamp_shown(stamp, f"The update of {longdate(u.date)}")
        for index, u in enumerate(prediction.updates)
        if (stamp := stamps.of_update(index)) is not None
    )
    problems = tuple(_problem(problem) for problem in stamps.problems)
    shown_first = _stamp_shown(first, "The claim as published") if first is not None else None
    return Notice(shown_first, updates, problems, late)


def _usable_history(site: Site, prediction: Prediction):  # type: ignore[no-untyped-def]
    history = site.history.get(prediction.slug)
    return None if history is None or history.uncommitted else history


def _file(token: str) -> str:
    """The token's name as published: without the slug the repository's name starts with."""
    return token.rsplit("/", 1)[-1].split(".", 1)[1]


def _stamp_shown(stamp: Stamp, label: str) -> StampShown:
    """File names relative to the page, which its files sit beside."""
    token, claim = _file(stamp.token), f"{stamp.sha256[:PREFIX_DIGITS]}.json"
    certificate = f"../../{CERTIFICATES}/{stamp.authority}.pem"
    command = f"openssl ts -verify -data {claim} -in {token} -CAfile {stamp.authority}.pem"
    return StampShown(label, stamp.authority, stamp.time, token, claim, certificate, command)


def _problem(problem: StampProblem) -> ProblemShown:
    return ProblemShown(_file(problem.token), problem.message, problem.time, problem.edited)


# --- Published files ----------------------------------------------------------------------


def stamp_files(site: Site, root: Path) -> list[Output]:
    """The tokens, the claims, the pinned certificates and the index (see the module's
    docstring), each remade only when its bytes' sources change: a token's digest and a
    claim's hash (both known from the build's checks, so nothing is read or made here)."""
    outputs: list[Output] = []
    lines: list[str] = []
    authorities: set[str] = set()
    for p in site.predictions:
        stamps = site.stamps.get(p.slug)
        if stamps is None or p.draft:
            continue
        published = []
        for token, authority, token_digest in stamps.tokens:
            authorities.add(authority)
            path = f"{p.url}{_file(token)}"
            published.append(path)
            # Read when made: the digest (stamps/store.py) says when it changed.
            outputs.append(Output(path, {"digest": token_digest}, _reader(root / token)))
        for index, sha256 in enumerate(stamps.hashes):
            path = f"{p.url}{sha256[:PREFIX_DIGITS]}.json"
            outputs.append(Output(path, {"claim": sha256}, _claim_maker(p, index)))
        entry = {"page": p.url, "tokens": published}
        lines.append(f"  {json.dumps(p.slug, ensure_ascii=False)}: {_compact(entry)}")
    certificates = {name: f"{CERTIFICATES}/{name}.pem" for name in sorted(authorities)}
    outputs += [_copy(root, chain_path(name), path) for name, path in certificates.items()]
    if lines:
        data = _index(certificates, sorted(lines))
        outputs.append(Output(INDEX, {"index": digest(data)}, lambda: data))
    return outputs


def _index(certificates: dict[str, str], lines: list[str]) -> bytes:
    """The index: sorted keys, one prediction per line (json's indent= is its pure-Python
    encoder: a tenth of a second at 10,000)."""
    head = f'{{\n "certificates": {_compact(certificates)},\n "claim_format": {VERSION},\n'
    return (head + ' "predictions": {\n' + ",\n".join(lines) + "\n }\n}\n").encode()


def _compact(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _claim_maker(p: Prediction, index: int) -> Callable[[], bytes]:
    return lambda: claims(p)[index].data


def _reader(path: Path) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            return path.read_bytes()
        except OSError:  # gone since it was checked: the next build sees it missing
            return b""

    return read


def _copy(root: Path, source: str, path: str) -> Output:
    """A file of the repository, as it is; its inputs are its bytes' digest (read now: a
    handful of small files per stamped prediction, on a build that changed something)."""
    try:
        data = (root / source).read_bytes()
    except OSError:
        data = b""
    return Output(path, {"digest": digest(data)}, lambda: data)
