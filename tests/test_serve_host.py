"""`foretell serve` answers only to Host names no web page can point at it (DNS rebinding).

A page on attacker.example that rebinds its name to 127.0.0.1 sends `Host: attacker.example`:
it must get 403 and never the page, the reload script or the event stream. The real command
runs on a loopback port; the Host header is set by hand, the connection always goes to
127.0.0.1.
"""

from __future__ import annotations

import argparse
import shutil
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from conftest import REPO, SITE_YAML, SiteFolder, prediction_text
from serving import Serve, serving

from builder.serve import inject
from builder.serve.hosts import AllowedHosts, host_name, host_of

DRAFT_TEXT = "Secret draft text, not for strangers."
DRAFT = "/predictions/secret/"
PATHS = [DRAFT, "/", inject.SCRIPT_URL, inject.EVENTS_URL]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    site = SiteFolder(tmp_path_factory.mktemp("host") / "site")
    site.root.mkdir()
    site.config(SITE_YAML)
    shutil.copytree(REPO / "themes", site.root / "themes")
    site.write("secret.md", prediction_text("Secret", extra="draft: true\n", body=DRAFT_TEXT))
    # "127.1" is 127.0.0.1 to the resolver, but no IP address to serve: only --host allows it.
    allow = ["--allow-host", "Preview.Example", "--allow-host", ".tunnel.example"]
    with serving(site.root, "--drafts", "--host", "127.1", *allow) as running:
        yield running


def port(server: Serve) -> int:
    found = urlsplit(server.url).port
    assert found is not None
    return found


def fetch(server: Serve, path: str, host: str) -> tuple[int, str, str]:
    """Status, content type and body (at most 64 KiB: the event stream never ends)."""
    with (
        httpx.Client(timeout=10) as client,
        client.stream("GET", server.url + path.lstrip("/"), headers={"Host": host}) as response,
    ):
        body = b""
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > 65536 or response.headers["content-type"].startswith("text/event"):
                break
        return response.status_code, response.headers["content-type"], body.decode()


@pytest.mark.parametrize(
    "host",
    [
        "attacker.example:{port}",
        "attacker.example",
        "localhost.attacker.example:{port}",
        "127.0.0.1.attacker.example:{port}",
        "evil-preview.example:{port}",  # not preview.example
        "preview.example.attacker.example:{port}",
        "eviltunnel.example:{port}",  # .tunnel.example is its sub-domains, not any suffix
        "::1",  # an IPv6 address needs brackets in a Host header
        "localhost:abc",
        "[localhost]:{port}",
        "",
    ],
)
def test_other_host_names_get_403_and_never_the_site(server: Serve, host: str) -> None:
    host = host.format(port=port(server))
    for path in PATHS:
        status, media, body = fetch(server, path, host)
        assert status == 403, (host, path)
        assert media.startswith("text/plain")
        assert DRAFT_TEXT not in body and "Secret" not in body and "EventSource" not in body
        assert "foretell serve --allow-host" in body


@pytest.mark.parametrize(
    "head",
    [
        "GET {path} HTTP/1.0\r\n",  # no Host at all
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nHost: attacker.example\r\n",
        "GET {path} HTTP/1.1\r\nHost: attacker.example\r\nHost: localhost\r\n",
    ],
)
def test_a_missing_or_doubled_host_is_refused(server: Serve, head: str) -> None:
    with socket.create_connection(("127.0.0.1", port(server)), timeout=5) as conn:
        conn.sendall((head.format(path=DRAFT) + "Connection: close\r\n\r\n").encode())
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    assert data.split(b" ", 2)[1] in (b"400", b"403")  # the HTTP parser may refuse first
    assert DRAFT_TEXT.encode() not in data


def test_the_refusal_says_which_option_to_use(server: Serve) -> None:
    _, _, body = fetch(server, DRAFT, f"Attacker.Example:{port(server)}")
    assert "foretell serve --allow-host attacker.example\n" in body
    _, _, junk = fetch(server, DRAFT, "<script>x</script>")
    assert "<script>" not in junk and "--allow-host NAME" in junk


@pytest.mark.parametrize(
    "host",
    [
        "localhost:{port}",
        "LOCALHOST:{port}",
        "localhost",
        "127.0.0.1:{port}",
        "127.0.0.1",
        "127.8.9.10:{port}",
        "[::1]:{port}",
        "[::1]",
        "site.localhost:{port}",
        "192.168.1.20:{port}",  # an IP address: no name to rebind (--host 0.0.0.0 on a LAN)
        "127.1:{port}",  # the --host it was told
        "preview.example:{port}",  # --allow-host, any case
        "tunnel.example:{port}",
        "a.b.tunnel.example",
    ],
)
def test_loopback_names_ip_addresses_and_allowed_names_are_served(server: Serve, host: str) -> None:
    host = host.format(port=port(server))
    status, _, body = fetch(server, DRAFT, host)
    assert status == 200, host
    assert DRAFT_TEXT in body
    assert fetch(server, inject.SCRIPT_URL, host)[0] == 200
    status, media, body = fetch(server, inject.EVENTS_URL, host)
    assert (status, media.split(";")[0]) == (200, "text/event-stream")


def test_host_names_are_parsed_strictly() -> None:
    assert host_of("Example.ORG:8000") == "example.org"
    assert host_of("[::1]:8000") == "::1"
    assert host_of("[::1]") == "::1"
    for bad in ("", ":8000", "::1", "[::1", "[::1]x", "[::1]x80", "[::1]:", "[::1]:x"):
        assert host_of(bad) is None, bad
    for bad in ("[127.0.0.1]", "[localhost]", "a:", "a:8o", "a:80:80"):
        assert host_of(bad) is None, bad
    assert host_of("a:\u0661") is None  # a digit, but not an ASCII one


def test_the_listen_address_is_allowed() -> None:
    hosts = AllowedHosts.of("MyBox.lan")
    assert hosts.allows("mybox.lan:8000")
    assert not hosts.allows("other.lan:8000")
    assert AllowedHosts.of("::1").allows("[::1]:8000")


def test_allow_host_takes_names_only() -> None:
    assert host_name(" Docs.Example ") == "docs.example"
    assert host_name(".example.net") == ".example.net"
    for bad in ("docs.example:8000", "http://docs.example", "", "a b", "[::1]", "docs..example"):
        with pytest.raises(argparse.ArgumentTypeError):
            host_name(bad)
