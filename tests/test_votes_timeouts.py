"""Connection limits of the vote endpoint (issue #13, item 7), over TCP on loopback.

Idle connections, and connections sending one header line every few seconds, used to be held
forever: 300 of them made the endpoint unreachable ("Too many open files"). The first tests run
uvicorn with the endpoint's connection handler in this process, with short limits and a small
app that can answer slowly; the last ones run `foretell votes serve` itself, the final one with
its defaults under `ulimit -n 256`.
"""

from __future__ import annotations

import asyncio
import datetime
import math
import resource
import select
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import uvicorn
from starlette.types import Receive, Scope, Send
from test_votes_server import start, write_manifest

from builder.system.sockets import listen
from builder.votes.connections import ACCEPT_BURST, LimitedServer, limited_protocol

FUTURE = datetime.date.today() + datetime.timedelta(days=400)
SLOW_ANSWER_S = 1.5
REQUEST = b"GET / HTTP/1.1\r\nHost: test\r\n\r\n"


async def small_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Reads the whole body, then answers "ok"; on /slow, SLOW_ANSWER_S seconds later."""
    message = await receive()
    while message["type"] == "http.request" and message.get("more_body"):
        message = await receive()
    if message["type"] == "http.disconnect":
        return
    if scope["path"] == "/slow":
        await asyncio.sleep(SLOW_ANSWER_S)
    headers = [(b"content-type", b"text/plain"), (b"content-length", b"2")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"ok"})


@contextmanager
def serving(
    *, request_timeout: float = 1.0, keep_alive: float = 30.0, max_connections: int = 100
) -> Iterator[int]:
    """uvicorn with the endpoint's server and connection handler, on a free port."""
    sock = listen("127.0.0.1", 0)
    config = uvicorn.Config(
        small_app,
        http=limited_protocol(request_timeout, max_connections),
        backlog=ACCEPT_BURST,
        timeout_keep_alive=keep_alive,  # type: ignore[arg-type]
        lifespan="off",
        log_config=None,
        access_log=False,
    )
    server = LimitedServer(config)
    thread = threading.Thread(target=asyncio.run, args=(server.serve(sockets=[sock]),))
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
            time.sleep(0.01)
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=5)


def seconds_until_closed(sock: socket.socket, limit: float) -> float:
    """How long until the server closes `sock` (what it sends is read and dropped); inf if it
    is still open after `limit` seconds."""
    began = time.monotonic()
    deadline = began + limit
    try:
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            if not sock.recv(65536):
                return time.monotonic() - began
    except TimeoutError:
        pass
    except ConnectionResetError:
        return time.monotonic() - began
    return math.inf


def is_closed(sock: socket.socket) -> bool:
    """Has the server closed `sock`? Reads (and drops) what it sent, without waiting."""
    while select.select([sock], [], [], 0)[0]:
        try:
            if not sock.recv(65536):
                return True
        except ConnectionResetError:
            return True
    return False


def trickle(socks: list[socket.socket], interval: float, duration: float) -> list[float]:
    """Send each socket one header line every `interval` seconds, the way a slowloris client
    does, for `duration` seconds: the seconds after which the server closed each (inf: never)."""
    began = time.monotonic()
    closed_at = [math.inf] * len(socks)
    for sock in socks:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: test\r\n")
    line = 0
    while time.monotonic() - began < duration and math.inf in closed_at:
        time.sleep(interval)
        line += 1
        for i, sock in enumerate(socks):
            if closed_at[i] == math.inf and is_closed(sock):
                closed_at[i] = time.monotonic() - began
            elif closed_at[i] == math.inf:
                try:
                    sock.sendall(b"X-Slow-%d: %d\r\n" % (line, line))
                except OSError:  # reset between the check and the send
                    closed_at[i] = time.monotonic() - began
    return closed_at


def read_response(sock: socket.socket) -> bytes:
    """One response to REQUEST from `small_app` (it always sends a 2-byte body)."""
    data = b""
    while b"\r\n\r\n" not in data or not data.endswith(b"ok"):
        chunk = sock.recv(65536)
        assert chunk, f"closed before the response was complete: {data!r}"
        data += chunk
    return data


# -- the connection handler, in this process -----------------------------------------------


def test_a_silent_connection_is_closed_after_the_request_timeout() -> None:
    with serving(request_timeout=1.0) as port, connect(port) as sock:
        assert 0.8 <= seconds_until_closed(sock, 5) <= 3


def test_slow_headers_are_cut_off_at_the_request_timeout() -> None:
    # Each line arrives well within any per-read timeout; only the whole request is late.
    with serving(request_timeout=1.0) as port, ExitStack() as stack:
        socks = [stack.enter_context(connect(port)) for _ in range(5)]
        closed_at = trickle(socks, interval=0.2, duration=5)
    assert all(0.8 <= t <= 3 for t in closed_at), closed_at


def test_a_slow_body_is_cut_off_at_the_request_timeout() -> None:
    with serving(request_timeout=1.0) as port, connect(port) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n")
        closed_at = math.inf
        began = time.monotonic()
        for _ in range(25):  # one byte every 0.2 s: 5 s for the body
            time.sleep(0.2)
            if is_closed(sock):
                closed_at = time.monotonic() - began
                break
            sock.sendall(b"x")
    assert 0.8 <= closed_at <= 3


