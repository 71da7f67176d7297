"""Which `Host` names the preview answers to: the defence against DNS rebinding.

A web page on attacker.example can point its own name at 127.0.0.1 after loading; the browser
then lets it read our pages as its own origin (drafts and the error box included), but the
requests still say `Host: attacker.example:8000`. So serve answers only to names no stranger
can point at it, as Vite does:

- IP addresses (`127.0.0.1`, `[::1]`, `192.168.1.20`...): no DNS lookup, nothing to rebind;
- `localhost` and `*.localhost`: browsers resolve them to loopback themselves, and nobody can
  register them;
- the name given to `--host`, and every name given to `--allow-host` (`.example.net` meaning
  example.net and all its sub-domains).

Everything else gets 403 and a line saying how to allow it; never a page (server.py).
Pure policy, without the web server: the CLI imports it for `--allow-host`.
"""

from __future__ import annotations

import argparse
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

# A DNS name without port or scheme, as `--allow-host` takes it; a leading "." is the whole
# domain. Also what the refusal may echo back, so it never repeats arbitrary bytes.
_NAME = re.compile(r"\.?[a-z0-9_-]+(\.[a-z0-9_-]+)*")


def host_name(text: str) -> str:
    """`--allow-host`'s argument type."""
    name = text.strip().lower()
    if not _NAME.fullmatch(name):
        raise argparse.ArgumentTypeError(
            f"expected a host name without scheme or port (mybox.local, or .example.net for "
            f"a domain and its sub-domains), got {text!r}"
        )
    return name


@dataclass(frozen=True)
class AllowedHosts:
    names: frozenset[str]  # exact names, lower case
    domains: tuple[str, ...] = ()  # ".example.net": that name and every name ending in it

    @classmethod
    def of(cls, listen_host: str, allowed: Iterable[str] = ()) -> AllowedHosts:
        """The names for a server told to listen on `listen_host`, with `--allow-host`s."""
        given = [*allowed, listen_host.strip("[]").lower()]
        return cls(
            frozenset(n for n in given if not n.startswith(".")),
            tuple(sorted(n for n in given if n.startswith("."))),
        )

    def allows(self, header: str) -> bool:
        name = host_of(header)
        if name is None:
            return False
        if _ip(name) is not None or name == "localhost" or name.endswith(".localhost"):
            return True
        return name in self.names or any(
            name == domain[1:] or name.endswith(domain) for domain in self.domains
        )


def host_of(header: str) -> str | None:
    """The name in a Host header (`name`, `name:port`, `[v6]`, `[v6]:port`), lower case;
    None when it is malformed (a bare IPv6 address, a port that is not a number...)."""
    if header.startswith("["):
        address, bracket, rest = header[1:].partition("]")
        if not bracket or not isinstance(_ip(address), ipaddress.IPv6Address):
            return None
        colon, port = rest[:1], rest[1:]
        if rest and colon != ":":
            return None
    else:
        address, colon, port = header.partition(":")
    if colon and not (port.isascii() and port.isdigit()):
        return None
    return address.lower() or None


def _ip(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


def refusal(header: str) -> str:
    """The body of the 403 for a request to a Host that is not allowed."""
    name = host_of(header)
    if name is not None and _NAME.fullmatch(name):  # never echo what is not a plain name
        how = f"To use the name {name}, restart with:\n  foretell serve --allow-host {name}\n"
    else:
        how = "To allow a name, restart with:\n  foretell serve --allow-host NAME\n"
    return (
        "Forbidden: foretell serve answers only to localhost, IP addresses and the host it\n"
        "listens on, so that no web page can read your preview by pointing its own name at\n"
        "your machine. " + how
    )
