"""Where timestamp tokens live in the repository, and the build's checks of them.

    content/stamps/authorities/<authority>.pem     the certificates pinned for the authority
    content/stamps/<slug>.<hash>.<authority>.tsr   a token: <hash> is the first 16 hex digits
                                                   of the claim's SHA-256

Both are committed with the content: the tokens are the evidence, and the pinned
certificates say whose signature counts. The tokens sit in one folder (slugs hold no dots),
because the input scan of every build, the no-op's included, pays for each folder it opens.
They are build inputs like any content file, and a token is checked again only when it, or
its authority's pinned certificates, changed: the checks are cached in
.foretell/cache/stamps.pickle by the token's stat, then by its digest, so a build of 10,000
stamped predictions checks only the tokens that are new.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from builder import __version__
from builder.content.model import Prediction
from builder.options import CACHE_DIR
from builder.system.digests import digest
from builder.system.files import Stat, walk, write_atomically
from builder.trackrecord.stamps.verdict import Stamps, judge

if TYPE_CHECKING:  # token.py imports cryptography: only a site with tokens pays for it
    from builder.trackrecord.stamps.token import TokenCheck

STAMPS_DIR = "content/stamps"
AUTHORITIES_DIR = f"{STAMPS_DIR}/authorities"
TOKEN_SUFFIX = ".tsr"
_TOKEN_NAME = re.compile(r"^([^./]+)\.([0-9a-f]{16})\.([a-z0-9][a-z0-9.-]*)\.tsr$")
CACHE_FILE = "stamps.pickle"
# What a build publishes for `foretell verify` (render/timestamps.py, render/trackrecord_json.py)
INDEX_FILE = "stamps.json"
RECORD_FILE = "track-record.json"
_VERSION = f"foretell {__version__} / stamps 1"


def token_path(slug: str, prefix: str, authority: str) -> str:
    return f"{STAMPS_DIR}/{slug}.{prefix}.{authority}{TOKEN_SUFFIX}"


def chain_path(authority: str) -> str:
    return f"{AUTHORITIES_DIR}/{authority}.pem"


def parse_token_path(path: str) -> tuple[str, str] | None:
    """(slug, authority) of a token's path, or None for any other file."""
    if not path.startswith(STAMPS_DIR + "/") or not path.endswith(TOKEN_SUFFIX):
        return None
    found = _TOKEN_NAME.match(path[len(STAMPS_DIR) + 1 :])
    return (found.group(1), found.group(3)) if found else None


def tokens_by_slug(paths: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """slug -> (path, authority) of each token among `paths`."""
    found: dict[str, list[tuple[str, str]]] = {}
    for path in paths:
        parsed = parse_token_path(path)
        if parsed is not None:
            found.setdefault(parsed[0], []).append((path, parsed[1]))
    return found


@dataclass
class _Cache:
    version: str = _VERSION
    # token path -> (its stat, its digest, the digest of the pinned certificates, the check)
    checks: dict[str, tuple[Stat | None, str, str, TokenCheck]] = field(default_factory=dict)


def site_stamps(
    root: Path,
    predictions: Iterable[Prediction],
    inputs: Mapping[str, Stat | None] | None = None,
) -> dict[str, Stamps]:
    """slug -> what its tokens vouch for, for each prediction that has tokens. `inputs` is
    the build's input scan, if made (paths relative to `root`)."""
    if inputs is None:
        inputs = {f"{STAMPS_DIR}/{p}": s for p, s in walk(root / STAMPS_DIR).items()}
    tokens = tokens_by_slug(inputs)
    if not tokens:
        return {}
    cache = _load(root)
    kept: dict[str, tuple[Stat | None, str, str, TokenCheck]] = {}
    chains: dict[str, tuple[bytes, str]] = {}
    found: dict[str, Stamps] = {}
    for p in predictions:
        checks = []
        for path, authority in tokens.get(p.slug, ()):
            if authority not in chains:
                chains[authority] = _chain(root, authority)
            kept[path] = _checked(root, path, inputs.get(path), chains[authority], cache.checks)
            checks.append((path, authority, kept[path][1], kept[path][3]))
        if checks:
            found[p.slug] = judge(p, checks)
    if kept != cache.checks:
        _save(root, _Cache(checks=kept))
    return found


def _chain(root: Path, authority: str) -> tuple[bytes, str]:
    """The pinned certificates' bytes and digest; empty when there is no such file."""
    try:
        data = (root / chain_path(authority)).read_bytes()
    except OSError:
        return b"", ""
    return data, digest(data)


def _checked(
    root: Path,
    path: str,
    stat: Stat | None,
    chain: tuple[bytes, str],
    cached: Mapping[str, tuple[Stat | None, str, str, TokenCheck]],
) -> tuple[Stat | None, str, str, TokenCheck]:
    from builder.trackrecord.stamps.token import TokenCheck, check_token

    old = cached.get(path)
    if old is not None and stat is not None and old[0] == stat and old[2] == chain[1]:
        return old
    try:
        token = (root / path).read_bytes()
    except OSError as exc:
        return stat, "", chain[1], TokenCheck(None, None, f"cannot be read ({exc.strerror})")
    token_digest = digest(token)
    if old is not None and old[1] == token_digest and old[2] == chain[1]:
        return (stat, *old[1:])
    if not chain[0]:
        name = parse_token_path(path)
        pinned = chain_path(name[1] if name else "?")
        return (
            stat,
            token_digest,
            "",
            TokenCheck(None, None, f"has no pinned certificate ({pinned} is missing)"),
        )
    return stat, token_digest, chain[1], check_token(token, chain[0])


def _load(root: Path) -> _Cache:
    try:
        with (root / CACHE_DIR / CACHE_FILE).open("rb") as handle:
            value = pickle.load(handle)
    except Exception:  # a missing or corrupt cache is simply not used
        return _Cache()
    return value if isinstance(value, _Cache) and value.version == _VERSION else _Cache()


def _save(root: Path, cache: _Cache) -> None:
    data = pickle.dumps(cache, protocol=pickle.HIGHEST_PROTOCOL)
    write_atomically(root / CACHE_DIR / CACHE_FILE, data, mode=None)
