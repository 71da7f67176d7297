"""Timestamps as readers see them: the notice on a prediction's page ("Timestamped by …
on …", with the files and the `openssl ts -verify` command to check it) and the files the
build publishes so that anyone can (`foretell verify` reads them too):

    predictions/<slug>/stamps/<hash>.<authority>.tsr  every token of the prediction, as committed
    predictions/<slug>/stamps/<hash>.json             each claim as it reads now (content/claim.py)
    stamps/<authority>.pem                            the certificates pinned for the authority
    stamps.json                                       the index: which tokens each prediction has
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from builder.content.claim import claims
from builder.content.model import Prediction
from builder.render.outputs import Output
from builder.render.templates import longdate
from builder.site.model import Site
from builder.system.files import digest
from builder.trackrecord.stamps.store import INDEX_FILE, chain_path, parse_token_path
from builder.trackrecord.stamps.verdict import Stamp, StampProblem
from builder.trackrecord.vouch import deadline

INDEX = INDEX_FILE
CERTIFICATES = "stamps"  # stamps/<authority>.pem in the output
FOLDER = "stamps/"  # under a prediction's folder


@dataclass(frozen=True)
class Shown:
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
    first: Shown | None  # the claim as published, stamped
    updates: tuple[Shown, ...]
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
        _shown(stamp, f"The update of {longdate(u.date)}")
        for index, u in enumerate(prediction.updates)
        if (stamp := stamps.of_update(index)) is not None
    )
    problems = tuple(_problem(problem) for problem in stamps.problems)
    shown_first = _shown(first, "The claim as published") if first is not None else None
    return Notice(shown_first, updates, problems, late)


def _usable_history(site: Site, prediction: Prediction):  # type: ignore[no-untyped-def]
    history = site.history.get(prediction.slug)
    return None if history is None or history.uncommitted else history


def _file(token: str) -> str:
    return token.rsplit("/", 1)[-1]


def _shown(stamp: Stamp, label: str) -> Shown:
    token = FOLDER + _file(stamp.token)
    claim = f"{FOLDER}{stamp.sha256[:16]}.json"
    certificate = f"../../{CERTIFICATES}/{stamp.authority}.pem"
    command = (
        f"openssl ts -verify -data {_file(claim)} -in {_file(token)} -CAfile {stamp.authority}.pem"
    )
    return Shown(label, stamp.authority, stamp.time, token, claim, certificate, command)


def _problem(problem: StampProblem) -> ProblemShown:
    return ProblemShown(
        FOLDER + _file(problem.token), problem.message, problem.time, problem.edited
    )


# --- Published files ----------------------------------------------------------------------


def stamp_files(site: Site, root: Path) -> list[Output]:
    """The tokens, the claims, the pinned certificates and the index (see the module's
    docstring), each remade only when its bytes' sources change."""
    outputs: list[Output] = []
    index: dict[str, object] = {}
    authorities: set[str] = set()
    for p in site.predictions:
        stamps = site.stamps.get(p.slug)
        if stamps is None or p.draft:
            continue
        tokens = [path for path, _ in stamps.tokens]
        for token, token_digest in stamps.tokens:
            parsed = parse_token_path(token)
            if parsed is not None:
                authorities.add(parsed[1])
            path = f"{p.url}{FOLDER}{_file(token)}"
            # Read when made: the digest (stamps/store.py) says when it changed.
            outputs.append(Output(path, {"digest": token_digest}, _reader(root / token)))
        outputs += list(_claims(p))
        index[p.slug] = {"page": p.url, "tokens": [f"{p.url}{FOLDER}{_file(t)}" for t in tokens]}
    certificates = {name: f"{CERTIFICATES}/{name}.pem" for name in sorted(authorities)}
    outputs += [_copy(root, chain_path(name), path) for name, path in certificates.items()]
    if index:
        value = {"claim_format": 1, "certificates": certificates, "predictions": index}
        data = (json.dumps(value, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode()
        outputs.append(Output(INDEX, {"index": digest(data)}, lambda: data))
    return outputs


def _claims(p: Prediction) -> Iterator[Output]:
    for claim in claims(p):
        data = claim.data
        path = f"{p.url}{FOLDER}{claim.prefix}.json"
        yield Output(path, {"claim": claim.sha256}, lambda d=data: d)


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
