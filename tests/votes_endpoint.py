"""Run `foretell votes serve` as a real process on a free loopback port (tests/test_votes_*).

Test modules that start endpoints use the `no_leftover_endpoints` fixture, so that a failing
test leaves no endpoint process behind.
"""

from __future__ import annotations

import datetime
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from builder.render.votes_manifest import build_manifest

REPO = Path(__file__).resolve().parent.parent
FUTURE = datetime.date.today() + datetime.timedelta(days=400)
LISTENING = re.compile(rb"on http://127\.0\.0\.1:(\d+) ")
CHOICES = ("will", "wont", "maybe")


def voter(n: int) -> str:
    return f"srv-voter-{n:010d}"


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    log_path: Path
    url: str = ""
    started_in: float = 0.0
    owner: str = "test"
    _log_file: Any = field(default=None, repr=False)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=10)
        finally:
            self._log_file.close()
            if self in _running:
                _running.remove(self)


_running: list[Server] = []


@pytest.fixture(autouse=True)
def no_leftover_endpoints() -> Iterator[None]:
    # A failing test must not leave endpoint processes behind.
    yield
    for server in _running:
        if server.proc.poll() is None and server.owner != "module":
            server.stop(signal.SIGKILL)


def start(
    tmp: Path,
    db: Path | str,
    manifest: Path,
    *extra: str,
    name: str = "server",
    preexec_fn: Callable[[], None] | None = None,
) -> Server:
    """Start the endpoint on a free port (it binds port 0 and logs the real one)."""
    log_path = tmp / f"{name}.log"
    log_file = log_path.open("wb")  # a file, not a pipe: nobody has to keep draining it
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [
        sys.executable,
        "-m",
        "builder.votes",
        "serve",
        "--db",
        str(db),
        "--manifest",
        str(manifest),
        "--port",
        "0",
        *extra,
    ]
    began = time.perf_counter()
    proc = subprocess.Popen(
        command,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=tmp,
        preexec_fn=preexec_fn,
    )
    server = Server(proc, log_path, _log_file=log_file)
    _running.append(server)
    deadline = began + 15
    while time.perf_counter() < deadline:
        match = LISTENING.search(log_path.read_bytes())
        if match:
            server.url = f"http://127.0.0.1:{int(match.group(1))}"
            break
        if proc.poll() is not None:
            server.stop()
            pytest.fail(f"server exited with {proc.returncode}:\n{server.log()}")
        time.sleep(0.01)
    else:
        server.stop(signal.SIGKILL)
        pytest.fail(f"server did not start:\n{server.log()}")
    while time.perf_counter() < deadline:  # the socket listens before uvicorn serves it
        try:
            if httpx.get(server.url + "/healthz", timeout=2).status_code == 200:
                server.started_in = time.perf_counter() - began
                return server
        except httpx.TransportError:
            time.sleep(0.01)
    server.stop(signal.SIGKILL)
    pytest.fail(f"server never answered /healthz:\n{server.log()}")


def write_manifest(path: Path, entries: list[tuple[str, datetime.date]]) -> None:
    path.write_bytes(build_manifest(entries))