def test_the_next_request_on_a_connection_gets_the_same_time() -> None:
    # After a response uvicorn's keep-alive timer stops at the first byte of the next request,
    # so the request timer must start again. The first answer outlasts the first timer: catches
    # timing only from the connection's start.
    with serving(request_timeout=1.0, keep_alive=30) as port, connect(port) as sock:
        sock.sendall(b"GET /slow HTTP/1.1\r\nHost: test\r\n\r\n")
        assert read_response(sock).startswith(b"HTTP/1.1 200 ")
        [closed_at] = trickle([sock], interval=0.2, duration=5)
    assert 0.8 <= closed_at <= 3


def test_a_slow_answer_is_not_cut_off() -> None:
    # The request arrived whole: however long the app takes, the client gets its answer, and
    # the connection then serves another request.
    with serving(request_timeout=0.5) as port, connect(port) as sock:
        sock.sendall(b"GET /slow HTTP/1.1\r\nHost: test\r\n\r\n")
        assert read_response(sock).startswith(b"HTTP/1.1 200 ")
        sock.sendall(REQUEST)
        assert read_response(sock).startswith(b"HTTP/1.1 200 ")


def test_an_idle_connection_is_closed_after_the_keep_alive_timeout() -> None:
    with serving(request_timeout=30, keep_alive=0.5) as port, connect(port) as sock:
        sock.sendall(REQUEST)
        read_response(sock)
        assert seconds_until_closed(sock, 5) <= 2


def test_connections_over_the_cap_are_closed_at_once() -> None:
    with serving(request_timeout=30, max_connections=3) as port, ExitStack() as stack:
        held = [stack.enter_context(connect(port)) for _ in range(3)]
        time.sleep(0.2)  # all three accepted
        with connect(port) as extra:
            assert seconds_until_closed(extra, 5) < 1
        assert not any(is_closed(sock) for sock in held)
        held[0].close()
        time.sleep(0.2)
        with connect(port) as sock:  # room again
            sock.sendall(REQUEST)
            assert read_response(sock).startswith(b"HTTP/1.1 200 ")


def test_a_malformed_request_gets_the_json_error_with_nosniff() -> None:
    with serving() as port, connect(port) as sock:
        sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        sock.settimeout(5)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().lower().split("\r\n")
    assert lines[0] == "http/1.1 400 bad request"
    assert {"content-type: application/json", "x-content-type-options: nosniff"} <= set(lines)
    assert body == b'{"error": "invalid HTTP request"}'


# -- `foretell votes serve` -----------------------------------------------------------------


def test_the_options_reach_the_server(tmp_path: Path) -> None:
    manifest = tmp_path / "m.json"
    write_manifest(manifest, [("p", FUTURE)])
    options = ["--request-timeout", "3", "--keep-alive-timeout", "0.5", "--max-connections", "2"]
    server = start(tmp_path, tmp_path / "v.sqlite3", manifest, *options)
    port = int(server.url.rsplit(":", 1)[1])
    try:
        with connect(port) as idle, connect(port) as kept:
            connected = time.monotonic()
            kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            assert seconds_until_closed(kept, 5) <= 2  # keep-alive 0.5 s, not the default 5
            with connect(port) as third, connect(port) as fourth:  # "kept" is gone: one free
                time.sleep(0.2)
                closed = [is_closed(third), seconds_until_closed(fourth, 2) < 1]
            assert closed == [False, True]  # at most 2 connections
            # Request timeout 3 s (not the default 10), counted from the connection.
            seconds_until_closed(idle, 8)
            assert 2.5 <= time.monotonic() - connected <= 6
    finally:
        assert server.stop() == 0
    assert "Traceback" not in server.log()


def _ulimit_256() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))


def test_defaults_keep_the_endpoint_reachable_under_300_idle_connections(tmp_path: Path) -> None:
    # The two attacks at once, against the defaults: five connections sending a header
    # line every 3 s, and 300 idle ones, with 256 file descriptors. 20 s later /healthz must
    # answer within 2 s.
    manifest = tmp_path / "m.json"
    write_manifest(manifest, [("p", FUTURE)])
    server = start(tmp_path, tmp_path / "v.sqlite3", manifest, preexec_fn=_ulimit_256)
    port = int(server.url.rsplit(":", 1)[1])
    try:
        with ExitStack() as stack:
            began = time.monotonic()
            slow = [stack.enter_context(connect(port)) for _ in range(5)]  # accepted first
            idle = [stack.enter_context(connect(port)) for _ in range(300)]
            slow_closed_at = trickle(slow, interval=3, duration=19)
            time.sleep(max(0.0, began + 20 - time.monotonic()))
            asked = time.monotonic()
            health = httpx.get(server.url + "/healthz", timeout=2)
            answered_in = time.monotonic() - asked
            still_open = sum(not is_closed(sock) for sock in idle)
    finally:
        assert server.stop() == 0
    assert health.status_code == 200 and answered_in < 2
    assert still_open == 0
    assert all(9 <= t <= 14 for t in slow_closed_at), slow_closed_at  # the 10 s default
    log = server.log()
    assert "at most 192 connections: the open file limit (ulimit -n) is 256" in log
    assert "Too many open files" not in log and "Traceback" not in log
