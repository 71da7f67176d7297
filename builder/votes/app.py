"""The vote endpoint's HTTP API (Starlette). `create_app` wires it up; no module state."""

from __future__ import annotations

import asyncio
import datetime
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from builder.content.crowd import CHOICES, CrowdTally

from .health import WriteHealth
from .manifest import ManifestWatcher, Votable
from .openapi import MAX_BATCH_IDS, openapi_document
from .ratelimit import client_ip, limit_key
from .store import RateLimit, StoreClosed, VoteStore, is_valid_voter

MAX_BODY_BYTES = 1024
# A vote waits at most this long for its commit; past it the client gets 503 (and may retry:
# voting is idempotent) instead of a request hanging on a stuck disk.
WRITE_TIMEOUT_S = 10.0
# A 503 for a database that failed (or a server being restarted) tells clients when to retry.
RETRY_AFTER_S = 5
UNAVAILABLE = "votes cannot be stored right now, try again"
VOTE_FIELDS = frozenset({"choice", "voter"})
VOTER_RULE = "voter must be 16 to 64 characters of A-Z, a-z, 0-9, '_' and '-'"
# On every response: a browser must never guess an HTML type for an API answer (an error
# message echoes parts of the request).
NOSNIFF = {"X-Content-Type-Options": "nosniff"}

T = TypeVar("T")

