"""Serve sites over HTTP on a free loopback port for the tests: `foretell serve` as a real
process (`serving`), or a built output folder as a static host would (`static_site`)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, TypeVar

import httpx

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-25"
URL = re.compile(r"http://127\.0\.0\.1:\d+/")
T = TypeVar("T")


class Serve:
    def __init__(self, proc: subprocess.Popen[bytes], log_path: Path, log: IO[bytes]) -> None:
        self.proc = proc
        self.log_path = log_path
        self._log = log
        self.url = ""

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        return httpx.get(self.url + path.lstrip("/"), timeout=10, **kwargs)  # type: ignore[arg-type]

    def interrupt(self, timeout: float = 10) -> int:
        """Ctrl-C, as a terminal sends it; the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout=timeout)


@contextmanager
def serving(root: Path, *extra: str) -> Iterator[Serve]:
    """`foretell serve` on a port the OS picks (it prints the URL); stopped afterwards."""
    with launched(root, *extra) as server:
        server.url = wait_for(lambda: _url(server), timeout=30, what="the server's URL")
        wait_for(lambda: _answers(server.url), timeout=10, what="the server to answer")
        yield server


@contextmanager
def launched(root: Path, *extra: str) -> Iterator[Serve]:
    """`foretell serve` just started (its URL not known yet); stopped afterwards."""
    log_path = root.parent / f"serve-{time.monotonic_ns()}.log"
    with log_path.open("wb") as log:  # a file, not a pipe: nobody has to keep draining it
        command = [sys.executable, "-m", "builder", "serve", "--source", str(root)]
        command += ["--port", "0", "--now", NOW, *extra]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        proc = subprocess.Popen(command, stdout=log, stderr=log, env=env, cwd=root.parent)
        try:
            yield Serve(proc, log_path, log)
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux: from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:  # ended while we looked
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after it.
        if stat and int(stat.rpartition(")")[2].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _url(server: Serve) -> str | None:
    if server.proc.poll() is not None:
        raise AssertionError(f"serve exited with {server.proc.returncode}:\n{server.log()}")
    match = URL.search(server.log())
    return match.group(0) if match else None


def _answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=2)
    except httpx.TransportError:
        return False
    return True


def wait_for(check: Callable[[], T | None], *, timeout: float, what: str) -> T:
    """Poll until `check()` returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


class QuietHandler(SimpleHTTPRequestHandler):
    """A static host that keeps its request log out of the test output."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def http_server(handler: Callable[..., BaseHTTPRequestHandler]) -> Iterator[str]:
    """`handler` answering on a free loopback port, in a thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def static_site(directory: Path) -> Iterator[str]:
    """`directory` (a built output) served as a static host serves it; yields the base URL."""
    with http_server(partial(QuietHandler, directory=str(directory))) as url:
        yield url
