"""The files of a Pagefind bundle: which ones a site serves, and the same bytes every time.

Pagefind 1.x writes each filter's values in the order of a Rust hash map, seeded anew in every
run: two runs on the same documents give filter files with the values in another order, hence
other names (a filter file is named by a hash of its bytes), hence another metadata file
naming them, and another `pagefind-entry.json` naming that. Everything else (fragments, word
index chunks, the runtime) is the same from run to run. `canonical()` sorts the values of
each filter and names the filter and metadata files after the sorted bytes, so a build is
byte-identical to the last one on the same input, as every other file of the site is.

The formats: every data file is gzip-compressed, and starts once decompressed with the
signature `pagefind_dcd` followed by CBOR. A filter file holds `[name, [[value, [page...]]...]]`;
the metadata file `[version, pages, index chunks, [[filter name, file hash]...], sorts, ...]`;
`pagefind-entry.json` names the metadata file per language (`languages.<lang>.hash`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

import cbor2

SIGNATURE = b"pagefind_dcd"
ENTRY = "pagefind-entry.json"
# What the search page loads (pagefind.js, its worker, the WebAssembly per language); not the
# bundled UIs, which foretell's search page does not use.
RUNTIME = re.compile(r"^(pagefind\.js|pagefind-worker\.js|wasm\.[A-Za-z0-9_-]+\.pagefind)$")
DATA = re.compile(r"^(pagefind-entry\.json|pagefind\.[^/]+\.pf_meta|(fragment|index|filter)/.+)$")
_FILTER = re.compile(r"^filter/(?P<lang>[^/_]+)_[0-9a-f]+\.pf_filter$")


def canonical(bundle: Mapping[str, bytes]) -> dict[str, bytes]:
    """The bundle with its filters in order and the files naming them renamed to match;
    only the runtime and the index data are kept."""
    files = {path: data for path, data in bundle.items() if RUNTIME.match(path) or DATA.match(path)}
    renamed: dict[str, str] = {}  # old hash -> new, of filter files
    for path in sorted(p for p in files if _FILTER.match(p)):
        name, values = _decode(files.pop(path))
        data = _encode([name, sorted(values, key=lambda value: value[0])])
        new = _named(_FILTER.match(path)["lang"], data, 7)  # type: ignore[index]
        renamed[_hash_of(path)] = new
        files[f"filter/{new}.pf_filter"] = data
    entry = json.loads(files[ENTRY])
    for lang, index in entry["languages"].items():
        old = f"pagefind.{index['hash']}.pf_meta"
        meta = _decode(files.pop(old))
        meta[3] = sorted([name, renamed.get(hash_, hash_)] for name, hash_ in meta[3])
        data = _encode(meta)
        index["hash"] = _named(lang, data, 10)
        files[f"pagefind.{index['hash']}.pf_meta"] = data
    files[ENTRY] = json.dumps(entry, separators=(",", ":"), ensure_ascii=False).encode()
    return files


def is_runtime(path: str) -> bool:
    return RUNTIME.match(path) is not None


def _decode(data: bytes) -> Any:
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE):
        raise ValueError("not a Pagefind data file")
    return cbor2.loads(raw[len(SIGNATURE) :])


def _encode(value: Any) -> bytes:
    # mtime=0: the gzip header holds no time, so the bytes depend on the content alone.
    return gzip.compress(SIGNATURE + cbor2.dumps(value), mtime=0)


def _named(lang: str, data: bytes, length: int) -> str:
    return f"{lang}_{hashlib.sha256(gzip.decompress(data)).hexdigest()[:length]}"


def _hash_of(path: str) -> str:
    """The hash in a file name: filter/en_1a2b3c4.pf_filter -> en_1a2b3c4."""
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
