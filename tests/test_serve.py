"""`foretell serve`: the real command on a free loopback port, driven over HTTP.

Each test starts `python -m builder serve` against a temporary site, as an author would, so
socket binding, the watcher, rebuild threads and signals are all exercised. A few pure
helpers (path resolution, HTML injection, change classification) are tested directly.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import signal
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from bs4 import BeautifulSoup
from conftest import NOW, REPO, SITE_YAML, SiteFolder, parsed_files, prediction_text
from rich.console import Console
from serving import Serve, children, launched, serving, wait_for
from test_incremental import _clean_build, _populate, _replace

from builder.errors import Problem
from builder.options import BuildOptions
from builder.serve import inject
from builder.serve.command import Terminal
from builder.serve.lazy import Completer, LazyFiles
from builder.serve.rebuild import Rebuilder
from builder.serve.server import REFUSED, Found, Redirect, resolve, respond
from builder.serve.state import LiveSite, RebuildResult
from builder.serve.watch import classify

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate

EDIT_TIMEOUT = 20  # seconds for a saved edit to be served
P3 = "content/predictions/p3.md"


def write_alpha(site: SiteFolder, body: str = "First version of the body.\n", **kw: str) -> Path:
    return site.write("alpha.md", prediction_text("Alpha", body=body, **kw))


def raw_status(server: Serve, target: str) -> tuple[int, bytes]:
    """GET with the request target sent byte for byte: HTTP clients would normalise `/../`."""
    url = urlsplit(server.url)
    assert url.hostname is not None and url.port is not None
    with socket.create_connection((url.hostname, url.port), timeout=5) as conn:
        conn.sendall(
            f"GET {target} HTTP/1.1\r\nHost: {url.netloc}\r\nConnection: close\r\n\r\n".encode()
        )
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1]), data


def has_reload_script(html: str) -> bool:
    return inject.SCRIPT_URL in html and "EventSource" not in html  # external, deferred


# --------------------------------------------------------------------------- over HTTP


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SiteFolder, Serve]]:
    """One server for the tests that only read (starting one costs a second or two)."""
    site = SiteFolder(tmp_path_factory.mktemp("shared") / "site")  # as conftest's `site`
    site.root.mkdir()
    site.config(SITE_YAML)
    shutil.copytree(REPO / "themes", site.root / "themes")
    write_alpha(site)
    with serving(site.root) as server:
        yield site, server


def test_pages_are_served_from_memory_with_the_reload_script(
    shared: tuple[SiteFolder, Serve],
) -> None:
    site, server = shared
    home = server.get("/")
    assert home.status_code == 200
    assert home.headers["content-type"] == "text/html; charset=utf-8"
    soup = BeautifulSoup(home.text, "lxml")
    script = soup.find("script", src=inject.SCRIPT_URL)
    assert script is not None and script.has_attr("defer")
    assert script.parent is not None and script.parent.name == "body"

    page = server.get("/predictions/alpha/")
    assert page.status_code == 200
    assert "First version of the body." in page.text
    assert has_reload_script(page.text)

    folder = server.get("/predictions/alpha", follow_redirects=False)
    assert folder.status_code in (301, 302, 307, 308)
    assert folder.headers["location"] == "/predictions/alpha/"

    stylesheet = soup.find("link", rel="stylesheet")
    assert stylesheet is not None
    css = server.get(str(stylesheet["href"]))
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert "/__foretell/" not in css.text  # only HTML gets the script

    script_js = server.get(inject.SCRIPT_URL)
    assert script_js.headers["content-type"].startswith("text/javascript")
    assert "EventSource" in script_js.text
    assert "http" not in script_js.text.replace("http://", "")  # no third-party request
    assert not site.output.exists(), "serve must never write output/"


def test_missing_pages_get_the_sites_404_page(shared: tuple[SiteFolder, Serve]) -> None:
    _, server = shared
    for path in ("/no/such/page/", "/predictions/beta/", "/missing.css"):
        response = server.get(path)
        assert response.status_code == 404, path
        title = BeautifulSoup(response.text, "lxml").title
        assert title is not None and title.text == "Page not found · Test Desk"
        assert has_reload_script(response.text)


@pytest.mark.parametrize(
    "target",
    [
        "/../site.yaml",
        "/%2e%2e/site.yaml",
        "/%2E%2E/%2e%2e/site.yaml",
        "/predictions/..%2f..%2fsite.yaml",
        "/predictions/%2e%2e%2f%2e%2e%2fsite.yaml",
        "/predictions/alpha/../../../site.yaml",
        "/..%5csite.yaml",
        "/./index.html",
    ],
)
def test_paths_out_of_the_site_are_refused(shared: tuple[SiteFolder, Serve], target: str) -> None:
    _, server = shared
    status, response = raw_status(server, target)
    assert status in (400, 404)
    assert b"timezone: UTC" not in response  # a line of site.yaml
    # And the server still serves the site afterwards.
    assert raw_status(server, "/predictions/alpha/")[0] == 200


def test_an_edit_is_served_without_restart_and_tells_open_pages(site: SiteFolder) -> None:
    article = write_alpha(site)
    with serving(site.root) as server, httpx.Client(timeout=EDIT_TIMEOUT) as client:
        page = BeautifulSoup(server.get("/predictions/alpha/").text, "lxml")
        script = page.find("script", src=inject.SCRIPT_URL)
        assert script is not None
        page_build = script["data-build"]
        with client.stream("GET", server.url + inject.EVENTS_URL.lstrip("/")) as events:
            assert events.headers["content-type"].startswith("text/event-stream")
            builds = (line[6:] for line in events.iter_lines() if line.startswith("data: "))
            assert next(builds) == page_build  # nothing changed yet: no reload

            article.write_text(prediction_text("Alpha", body="Second version.\n"), "utf-8")
            assert next(builds) != page_build  # the open page is told to reload
        wait_for(
            lambda: "Second version." in server.get("/predictions/alpha/").text,
            timeout=EDIT_TIMEOUT,
            what="the edit to be served",
        )
        assert server.proc.poll() is None
    assert not site.output.exists(), "serve must never write output/"


def test_errors_are_shown_on_the_page_until_fixed(site: SiteFolder) -> None:
    article = write_alpha(site)
    template = site.root / "themes" / "default" / "templates" / "prediction.html"
    source = template.read_text(encoding="utf-8")

    with serving(site.root) as server:

        def alert() -> str | None:
            soup = BeautifulSoup(server.get("/predictions/alpha/").text, "lxml")
            box = soup.find(role="alert")
            return box.get_text(" ", strip=True) if box else None

        # Broken front matter. Line 3 is `date:`, line 4 `author:` (see prediction_text).
        broken = prediction_text("Alpha", date="2026-02-30", author='"<b>nobody</b>"')
        article.write_text(broken, encoding="utf-8")
        shown = wait_for(alert, timeout=EDIT_TIMEOUT, what="the error overlay")
        assert "content/predictions/alpha.md:3: date:" in shown
        assert "content/predictions/alpha.md:4: author: unknown author '<b>nobody</b>'" in shown
        page = server.get("/predictions/alpha/")
        assert page.status_code == 200
        assert "<b>nobody</b>" not in page.text  # escaped, not markup
        assert "First version of the body." in page.text  # the last good page, still served
        assert server.get("/").status_code == 200
        assert server.proc.poll() is None

        # The article fixed, a template broken: its file and line are named.
        article.write_text(prediction_text("Alpha", body="Fixed now.\n"), encoding="utf-8")
        template.write_text(source.rstrip("\n") + "\n{% if %}\n", encoding="utf-8")
        line = source.rstrip("\n").count("\n") + 2
        where = f"themes/default/templates/prediction.html:{line}: template syntax error"
        wait_for(lambda: where in (alert() or ""), timeout=EDIT_TIMEOUT, what="the template error")

        template.write_text(source, encoding="utf-8")
        wait_for(
            lambda: (
                "Fixed now." in (text := server.get("/predictions/alpha/").text)
                and 'role="alert"' not in text
            ),
            timeout=EDIT_TIMEOUT,
            what="the errors to go",
        )
        assert "build failed" in server.log()  # also said in the terminal


def test_a_page_that_fails_only_when_rendered_is_shown_and_said_as_any_error(
    site: SiteFolder,
) -> None:
    """A rebuild renders its pages after it is served (lazy.py). Catches: such a failure
    never reaching the open page or the terminal."""
    write_alpha(site)
    template = site.root / "themes" / "default" / "templates" / "prediction.html"
    source = template.read_text(encoding="utf-8")
    block = "{% block content %}"
    with serving(site.root) as server:
        assert "First version" in server.get("/predictions/alpha/").text
        template.write_text(source.replace(block, block + "{{ 1 // (p.title|length - 5) }}"))

        def alert() -> str | None:
            text = server.get("/predictions/alpha/").text
            return text if 'role="alert"' in text else None

        shown = wait_for(alert, timeout=EDIT_TIMEOUT, what="the error overlay")
        assert "themes/default/templates/prediction.html:" in shown
        assert "ZeroDivisionError" in shown and "First version" in shown  # the last good page
        wait_for(lambda: "rendering a page: build failed" in server.log(), timeout=5, what="it")
        template.write_text(source, encoding="utf-8")
        wait_for(lambda: not alert(), timeout=EDIT_TIMEOUT, what="the error to go")


def test_a_site_that_never_built_shows_its_errors(site: SiteFolder) -> None:
    write_alpha(site, date="2026-13-01")
    with serving(site.root) as server:
        response = server.get("/")
        assert response.status_code == 500
        assert "content/predictions/alpha.md:3: date:" in response.text
        assert has_reload_script(response.text)
        write_alpha(site)
        wait_for(lambda: server.get("/").status_code == 200, timeout=EDIT_TIMEOUT, what="the fix")


def test_build_beside_serve_writes_clean_output(site: SiteFolder) -> None:
    write_alpha(site)
    with serving(site.root) as server:
        assert has_reload_script(server.get("/predictions/alpha/").text)
        assert site.build() == 0
        built = site.files()
        assert "predictions/alpha/index.html" in built
        for name, data in built.items():
            assert b"__foretell" not in data, f"{name} holds serve's reload script"
        # serve keeps serving, and a rebuild of its own leaves the real output alone.
        write_alpha(site, body="Edited while output/ exists.\n")
        wait_for(
            lambda: "Edited while" in server.get("/predictions/alpha/").text,
            timeout=EDIT_TIMEOUT,
            what="the edit to be served",
        )
        assert site.files() == built


def test_ctrl_c_stops_cleanly_even_with_open_pages(site: SiteFolder) -> None:
    write_alpha(site)
    with serving(site.root) as server, httpx.Client(timeout=10) as client:
        with client.stream("GET", server.url + inject.EVENTS_URL.lstrip("/")) as events:
            lines = events.iter_lines()
            assert any(line.startswith("data: ") for line in lines)
            assert server.interrupt(timeout=8) == 0
            list(lines)  # the stream has ended
        log = server.log()
        assert "Traceback" not in log
        assert "Stopped." in log
        # uvicorn cancels responses that outlive its graceful shutdown and says so: the event
        # stream must have been ended before that.
        assert "graceful shutdown exceeded" not in log


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=lambda sig: sig.name)
def test_sigterm_and_a_closed_terminal_stop_cleanly(site: SiteFolder, sig: int) -> None:
    write_alpha(site)
    with serving(site.root) as server:
        server.proc.send_signal(sig)
        assert server.proc.wait(timeout=10) == 0
        log = server.log()
        assert "Stopped." in log
        assert "Traceback" not in log


@pytest.mark.parametrize(
    "sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda sig: sig.name
)
def test_forked_render_workers_end_before_serve_does(tmp_path: Path, sig: int) -> None:
    """A site big enough for the build to fork render workers, stopped while they work (in the
    first build): the build finishes, its workers end, then serve exits, leaving no orphan.
    Interrupting the build instead could lose the signal and hang (see command._signals)."""
    root = tmp_path / "big"
    generate(root, 250, seed=7)
    with launched(root) as server:
        workers = wait_for(
            lambda: children(server.proc.pid), timeout=60, what="the forked render workers"
        )
        server.proc.send_signal(sig)
        assert server.proc.wait(timeout=60) == 0, server.log()
        assert [pid for pid in workers if Path(f"/proc/{pid}").exists()] == []
        log = server.log()
        assert "Built " in log  # the first build was not interrupted
        assert "Stopped." in log
        assert "Traceback" not in log


# --------------------------------------------------------------------------- the parts


FILES = {
    "index.html": b"",
    "404.html": b"",
    "predictions/x/index.html": b"",
    "static/style.abc.css": b"",
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", Found("index.html")),
        ("/predictions/x/", Found("predictions/x/index.html")),
        ("/predictions/x", Redirect("/predictions/x/")),
        ("/static/style.abc.css", Found("static/style.abc.css")),
        ("/predictions/", None),
        ("/predictions/x/index.htm", None),
        ("//index.html", None),
        ("/../index.html", REFUSED),
        ("/predictions/../index.html", REFUSED),
        ("/predictions/./x/", REFUSED),
        ("/a\\..\\index.html", REFUSED),
        ("/index.html\x00", REFUSED),
    ],
)
def test_resolve(path: str, expected: object) -> None:
    assert resolve(path, FILES) == expected


def test_resolve_under_a_sub_path() -> None:
    assert resolve("/", FILES, "/blog/") == Redirect("/blog/")
    assert resolve("/blog", FILES, "/blog/") == Redirect("/blog/")
    assert resolve("/blog/", FILES, "/blog/") == Found("index.html")
    assert resolve("/blog/predictions/x/", FILES, "/blog/") == Found("predictions/x/index.html")
    assert resolve("/predictions/x/", FILES, "/blog/") is None


def test_inject_places_the_script_and_escapes_the_overlay() -> None:
    page = b'<html><BODY class="x"><p>Hi</p></BODY></html>'
    problem = Problem("content/predictions/a.md", 3, "title", "bad <script>alert(1)</script>")
    out = inject.inject(page, "id-1", [problem]).decode()
    assert out.index('role="alert"') > out.index('<BODY class="x">')
    assert out.index('role="alert"') < out.index("<p>Hi</p>")
    assert out.index('data-build="id-1"') < out.index("</BODY>")
    assert "content/predictions/a.md:3: title: bad &lt;script&gt;" in out
    assert "<script>alert" not in out
    assert 'role="alert"' not in inject.inject(page, "id-1").decode()


def test_only_sources_of_the_site_count_as_changes(tmp_path: Path) -> None:
    def kind(rel: str) -> str | None:
        change = classify(tmp_path, str(tmp_path / rel))
        return change.kind if change else None

    assert kind("site.yaml") == "config"
    assert kind("content/predictions/a.md") == "content"
    assert kind("themes/default/templates/base.html") == "templates"
    assert kind("themes/default/static/style.css") == "static"
    assert kind("static/images/me.png") == "static"  # the site's own, copied as it is
    assert kind("output/index.html") is None
    assert kind("content/predictions/.a.md.swp") is None
    assert kind("content/predictions/a.md~") is None
    assert kind("content/predictions/4913") is None
    assert kind("content/.obsidian/workspace.json") is None
    assert kind(".foretell/cache/pages") is None
    assert classify(tmp_path, "/elsewhere/site.yaml") is None


# --------------------------------------------------------------------------- in process


@pytest.fixture
def live(site: SiteFolder) -> Iterator[LiveSite]:
    """The live site of a small site, built once, its pages all made (the first build's are)."""
    _populate(site)
    live = LiveSite(BuildOptions(site.root, dt.date.fromisoformat(NOW)))
    assert live.rebuild().ok
    assert live.snapshot.files is not None and not live.snapshot.files.pending()
    yield live
    live.close()


def test_the_terminal_sums_up_thousands_of_warnings() -> None:
    """As `build` does (test_cli.py). Catches: serve printing every one of 5,000 warnings at
    its start and whenever one changes; the same ones printed again at each rebuild."""
    console = Console(file=io.StringIO(), width=200)
    terminal = Terminal(console)
    message = "reference 1 is never cited in the text"
    warnings = tuple(
        Problem(f"content/predictions/p{n}.md", 6, "references.0", message, "warning")
        for n in range(15)
    )
    terminal.rebuilt(None, RebuildResult(0.1, 10, warnings=warnings))
    terminal.rebuilt("p1.md", RebuildResult(0.1, 10, warnings=warnings))
    printed = console.file.getvalue()  # type: ignore[attr-defined]
    assert printed.count("warning: ") == 10
    assert "... and 5 more warnings:" in printed
    assert "5 x references.N: reference N is never cited in the text" in printed
    assert printed.count("foretell check lists every one.") == 1


def test_serve_takes_the_files_the_last_build_parsed(
    site: SiteFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its first build, after a `foretell build`. Catches: every file parsed again (16 s of
    CPU at 10,000 predictions), or a file changed since the build taken as it was."""
    _populate(site)
    assert site.build() == 0
    _replace(site, P3, "Prediction 3", "Renamed")
    read = parsed_files(monkeypatch)
    files = Rebuilder(BuildOptions(site.root, dt.date.fromisoformat(NOW))).files()
    assert read == [P3]
    assert dict(files) == _clean_build(site, tmp_path, NOW)


def test_a_rebuilds_pages_are_made_when_read_with_a_clean_builds_bytes(
    live: LiveSite, site: SiteFolder, tmp_path: Path
) -> None:
    """A resolution takes the full rebuild: it decides what changed, the pages are made
    later. Catches: a pending page made from the wrong page's spec, or another build's site
    (bytes unlike a clean build's); and the rebuild rendering them itself (nothing pending)."""
    completer = live._completer
    completer.close()  # nothing made behind the test's back: what is pending stays so
    _replace(
        site, P3, "  target_date:", "  resolution: {outcome: yes, date: 2026-05-01}\n  target_date:"
    )
    assert live.rebuild().ok and live.builder.way == "full"
    files = live.snapshot.files
    assert isinstance(files, LazyFiles)
    pending = files.pending().keys()
    assert {"predictions/p3/index.html", "resolved/index.html", "track-record.json"} <= pending
    page = respond(live.snapshot, "/predictions/p3/")  # a request makes its page
    assert page.status_code == 200 and "predictions/p3/index.html" not in files.pending()
    assert dict(files) == _clean_build(site, tmp_path, NOW)


def test_a_page_that_fails_to_render_after_a_rebuild_fails_the_build(
    live: LiveSite, site: SiteFolder
) -> None:
    """An error only rendering meets (not parsing the template): the rebuild serves the new
    site, then its pages fail. Catches: the failure swallowed (the site served as good, the
    page a bare 500 or empty), the last good site not served again, the terminal not told."""
    told: list[RebuildResult] = []
    live.late = told.append
    heard: list[str] = []  # the event stream's listener: open pages reload when told
    live.subscribe(lambda: heard.append(live.snapshot.build_id))
    good = live.snapshot.files
    assert good is not None
    template = site.root / "themes" / "default" / "templates" / "prediction.html"
    source = template.read_text(encoding="utf-8")
    block = "{% block content %}"
    template.write_text(source.replace(block, block + "{{ (p.title|length) // 0 }}"), "utf-8")
    line = source[: source.index(block)].count("\n") + 1
    assert live.rebuild().ok  # served: nothing has been rendered yet
    broken = live.snapshot
    page = respond(broken, "/predictions/p3/")  # a request before the completer fails it
    where = f"themes/default/templates/prediction.html:{line}: ZeroDivisionError"
    assert page.status_code == 500 and where in page.body.decode()
    wait_for(lambda: told, timeout=10, what="the failure to be reported")
    failed = live.snapshot
    assert heard[-1] == failed.build_id != broken.build_id  # open pages reload, see the problem
    assert [str(p) for p in failed.problems] == [str(p) for p in told[0].errors]
    assert str(failed.problems[0]).startswith(where)
    assert failed.files is good  # the last good site, served again
    shown = respond(failed, "/predictions/p3/").body.decode()
    assert 'role="alert"' in shown and where in shown and "Body of 3." in shown
    template.write_text(source, encoding="utf-8")
    assert live.rebuild().ok and not live.snapshot.problems


def test_a_request_that_meets_a_page_failing_fails_the_build_there_and_then(
    live: LiveSite, site: SiteFolder
) -> None:
    """The app's way (respond given the live site): a tab reloading after the rebuild asks
    for its page before the completer has made it. Catches: the error answered alone (a 500
    with nothing of the page) until the completer reports it; the failure told twice when
    the completer meets it after the request did."""
    told: list[RebuildResult] = []
    live.late = told.append
    live._completer.close()  # only the request meets the failure
    template = site.root / "themes" / "default" / "templates" / "prediction.html"
    block = "{% block content %}"
    template.write_text(template.read_text().replace(block, block + "{{ 1 // 0 }}"))
    assert live.rebuild().ok
    broken, pages = live.snapshot, live._pages
    page = respond(broken, "/predictions/p3/", "", live)
    shown = page.body.decode()
    assert page.status_code == 200 and 'role="alert"' in shown and "Body of 3." in shown
    assert "ZeroDivisionError" in shown and live.snapshot.build_id != broken.build_id
    assert pages is not None and len(told) == 1
    live._failed_late(pages, ZeroDivisionError("again"))  # the completer, later
    assert len(told) == 1 and len(live.snapshot.problems) == 1


def test_a_page_failing_after_a_build_that_failed_since_keeps_both_errors(
    live: LiveSite, site: SiteFolder
) -> None:
    """A rebuild served with pages still to render, then a save that fails the build (which
    keeps serving those files), then one of those pages fails. Catches: the page's error
    shown in place of the content error, which the author would see again only at the next
    save."""
    live._completer.close()  # the pages are made when this test says, below
    template = site.root / "themes" / "default" / "templates" / "prediction.html"
    block = "{% block content %}"
    template.write_text(template.read_text().replace(block, block + "{{ 1 // 0 }}"))
    assert live.rebuild().ok
    files, pages = live.snapshot.files, live._pages
    _replace(site, P3, "date: 2026-03-01", "date: 2026-02-30")
    assert not live.rebuild().ok and live.snapshot.files is files
    live._completer = Completer(live._failed_late)
    live._completer.complete(pages)
    wait_for(lambda: len(live.snapshot.problems) == 2, timeout=10, what="the page's error")
    shown = [str(p) for p in live.snapshot.problems]
    assert shown[0].startswith("content/predictions/p3.md:3: date:")
    assert shown[1].startswith("themes/default/templates/prediction.html:")
