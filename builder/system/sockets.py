"""Listening sockets for foretell's two servers (`serve` and `votes serve`)."""

from __future__ import annotations

import socket


def listen(host: str, port: int, backlog: int = 128) -> socket.socket:
    """Bind here rather than letting uvicorn do it: port 0 works and the real port can be
    printed, and a port in use becomes a one-line error instead of a log record."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    return sock
