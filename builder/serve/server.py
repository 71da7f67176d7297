"""The preview server: the live site's files from memory, the reload event stream, safe paths.

Files are looked up in the site's {path: bytes} dict, never on disk, so a URL can only name a
file of the built site. Paths with `.` or `..` segments (also when percent-encoded, which the
server decodes before we see the path) are refused outright.
"""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
import socket
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from builder.serve import inject
from builder.serve.hosts import AllowedHosts, refusal
from builder.serve.state import LiveSite, Served, problem_of

HEARTBEAT = 15.0  # seconds between keep-alive comments on an idle event stream
RETRY_MS = 500  # how soon a browser reconnects a dropped event stream

# A preview must always show the latest build, never a cached page.
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


@dataclass(frozen=True)
class Found:
    key: str  # a key of the site's files


@dataclass(frozen=True)
class Redirect:
    location: str


class Refused:
    """A path that tries to leave the site (`..`), or is malformed."""


REFUSED = Refused()
Resolution = Found | Redirect | Refused | None  # None: not found


def resolve(path: str, files: Mapping[str, bytes], prefix: str = "/") -> Resolution:
    """Map a decoded URL path to a file of the site, the way a static host would."""
    segments = path.split("/")
    if not path.startswith("/") or "\\" in path or "\x00" in path:
        return REFUSED
    if any(segment in (".", "..") for segment in segments):
        return REFUSED
    if not path.startswith(prefix):
        return Redirect(prefix) if path in ("/", prefix.rstrip("/")) else None
    rel = path[len(prefix) :]
    if rel == "" or rel.endswith("/"):
        key = rel + "index.html"
        return Found(key) if key in files else None
    if rel in files:
        return Found(rel)
    if f"{rel}/index.html" in files:  # a folder named without its slash, like a static host
        return Redirect(f"{prefix}{rel}/")
    return None


