"""Pagefind, run from the build: HTML documents in, the search bundle's files out, in memory.

The `pagefind` package ships Pagefind's binary (`pagefind[extended]`: with the segmenters for
Chinese and Japanese) and an asyncio wrapper around its `--service` mode. The wrapper reads one
reply per tenth of a second (a sleep in its polling loop), so 10,000 documents would take
1,000 s through it; this module speaks the same protocol (base64 JSON messages, each followed
by a comma, on stdin and stdout) directly: every request is written at once by a thread while
the replies are read as fast as they come. The binary is the one the package finds
(`pagefind_binary`): nothing is downloaded.

Pagefind writes the values of a filter in a hash map's order, which changes from run to run;
pagefind_files.canonical() orders them, so the same documents always give the same bytes.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import os
import subprocess
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from builder.render.pagefind_files import canonical


@dataclass(frozen=True)
class Document:
    url: str  # the page's address from the site's root, as results link to it
    html: str  # a whole HTML document; Pagefind reads what data-pagefind-body marks


class PagefindError(RuntimeError):
    pass


def index_batches(
    batches: Sequence[Sequence[Document]], language: str, processes: int = 1
) -> list[dict[str, bytes]]:
    """One search bundle (path -> bytes) per batch of documents, in the batches' order, made
    by up to `processes` Pagefind processes side by side."""
    if not batches:
        return []
    processes = max(1, min(processes, len(batches)))
    groups = [list(range(start, len(batches), processes)) for start in range(processes)]
    results: list[dict[str, bytes]] = [{} for _ in batches]
    with ThreadPoolExecutor(processes) as pool:
        made = pool.map(lambda group: _run([batches[i] for i in group], language), groups)
        for group, bundles in zip(groups, made, strict=True):
            for i, bundle in zip(group, bundles, strict=True):
                results[i] = bundle
    return results


def _run(batches: list[Sequence[Document]], language: str) -> list[dict[str, bytes]]:
    """One Pagefind service: an index per batch, each bundle read back whole. In three rounds,
    each waiting for the replies of the one before: the service may answer a round's requests
    in any order, and an index must exist before documents go in, and have them all before
    it is read."""
    binary = pagefind_binary()
    if binary is None:
        raise PagefindError("Pagefind's binary is missing: reinstall foretell (pagefind[extended])")
    with subprocess.Popen(
        [str(binary), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as service:
        talk = _Conversation(service)
        new = {"type": "NewIndex", "config": {"force_language": language}}
        ids = [reply["index_id"] for reply in talk.round([new] * len(batches))]
        pairs = zip(ids, batches, strict=True)
        talk.round([_add(index_id, doc) for index_id, batch in pairs for doc in batch])
        bundles = talk.round([{"type": "GetFiles", "index_id": index_id} for index_id in ids])
        service.stdin.close()  # type: ignore[union-attr]
    return [canonical(_decoded(bundle["files"])) for bundle in bundles]


def _add(index_id: int, doc: Document) -> dict[str, Any]:
    return {
        "type": "AddFile",
        "index_id": index_id,
        "url": doc.url,
        "file_path": None,
        "file_contents": doc.html,
    }


class _Conversation:
    """Requests and replies with one service process, matched by message id."""

    def __init__(self, service: subprocess.Popen[bytes]) -> None:
        assert service.stdin is not None and service.stdout is not None
        self.stdin, self.stdout = service.stdin, service.stdout
        self.last_id = 0
        self.pending = bytearray()

    def round(self, payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Send every payload (from a thread, so that neither pipe fills up while the other
        waits) and return their replies in the payloads' order; an error reply is raised."""
        first = self.last_id + 1
        self.last_id += len(payloads)
        # Encoded here, written in one call: a writer that took the GIL back for each message
        # would starve Pagefind of input while another thread runs (the shortcut renders
        # pages while Pagefind indexes).
        data = b"".join(
            base64.b64encode(json.dumps({"message_id": i, "payload": payload}).encode()) + b","
            for i, payload in enumerate(payloads, start=first)
        )
        writer = threading.Thread(target=self._send, args=(data,), daemon=True)
        writer.start()
        replies: dict[int, dict[str, Any]] = {}
        while len(replies) < len(payloads):
            reply = self._read()
            payload = reply["payload"]
            if payload["type"] == "Error":
                raise PagefindError(f"Pagefind: {payload['message']}")
            replies[reply["message_id"]] = payload
        writer.join()
        return [replies[first + i] for i in range(len(payloads))]

    def _send(self, data: bytes) -> None:
        try:
            self.stdin.write(data)
            self.stdin.flush()
        except BrokenPipeError:  # the service stopped: _read reports it
            pass

    def _read(self) -> dict[str, Any]:
        while (end := self.pending.find(b",")) < 0:
            chunk = self.stdout.read1(1 << 20)  # type: ignore[attr-defined]
            if not chunk:
                raise PagefindError("Pagefind stopped before answering every request")
            self.pending += chunk
        reply: dict[str, Any] = json.loads(base64.b64decode(bytes(self.pending[:end])))
        del self.pending[: end + 1]
        return reply


def _decoded(files: list[dict[str, str]]) -> dict[str, bytes]:
    return {f["path"]: base64.b64decode(f["content"]) for f in files}


@functools.cache
def pagefind_binary() -> object:
    """The binary the pagefind package ships, looked up once: each shard's key names it (a
    third of a millisecond a lookup). Through `pagefind_bin_extended`, which
    `pagefind[extended]` installs, as the package's own lookup (`pagefind.service`) finds
    it: that module imports asyncio, 50 ms before Pagefind could start on every edit with
    search on. The package's lookup when told another binary (PAGEFIND_BINARY_PATH), or
    when that one is missing."""
    if os.environ.get("PAGEFIND_BINARY_PATH") is None:
        with contextlib.suppress(ImportError, FileNotFoundError):
            from pagefind_bin_extended import get_executable as shipped

            return shipped()
    from pagefind.service import get_executable

    return get_executable()
