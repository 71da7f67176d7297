"""uvicorn's server and h11 connection handler with the limits they lack (uvicorn 0.55).

uvicorn closes a keep-alive connection that stays idle after a response, but nothing else: a
connection that never completes a request (silent since connecting, or sending one header line
every few seconds) is held forever, and a few hundred of them exhaust the file descriptors. Its
`limit_concurrency` does not help: it answers 503 to requests over the limit but still accepts,
and holds, every connection. So the connection handler here

- closes a connection that has not sent a complete request (headers and body) within
  `request_timeout` seconds of connecting or of its previous response;
- closes a new connection at once while `max_connections` are open, which keeps the process
  below its file-descriptor limit (the caller derives the cap from it);
- answers a malformed request with the API's JSON error and nosniff, not plain text;

and the server accepts few connections per event-loop turn (see `LimitedServer`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from dataclasses import dataclass

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("foretell.votes")

REFUSAL_LOG_INTERVAL_S = 10.0  # under a flood, one line per interval, not one per connection
# asyncio accepts up to `backlog` connections per event-loop turn, before any of them reaches
# `connection_made`, so the cap can only be checked that late; a small burst keeps it nearly
# exact. (It also bounds a CPython 3.11 bug: on EMFILE the accept loop goes on, logging a
# traceback and scheduling a retry for every remaining turn of the burst.)
ACCEPT_BURST = 16
LISTEN_BACKLOG = 2048  # the kernel's queue of connections waiting to be accepted

# States in which the client has not finished sending its request.
_UNFINISHED = (h11.IDLE, h11.SEND_BODY)


@dataclass
class RefusalLog:
    """Under a flood, one log line per interval rather than one per refused connection."""

    count: int = 0
    logged_at: float = float("-inf")

    def note(self, open_connections: int) -> None:
        self.count += 1
        now = time.monotonic()
        if now - self.logged_at >= REFUSAL_LOG_INTERVAL_S:
            log.warning(
                "refusing connections: %d open, the most allowed (--max-connections); "
                "%d refused since the last such line",
                open_connections,
                self.count,
            )
            self.count, self.logged_at = 0, now


class LimitedH11Protocol(H11Protocol):
    """Made per connection by uvicorn; `limited_protocol` makes the subclass with the limits."""

    request_timeout: float
    max_connections: int
    refusals: RefusalLog

    _request_timer: asyncio.TimerHandle | None = None
    _refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:
        if len(self.server_state.connections) >= self.max_connections:
            self._refused = True
            transport.close()
            self.refusals.note(len(self.server_state.connections))
            return
        super().connection_made(transport)
        self._start_request_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_request_timer()
        if not self._refused:  # a refused connection never got uvicorn's per-connection state
            super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._start_request_timer()  # the next request gets the same time

    def send_400_response(self, msg: str) -> None:
        body = json.dumps({"error": "invalid HTTP request"}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"cache-control", b"no-store"),
            (b"x-content-type-options", b"nosniff"),
            (b"connection", b"close"),
        ]
        response = h11.Response(status_code=400, headers=headers, reason=b"Bad Request")
        for event in (response, h11.Data(data=body), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()

    def _start_request_timer(self) -> None:
        self._stop_request_timer()
        self._request_timer = self.loop.call_later(self.request_timeout, self._request_timed_out)

    def _stop_request_timer(self) -> None:
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None

    def _request_timed_out(self) -> None:
        self._request_timer = None
        # A request received in full is being answered, however long that takes: only a client
        # still sending (or silent) is cut off.
        if not self.transport.is_closing() and self.conn.their_state in _UNFINISHED:
            self.transport.close()


def limited_protocol(request_timeout: float, max_connections: int) -> type[LimitedH11Protocol]:
    """The handler class to pass as uvicorn.Config(http=...): uvicorn makes one per connection."""
    attributes = {
        "request_timeout": request_timeout,
        "max_connections": max_connections,
        "refusals": RefusalLog(),
    }
    return type("LimitedH11Protocol", (LimitedH11Protocol,), attributes)


class LimitedServer(uvicorn.Server):
    """Accepts at most ACCEPT_BURST connections per turn (give it Config(backlog=ACCEPT_BURST))
    while the kernel still queues LISTEN_BACKLOG: asyncio uses `backlog` for both."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        for sock in sockets or []:
            sock.listen(LISTEN_BACKLOG)  # after asyncio's listen(backlog): the queue stays long