class Events:
    """The build-event stream: tells every open page the current build id, and again after
    each build. Woken from the building thread; ended at shutdown so the server need not
    wait for streams that would otherwise never finish."""

    def __init__(self, live: LiveSite) -> None:
        self.live = live
        self._loop: asyncio.AbstractEventLoop | None = None
        self._changed = asyncio.Event()
        self._closed = False
        live.subscribe(self._from_thread)

    def _from_thread(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            # RuntimeError: the loop closed in between, so nobody is listening any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        # Every waiter holds the event it started waiting on; set it, start a new one.
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def close(self) -> None:
        """End every stream (call on the server's loop)."""
        self._closed = True
        self._wake()

    async def stream(self) -> AsyncIterator[str]:
        self._loop = asyncio.get_running_loop()  # the server's loop, to wake us from threads
        yield f"retry: {RETRY_MS}\n\n"
        sent = None
        while not self._closed:
            changed = self._changed  # taken before reading the snapshot: no wake-up is missed
            build_id = self.live.snapshot.build_id
            if build_id != sent:
                yield f"event: build\ndata: {build_id}\n\n"
                sent = build_id
            try:
                await asyncio.wait_for(changed.wait(), HEARTBEAT)
            except TimeoutError:
                yield ": keep-alive\n\n"


class HostGuard:
    """ASGI middleware: a request (page, reload script or event stream) to a Host that
    `allowed` does not allow gets 403 and never reaches the app (see hosts.py)."""

    def __init__(self, app: ASGIApp, allowed: AllowedHosts) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            hosts = Headers(scope=scope).getlist("host")
            # Exactly one: with two, some other layer might read the one we did not check.
            if len(hosts) != 1 or not self.allowed.allows(hosts[0]):
                body = refusal(hosts[0] if len(hosts) == 1 else "")
                await PlainTextResponse(body, 403, headers=NO_STORE)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(live: LiveSite, events: Events, hosts: AllowedHosts) -> Starlette:
    def site_file(request: Request) -> Response:
        # Not async: a page not made yet is rendered here (lazy.py), on a worker thread, so
        # the event streams go on meanwhile. scope["path"] is already percent-decoded:
        # "%2e%2e" and "%2f" arrive as ".." and "/".
        return respond(live.snapshot, request.scope["path"], request.url.query, live)

    async def event_stream(request: Request) -> Response:
        headers = {**NO_STORE, "X-Accel-Buffering": "no"}
        return StreamingResponse(events.stream(), media_type="text/event-stream", headers=headers)

    async def reload_script(request: Request) -> Response:
        return Response(inject.RELOAD_JS, media_type="text/javascript", headers=NO_STORE)

    return Starlette(
        routes=[
            Route(inject.EVENTS_URL, event_stream),
            Route(inject.SCRIPT_URL, reload_script),
            Route("/{path:path}", site_file),
        ],
        # Outside every route: no page, script or event reaches a Host it does not allow.
        middleware=[Middleware(HostGuard, allowed=hosts)],
    )


class Unrendered(Exception):
    """A page of the site served that failed to render (lazy.py)."""

    def __init__(self, error: Exception) -> None:
        super().__init__(error)
        self.error = error


def respond(snapshot: Served, path: str, query: str = "", live: LiveSite | None = None) -> Response:
    """The answer to a GET of `path`. Given `live`, a page that fails to render fails its
    build there and then (LiveSite.failed_to_render): the last good page is answered, with
    the problem on top. Without it, the problem alone (500)."""
    try:
        return _respond(snapshot, path, query)
    except Unrendered as unrendered:
        if live is not None:
            return respond(live.failed_to_render(snapshot, unrendered.error), path, query)
        problem, _ = problem_of(unrendered.error, snapshot.root or Path.cwd())
        page = inject.error_page(snapshot.build_id, (problem,))
        return Response(page, 500, media_type="text/html", headers=NO_STORE)


def _respond(snapshot: Served, path: str, query: str) -> Response:
    if snapshot.files is None:  # no good build yet: only the errors to show
        page = inject.error_page(snapshot.build_id, snapshot.problems)
        return Response(page, 500, media_type="text/html", headers=NO_STORE)
    found = resolve(path, snapshot.files, snapshot.prefix)
    if isinstance(found, Refused):
        return PlainTextResponse("Bad request: path outside the site", 400, headers=NO_STORE)
    if isinstance(found, Redirect):
        location = f"{found.location}?{query}" if query else found.location
        return RedirectResponse(location, 302, headers=NO_STORE)
    if found is None:
        return _not_found(snapshot)
    return _file(snapshot, found.key, 200)


def _not_found(snapshot: Served) -> Response:
    assert snapshot.files is not None
    if "404.html" in snapshot.files:
        return _file(snapshot, "404.html", 404)
    return PlainTextResponse("Not found", 404, headers=NO_STORE)


def _file(snapshot: Served, key: str, status: int) -> Response:
    assert snapshot.files is not None
    try:
        data = snapshot.files[key]  # rendered now, if it was not yet (lazy.py)
    except Exception as exc:  # the build fails with it (state.LiveSite)
        raise Unrendered(exc) from exc
    media_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
    if media_type == "text/html":
        data = inject.inject(data, snapshot.build_id, snapshot.problems)
    return Response(data, status, media_type=media_type, headers=NO_STORE)


class PreviewServer(uvicorn.Server):
    """uvicorn, ending the event streams first when it shuts down (Ctrl-C): uvicorn waits
    for open responses to finish, and an event stream would never finish by itself."""

    def __init__(self, config: uvicorn.Config, events: Events) -> None:
        super().__init__(config)
        self.events = events

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.events.close()
        await super().shutdown(sockets)


def server(app: Starlette, events: Events) -> PreviewServer:
    config = uvicorn.Config(
        app,
        log_config=None,  # keep the terminal ours: only uvicorn's warnings and errors show
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
        proxy_headers=False,
        ws="none",
        timeout_graceful_shutdown=2,  # a last resort: streams are ended before it matters
    )
    return PreviewServer(config, events)
