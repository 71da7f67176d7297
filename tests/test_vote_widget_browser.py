"""The vote widget in a real browser, against the real endpoint.

A built site is served over HTTP on one loopback port and `foretell votes serve` runs on
another (so every call is cross-origin, CORS preflight included). Headless Chromium is Debian's:
Playwright cannot download its own here.
"""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import REPO, SITE_YAML, SiteFolder, prediction_text
from playwright.sync_api import Browser, Locator, Page, expect
from serving import static_site

UNAVAILABLE = "Votes are unavailable right now."
OPEN_TARGET = "2030-01-01"  # open at the build's --now and on the endpoint's real clock


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Voting:
    """A built site on `site_url`, its vote endpoint on `endpoint`."""

    site_url: str
    endpoint: str
    proc: subprocess.Popen[bytes]
    log_path: Path

    def votes(self, slug: str) -> dict[str, int]:
        response = httpx.get(f"{self.endpoint}/v1/predictions/{slug}/votes", timeout=5)
        counts: dict[str, int] = response.raise_for_status().json()["counts"]
        return counts

    def vote(self, slug: str, choice: str, voter: str) -> None:
        body = {"choice": choice, "voter": voter}
        url = f"{self.endpoint}/v1/predictions/{slug}/votes"
        httpx.post(url, json=body, timeout=5).raise_for_status()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class BuiltSite:
    url: str
    origin: str
    endpoint: str
    manifest: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltSite]:
    """A site with three open predictions, built for an endpoint on a free port, and served."""
    root = tmp_path_factory.mktemp("widget") / "site"
    root.mkdir()
    shutil.copytree(REPO / "themes", root / "themes")
    site = SiteFolder(root)
    with static_site(site.output) as url:
        origin = url.rstrip("/")
        endpoint = f"http://127.0.0.1:{free_port()}"
        site.config(SITE_YAML + f"votes:\n  endpoint: {endpoint}\n")
        for day, slug in enumerate(("alpha", "beta", "gamma"), start=10):
            text = prediction_text(slug.title(), date=f"2026-01-{day}", target=OPEN_TARGET)
            site.write(f"{slug}.md", text)
        assert site.build() == 0
        yield BuiltSite(url, origin, endpoint, site.output / "votes-manifest.json")