access_log = logging.getLogger("foretell.votes.access")
log = logging.getLogger("foretell.votes")


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def create_app(
    store: VoteStore,
    manifest_path: Path,
    *,
    allow_origins: Sequence[str] = (),
    rate_limit: int | None = None,
    trust_forwarded_for: bool = False,
    clock: Callable[[], datetime.datetime] = utc_now,
) -> Starlette:
    """The ASGI app. `rate_limit`: votes per client IP per minute (None or 0: unlimited).

    Raises ManifestError when the manifest cannot be loaded: better not to start than to serve
    404 for every prediction.
    """
    manifest = ManifestWatcher(manifest_path)
    limiter = store.rate_limit(rate_limit) if rate_limit else None
    api = _Api(store, manifest, limiter, clock, trust_forwarded_for)
    app = Starlette(
        routes=[
            Route("/healthz", api.health, methods=["GET"]),
            # One route for both methods, so a 405 lists both in its Allow header.
            Route("/v1/predictions/{slug}/votes", api.votes, methods=["GET", "POST"]),
            Route("/v1/votes", api.get_many, methods=["GET"]),
            Route("/v1/openapi.json", api.openapi, methods=["GET"]),
        ],
        middleware=[
            Middleware(AccessLog, trust_forwarded_for=trust_forwarded_for),
            Middleware(
                _JSONCORSMiddleware,
                allow_origins=list(allow_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Content-Type"],
                expose_headers=["Retry-After"],  # so the widget can say when to retry
                max_age=600,
            ),
        ],
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
    app.router.redirect_slashes = False  # /healthz/ is a 404, not a redirect to follow
    app.state.store = store
    app.state.manifest = manifest
    return app


def _reply(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    # Counts change all the time: no cache (browser or proxy) may keep them.
    return JSONResponse(
        data, status, headers={"Cache-Control": "no-store", **NOSNIFF, **(headers or {})}
    )


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _reply({"error": exc.detail}, exc.status_code, exc.headers)


def _unavailable() -> HTTPException:
    return HTTPException(503, UNAVAILABLE, headers={"Retry-After": str(RETRY_AFTER_S)})


def _server_error(request: Request, exc: Exception) -> Response:
    return _reply({"error": "internal server error"}, 500)


class _DuplicateKey(ValueError):
    pass


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of duplicate keys; {"choice": "will", "choice": "wont"} is
    # ambiguous, so refuse it rather than guess.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def parse_vote(body: bytes) -> tuple[str, str]:
    """(choice, voter) from a request body, or HTTPException(400) saying what is wrong."""
    try:
        data = json.loads(body.decode("utf-8"), object_pairs_hook=_object_without_duplicates)
    except _DuplicateKey as exc:
        raise HTTPException(400, f"duplicate field: {exc}") from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        # RecursionError: 1 KB of "[" nests deeper than the parser's recursion limit.
        raise HTTPException(400, "request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise HTTPException(400, "request body must be a JSON object")
    unknown = sorted(set(data) - VOTE_FIELDS)
    if unknown:
        raise HTTPException(400, f"unknown field(s): {', '.join(unknown)}")
    for field in sorted(VOTE_FIELDS):
        if field not in data:
            raise HTTPException(400, f"missing field: {field}")
    choice, voter = data["choice"], data["voter"]
    if not isinstance(choice, str) or choice not in CHOICES:
        raise HTTPException(400, f"choice must be one of: {', '.join(CHOICES)}")
    if not is_valid_voter(voter):
        raise HTTPException(400, VOTER_RULE)
    return choice, voter


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, refusing (413) more than `limit` bytes whether announced or streamed."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not (declared.isascii() and declared.isdigit()):
            raise HTTPException(400, "invalid Content-Length")
        if int(declared) > limit:
            raise HTTPException(413, f"request body over {limit} bytes")
    # Chunked bodies announce no length: count as they arrive, stop at the limit.
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise HTTPException(413, f"request body over {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect:
        raise HTTPException(400, "client disconnected") from None
    return b"".join(chunks)


class _Api:
    def __init__(
        self,
        store: VoteStore,
        manifest: ManifestWatcher,
        limiter: RateLimit | None,
        clock: Callable[[], datetime.datetime],
        trust_forwarded_for: bool,
    ) -> None:
        self.store = store
        self.manifest = manifest
        self.limiter = limiter
        self.clock = clock
        self.trust_forwarded_for = trust_forwarded_for
        self.writes = WriteHealth(store)

    def _today(self) -> datetime.date:
        now = self.clock()
        if now.tzinfo is None:  # a naive clock is taken to be UTC, never local time
            return now.date()
        return now.astimezone(datetime.UTC).date()

    def _prediction(self, request: Request) -> tuple[str, Votable]:
        slug: str = request.path_params["slug"]
        votable = self.manifest.current().get(slug)
        if votable is None:
            raise HTTPException(404, f"no such prediction: {slug}")
        return slug, votable

    async def _from_store(self, call: Awaitable[T]) -> T:
        """`call`'s result, or 503 with Retry-After when the database failed (a server being
        restarted, a broken connection): clients retry, and the store reconnects by itself."""
        try:
            return await call
        except (StoreClosed, *self.store.errors) as exc:
            log.error("the vote database failed: %r", exc)
            self.store.note_failure(exc)  # /healthz says so too, not only after a failed vote
            raise _unavailable() from None

    def _tally_json(self, tally: CrowdTally, votable: Votable) -> dict[str, Any]:
        return {
            "counts": tally.as_dict(),
            "total": tally.total,
            "open": votable.is_open(self._today()),
            "target_date": votable.target_date.isoformat(),
        }

    async def health(self, request: Request) -> Response:
        predictions = len(self.manifest.current())
        problem = await self.writes.problem()
        if problem is not None:  # votes would fail: a load balancer should look elsewhere
            return _reply({"status": "error", "error": problem, "predictions": predictions}, 503)
        return _reply({"status": "ok", "predictions": predictions})

    async def openapi(self, request: Request) -> Response:
        return _reply(openapi_document())

    async def votes(self, request: Request) -> Response:
        if request.method == "POST":
            return await self.post_vote(request)
        return await self.get_votes(request)

    async def get_votes(self, request: Request) -> Response:
        slug, votable = self._prediction(request)
        voter = request.query_params.get("voter")
        if voter is not None and not is_valid_voter(voter):
            raise HTTPException(400, VOTER_RULE)
        tally, choice = await self._from_store(
            run_in_threadpool(self.store.tally_and_choice, slug, voter)
        )
        data = {"slug": slug, **self._tally_json(tally, votable)}
        if voter is not None:
            data["your_choice"] = choice
        return _reply(data)

    async def get_many(self, request: Request) -> Response:
        parts = request.query_params.getlist("ids")
        if not parts:
            raise HTTPException(400, "missing query parameter: ids")
        slugs = [s.strip() for part in parts for s in part.split(",")]
        if len(slugs) > MAX_BATCH_IDS:
            raise HTTPException(400, f"at most {MAX_BATCH_IDS} ids per request")
        if not all(slugs):
            raise HTTPException(400, "empty id in ids")
        predictions = self.manifest.current()
        known = [s for s in dict.fromkeys(slugs) if s in predictions]
        unknown = [s for s in dict.fromkeys(slugs) if s not in predictions]
        tallies = await self._from_store(run_in_threadpool(self.store.tallies, known))
        votes = {s: self._tally_json(tallies[s], predictions[s]) for s in known}
        return _reply({"votes": votes, "unknown": unknown})

    async def post_vote(self, request: Request) -> Response:
        # Cheapest refusals first; the rate limit counts every attempt, valid or not.
        if self.limiter is not None:
            address = client_ip(request.scope, trust_forwarded_for=self.trust_forwarded_for)
            retry_after = await self._from_store(self.limiter.hit(limit_key(address)))
            if retry_after is not None:
                raise HTTPException(
                    429,
                    "too many votes from your address, try again later",
                    headers={"Retry-After": str(retry_after)},
                )
        slug, votable = self._prediction(request)
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/json":
            raise HTTPException(415, "Content-Type must be application/json")
        choice, voter = parse_vote(await read_body(request))
        if not votable.is_open(self._today()):
            raise HTTPException(409, votable.closed_message(slug))
        try:
            future = self.store.submit_vote(slug, voter, choice)
            tally = await asyncio.wait_for(asyncio.wrap_future(future), WRITE_TIMEOUT_S)
        except (StoreClosed, TimeoutError, *self.store.errors) as exc:
            log.error("vote on %s not stored: %r", slug, exc)
            raise _unavailable() from None
        data = {"slug": slug, **self._tally_json(tally, votable), "your_choice": choice}
        return _reply(data)


class _JSONCORSMiddleware(CORSMiddleware):
    """Starlette's CORS handling, with refused preflights answered in JSON like other errors.

    Starlette already does the part that matters: a preflight or request from an origin that
    is not configured gets no Access-Control-Allow-Origin, so browsers block it.
    """

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            response.headers.update(NOSNIFF)
            return response
        headers = {
            k: v
            for k, v in response.headers.items()
            if k.lower() not in ("content-length", "content-type")
        }
        message = bytes(response.body).decode()
        return _reply({"error": message}, response.status_code, headers)


class AccessLog:
    """One log line per request: client, method, path, status, duration.

    Our own instead of uvicorn's because uvicorn logs the query string, which would put voter
    ids (the key to someone's vote) in the logs; and because it knows the client address
    behind a trusted proxy.
    """

    def __init__(self, app: ASGIApp, *, trust_forwarded_for: bool) -> None:
        self.app = app
        self.trust_forwarded_for = trust_forwarded_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before responding

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            # raw_path is still percent-encoded, so a path cannot inject a fake log line.
            path = scope.get("raw_path") or quote(scope["path"]).encode("ascii")
            access_log.info(
                '%s "%s %s" %d %.1fms',
                client_ip(scope, trust_forwarded_for=self.trust_forwarded_for),
                scope["method"],
                path.decode("ascii", "backslashreplace"),
                status,
                (time.perf_counter() - started) * 1000,
            )