@pytest.fixture
def voting(built: BuiltSite, tmp_path: Path) -> Iterator[Voting]:
    """The real endpoint, with an empty database, on the port the site was built for."""
    log_path = tmp_path / "endpoint.log"
    command = [
        sys.executable, "-m", "builder", "votes", "serve",
        "--db", str(tmp_path / "votes.sqlite3"), "--manifest", str(built.manifest),
        "--host", "127.0.0.1", "--port", built.endpoint.rsplit(":", 1)[1],
        "--allow-origin", built.origin, "--rate-limit", "0",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=log, cwd=REPO)
    voting = Voting(built.url, built.endpoint, proc, log_path)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                if httpx.get(built.endpoint + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "the endpoint did not start"
            time.sleep(0.05)
        yield voting
    finally:
        voting.stop()


def serious_axe_violations(page: Page) -> list[str]:
    """axe-core on the page as it is now, in both colour schemes (see test_accessibility.py)."""
    page.evaluate(Axe().axe_script)
    found = []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        found += [
            f"{scheme}: {v['id']} {[n['target'] for n in v['nodes']]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
    return found


def option(page: Page, name: str) -> Locator:
    return page.get_by_role("button", name=re.compile("^" + name))


def test_vote_kept_across_reload_and_unavailable_when_down(
    voting: Voting, browser: Browser
) -> None:
    voting.vote("alpha", "wont", "someone-else-00000001")
    context = browser.new_context()  # fresh localStorage: a new reader
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(voting.site_url + "predictions/alpha/")

    widget = page.locator("section.votes")
    status = widget.get_by_role("status")
    will, maybe = option(page, "Will happen"), option(page, "Maybe")
    expect(widget).to_be_visible()  # the script unhid it
    expect(page.get_by_role("group", name="Will it happen? Your vote:")).to_be_visible()
    expect(option(page, "Won\u2019t happen")).to_contain_text("100% 1 vote")
    expect(will).to_have_attribute("aria-pressed", "false")

    will.click()
    expect(will).to_have_attribute("aria-pressed", "true")
    expect(will).to_contain_text("50% 1 vote")
    expect(widget.locator(".votes-community")).to_have_text("Community: 50%")
    expect(status).to_contain_text("Your vote: Will happen.")
    assert voting.votes("alpha") == {"will": 1, "wont": 1, "maybe": 0}  # at the endpoint
    voter = page.evaluate("localStorage.getItem('foretell-voter')")
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,64}", voter)
    assert serious_axe_violations(page) == []

    page.reload()
    expect(will).to_have_attribute("aria-pressed", "true")  # the HTML says "false"
    expect(maybe).to_have_attribute("aria-pressed", "false")
    expect(will).to_contain_text("1 vote")

    # Voting again replaces the vote; the keyboard works as well as the mouse.
    maybe.focus()
    page.keyboard.press("Enter")
    expect(maybe).to_have_attribute("aria-pressed", "true")
    expect(will).to_have_attribute("aria-pressed", "false")
    assert voting.votes("alpha") == {"will": 0, "wont": 1, "maybe": 1}
    assert page.evaluate("localStorage.getItem('foretell-voter')") == voter

    # The endpoint is down: the widget says so in words, and offers no dead buttons.
    voting.stop()
    page.reload()
    expect(status).to_have_text(UNAVAILABLE)
    expect(maybe).to_be_hidden()
    expect(page.locator(".prose")).to_contain_text("Body text.")

    # The endpoint hangs (accepts connections, never answers): the page does not wait on it,
    # and the widget gives up after its timeout (about 4 s) with the same message.
    port = int(voting.endpoint.rsplit(":", 1)[1])
    with socket.create_server(("127.0.0.1", port)) as hanging:
        began = time.monotonic()
        page.reload()  # returns on the load event
        assert time.monotonic() - began < 3, "the page waited for the endpoint"
        expect(status).not_to_have_text(UNAVAILABLE)
        expect(status).to_have_text(UNAVAILABLE, timeout=10_000)
        assert hanging.fileno() >= 0

    assert all(u.startswith((voting.site_url, voting.endpoint)) for u in requests), requests
    context.close()


def test_a_list_page_makes_one_batch_request(voting: Voting, browser: Browser) -> None:
    for n, choice in enumerate(["will", "will", "will", "wont"]):
        voting.vote("alpha", choice, f"list-voter-{n:010d}")
    voting.vote("beta", "wont", "list-voter-9999999999")
    page = browser.new_page()
    to_endpoint: list[str] = []
    page.on(
        "request",
        lambda r: to_endpoint.append(r.url) if r.url.startswith(voting.endpoint) else None,
    )
    page.goto(voting.site_url)
    cards = page.locator(".card")
    expect(cards).to_have_count(3)
    alpha = cards.filter(has_text="Alpha").locator(".card-community")
    expect(alpha).to_have_text("Community 75% (4 votes)")
    expect(cards.filter(has_text="Beta").locator(".card-community")).to_have_text(
        "Community 0% (1 vote)"
    )
    expect(cards.filter(has_text="Gamma").locator(".card-community")).to_be_hidden()  # no votes
    page.wait_for_load_state("networkidle")
    assert serious_axe_violations(page) == []
    assert len(to_endpoint) == 1, to_endpoint
    [url] = to_endpoint
    parts = urlsplit(url)
    assert parts.path == "/v1/votes"
    assert sorted(parse_qs(parts.query)["ids"][0].split(",")) == ["alpha", "beta", "gamma"]
    page.close()
