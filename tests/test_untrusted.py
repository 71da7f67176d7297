"""Untrusted input: a site whose every text field holds markup and whose every URL field holds
characters a URL may not carry raw (and `javascript:` in its query) builds into output where
none of it is a link or an element: every output file is read back by its own parser."""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import feedparser
import icalendar
import pytest
from bs4 import BeautifulSoup
from conftest import NOW, REPO, SiteFolder, prediction_text
from lxml import etree
from PIL import Image
from test_html_valid import describe, vnu

from builder.cli import main
from builder.config.weburl import web_url

# It closes an attribute and a script, opens an element with a handler, and holds an escape
# that must stay text ("&lt;" is shown as such, not as "<").
PAYLOAD = '"><img src=x onerror=alert(1)></script> & &lt;'
SITE_URL = "https://hostile.example.org/desk/"
EVIDENCE = 'https://evidence.example.org/a?x=1&y=<2>&next=javascript:alert(1)#top#"x"'
REFERENCE_URL = (
    "https://ref.example.org/p a|th/{x}?u=javascript:alert(1)&h=<img src=x onerror=alert(1)>"
    '&q="it\'s"&p=100%'
)
DATA_IN_PATH = "http://ref.example.org/data:text/html,<script>alert(1)</script>"
VOTES = "https://votes.example.org/api v1/<x>"
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "cite", "data", "srcset"}


def text(field: str) -> str:
    """The payload, marked with the field it was written into."""
    return f"{PAYLOAD} {field}"


# Every text field of site.yaml and of the front matter (the body is Markdown: not here).
TEXTS = {
    name: text(name)
    for name in (
        "site-title", "site-description", "author-name", "author-bio", "title", "open-title",
        "category", "tag", "statement", "note", "ref-title", "ref-publisher",
    )
}  # fmt: skip


def _yaml(value: str) -> str:
    return json.dumps(value)  # a JSON string is a YAML double-quoted scalar


def write_hostile_site(site: SiteFolder) -> None:
    t = {name: _yaml(value) for name, value in TEXTS.items()}
    site.config(
        f"title: {t['site-title']}\n"
        f"url: {_yaml(SITE_URL)}\n"
        f"description: {t['site-description']}\n"
        f"votes: {{endpoint: {_yaml(VOTES)}}}\n"
        "authors:\n"
        f"  ada: {{name: {t['author-name']}, bio: {t['author-bio']}, "
        f"url: {_yaml(REFERENCE_URL)}}}\n"
    )
    references = (
        "references:\n"
        f"  - {{title: {t['ref-title']}, url: {_yaml(REFERENCE_URL)}, "
        f"publisher: {t['ref-publisher']}, date: 2026-01-02}}\n"
        f"  - {{title: {t['ref-title']}, url: {_yaml(DATA_IN_PATH)}}}\n"
    )
    front = f"category: {t['category']}\ntags: [{t['tag']}]\n{references}"
    resolution = (
        "confidence: 0.7\n"
        f"resolution: {{outcome: yes, date: 2026-07-01, evidence: {_yaml(EVIDENCE)}, "
        f"note: {t['note']}}}\n"
    )
    site.write("resolved.md", _prediction(t["title"], t["statement"], front, resolution))
    site.write("open.md", _prediction(t["open-title"], t["statement"], front, ""))


def _prediction(title: str, statement: str, front: str, prediction_extra: str) -> str:
    """`title` and `statement` are YAML scalars already."""
    text = prediction_text(
        "x", extra=front, prediction_extra=prediction_extra, target="2026-06-01", body="[1] [2]\n"
    )
    text = text.replace("title: 'x'", f"title: {title}")
    return text.replace("statement: 'Something will happen.'", f"statement: {statement}")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> SiteFolder:
    site = SiteFolder(tmp_path_factory.mktemp("hostile"))
    shutil.copytree(REPO / "themes", site.root / "themes")
    write_hostile_site(site)
    assert site.check() == 0
    assert site.build() == 0
    return site


# The rule ---------------------------------------------------------------------------------

VALID_URLS = [
    "https://predictions.example.org",
    "https://e.example/a/b-c_d.e~f?x=1&y=2;z=(3)*,+!$'@:/?#frag/?:@",
    "http://[::1]:8080/a%20b?c=%41",
    "HTTPS://E.example/Path",
    "https://bücher.example/straße?q=ü#ö",  # an IDN host and a non-ASCII path are valid as such
]


@pytest.mark.parametrize("url", VALID_URLS)
def test_a_valid_url_is_kept_byte_for_byte(url: str) -> None:
    assert web_url(url) == url


ENCODED = [
    ("https://evidence.example.org/a?x=1&y=<2>", "https://evidence.example.org/a?x=1&y=%3C2%3E"),
    ('https://e.example/a b"c', "https://e.example/a%20b%22c"),
    ("https://e.example/a|b^c`d{e}f\\g[h]", "https://e.example/a%7Cb%5Ec%60d%7Be%7Df%5Cg%5Bh%5D"),
    ("https://e.example/a#b#c", "https://e.example/a#b%23c"),
    ("https://e.example/100%?p=5%&q=%zz#%", "https://e.example/100%25?p=5%25&q=%25zz#%25"),
    ("\x00 https://e.example/a\n\tb\x01c  ", "https://e.example/ab%01c"),
    ("https://e.example/a\u00a0b\u200bc", "https://e.example/a%C2%A0b%E2%80%8Bc"),  # spaces
    ("https://e.example/?next=javascript:alert(1)", "https://e.example/?next=javascript:alert(1)"),
]


@pytest.mark.parametrize(("raw", "expected"), ENCODED)
def test_what_a_url_may_not_hold_raw_is_percent_encoded(raw: str, expected: str) -> None:
    assert web_url(raw) == expected
    assert web_url(expected) == expected  # encoding twice changes nothing


REFUSED = [
    ("javascript:alert(1)", "expected an absolute http(s) URL"),
    (" JavaScript:alert(1)", "expected an absolute http(s) URL"),
    ("java\nscript:alert(1)", "expected an absolute http(s) URL"),
    ("data:text/html,<script>alert(1)</script>", "expected an absolute http(s) URL"),
    ("vbscript:msgbox(1)", "expected an absolute http(s) URL"),
    ("ftp://files.example/x", "expected an absolute http(s) URL"),
    ("/relative/path", "expected an absolute http(s) URL"),
    ("//e.example/x", "expected an absolute http(s) URL"),
    ("https:///no-host", "has no host name"),
    ("http:e.example", "has no host name"),
    ("http://[::1", "is not a valid URL"),
    ("https://e.example:port/", "is not a valid URL"),
    ("https://user:secret@e.example/", "user name or password"),
    ("https://a<b>.example/", "characters a host name cannot hold"),
    ("https://a b.example/", "characters a host name cannot hold"),
    ("http://[::1]x/", "characters a host name cannot hold"),
]


@pytest.mark.parametrize(("raw", "words"), REFUSED)
def test_only_http_urls_with_a_host_are_accepted(raw: str, words: str) -> None:
    with pytest.raises(ValueError, match=re.escape(words)):
        web_url(raw)


def test_resolve_writes_the_evidence_as_check_reads_it(site: SiteFolder) -> None:
    """One rule in `resolve` and in `check`: the URL is written encoded, and the file passes."""
    site.write("p.md", prediction_text(date="2026-01-10", target="2026-06-01"))
    raw = "https://evidence.example.org/a?x=1&y=<2>"
    args = ["resolve", "p", "--outcome", "yes", "--evidence", raw]
    assert main([*args, "--source", str(site.root), "--now", NOW]) == 0
    written = (site.root / "content" / "predictions" / "p.md").read_text(encoding="utf-8")
    assert "evidence: https://evidence.example.org/a?x=1&y=%3C2%3E\n" in written
    assert site.check() == 0
    bad = ["resolve", "p", "--outcome", "no", "--force", "--evidence", "javascript:alert(1)"]
    assert main([*bad, "--source", str(site.root), "--now", NOW]) == 1


# The sweep --------------------------------------------------------------------------------


def _unsafe_url(value: str) -> bool:
    # Browsers ignore controls and spaces before the scheme, and its case.
    return re.sub(r"[\x00-\x20]", "", value).lower().startswith(BAD_SCHEMES)


def assert_safe_html(soup: BeautifulSoup, where: str) -> None:
    """No element from the input: no handler attribute, no image, no script but the theme's,
    no javascript:/data: URL."""
    assert soup.find("img") is None, where
    assert soup.find("meta", attrs={"http-equiv": re.compile("refresh", re.I)}) is None, where
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), f"{where}: <{tag.name} {name}>"
            values = value if isinstance(value, list) else [value]
            if name.lower() in URL_ATTRIBUTES:
                assert not any(_unsafe_url(v) for v in values), f"{where}: {name}={value!r}"
    for script in soup.find_all("script"):
        assert script.get("src") or script.get("type") == "application/ld+json", where
        if not script.get("src"):
            json.loads(script.string)  # the whole object: the text did not end it early


def check_html(site: SiteFolder, path: Path) -> None:
    assert_safe_html(BeautifulSoup(path.read_text(encoding="utf-8"), "lxml"), str(path))


CONTENT = {
    "{http://purl.org/rss/1.0/modules/content/}encoded",
    "{http://www.w3.org/2005/Atom}content",
}


def check_xml(site: SiteFolder, path: Path) -> None:
    root = etree.fromstring(path.read_bytes())
    if root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset":
        locs = [loc.text for loc in root.iter("{*}loc")]
        assert locs and all(loc.startswith(SITE_URL) for loc in locs), path
        return
    assert root.tag in ("rss", "{http://www.w3.org/2005/Atom}feed"), path
    for element in root.iter():
        if element.tag in CONTENT:  # HTML: parsed as a reader would render it
            assert_safe_html(BeautifulSoup(element.text or "", "lxml"), f"{path} {element.tag}")
            continue
        # Anything else may be rendered as HTML too (RSS never says which is): decoded once,
        # it holds no "<", so no element, only text.
        assert "<" not in (element.text or ""), f"{path} {element.tag}: {element.text!r}"
        for name, value in element.attrib.items():
            assert "<" not in value and not _unsafe_url(value), f"{path} {element.tag} {name}"
    check_feed_reader(path)


def check_feed_reader(path: Path) -> None:
    """What a reader shows: the author's text, exactly, given to it as escaped HTML."""
    feed = feedparser.parse(path.read_bytes(), sanitize_html=False)
    assert not feed.bozo, feed.get("bozo_exception")
    assert TEXTS["site-title"] in html.unescape(feed.feed.title), path
    assert feed.feed.title_detail.type == "text/html", path
    for entry in feed.entries:
        title = html.unescape(entry.title)
        assert title.endswith((TEXTS["title"], TEXTS["open-title"])), (path, entry.title)
        assert TEXTS["statement"] in html.unescape(entry.summary), path
        assert html.unescape(entry.author) == TEXTS["author-name"], path


def check_ics(site: SiteFolder, path: Path) -> None:
    """iCalendar text is plain text: it holds the author's text exactly, and the page's URL."""
    events = icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    assert events, path
    for event in events:
        assert str(event["SUMMARY"]) in (TEXTS["title"], TEXTS["open-title"]), path
        assert str(event["URL"]).startswith(SITE_URL + "predictions/"), path
        assert "X-ALT-DESC" not in event, path  # an HTML description would need escaping


def check_json(site: SiteFolder, path: Path) -> None:
    """JSON strings are data: each one holding the payload is a whole field, unchanged, and
    every URL in them is http(s) (or a site path)."""
    for key, value in _strings(json.loads(path.read_bytes())):
        if "<img" in value:
            assert value in TEXTS.values(), f"{path} {key}: {value!r}"
        if key in ("url", "evidence", "endpoint") and ":" in value:
            assert value.startswith(("https://", "http://")), f"{path} {key}: {value!r}"


def check_csv(site: SiteFolder, path: Path) -> None:
    """A spreadsheet's cells are data too: each one holding the payload is a whole field,
    unchanged (no HTML escaping), a cell a spreadsheet would run as a formula is defused
    with a leading apostrophe, and every URL is http(s)."""
    rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    assert rows, path
    for row in rows:
        for column, cell in row.items():
            if "<img" in cell:
                assert cell.lstrip("'") in TEXTS.values(), f"{path} {column}: {cell!r}"
            assert not cell.startswith(("=", "+", "@")), f"{path} {column}: {cell!r}"
        assert row["url"].startswith(SITE_URL), row["url"]
    # The author's text itself, not an HTML-escaped copy of it.
    assert {TEXTS["statement"], TEXTS["author-name"]} <= {c for r in rows for c in r.values()}


def _strings(data: object, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(data, str):
        yield key, data
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from _strings(v, str(k))
    elif isinstance(data, list):
        for v in data:
            yield from _strings(v, key)


def check_theme_file(site: SiteFolder, path: Path) -> None:
    """Stylesheets, scripts and robots.txt: nothing from the input."""
    assert b"<img" not in path.read_bytes(), path


def check_theme_svg(site: SiteFolder, path: Path) -> None:
    """The site icon: the theme's file as it is, nothing of the input in it (an SVG can hold
    a script)."""
    assert path.read_bytes() == (site.root / "themes/default/static" / path.name).read_bytes()


def check_png(site: SiteFolder, path: Path) -> None:
    """Share cards: the text is drawn, never carried as data (no text chunks a reader or a
    platform would show), and the file is a whole PNG."""
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (1200, 630), path
        assert image.text == {}, path


CHECKS: dict[str, Callable[[SiteFolder, Path], None]] = {
    ".html": check_html,
    ".xml": check_xml,
    ".ics": check_ics,
    ".json": check_json,
    ".csv": check_csv,
    ".css": check_theme_file,
    ".js": check_theme_file,
    ".txt": check_theme_file,
    ".png": check_png,
    ".svg": check_theme_svg,
}


def test_every_output_file_holds_the_input_only_as_text(hostile: SiteFolder) -> None:
    files = sorted(p for p in hostile.output.rglob("*") if p.is_file())
    kinds = {p.suffix for p in files}
    assert kinds <= CHECKS.keys(), f"a new kind of output to sweep: {kinds - CHECKS.keys()}"
    assert {".html", ".xml", ".ics", ".json", ".csv"} <= kinds
    for path in files:
        CHECKS[path.suffix](hostile, path)


def test_the_pages_show_the_input_as_text(hostile: SiteFolder) -> None:
    """Escaped once: a reader sees exactly what the author wrote (no "&amp;lt;", no "<")."""
    page = hostile.html("predictions/resolved/")
    assert page.select_one("h1").get_text(strip=True) == TEXTS["title"]
    assert page.title.string.startswith(TEXTS["title"])
    resolution = page.select_one(".resolution").get_text(" ", strip=True)
    assert TEXTS["note"] in resolution
    references = page.select("#references li a, .references li a")
    assert [a["href"] for a in references] == [web_url(REFERENCE_URL), web_url(DATA_IN_PATH)]
    evidence = page.select_one("a.resolution-evidence")["href"]
    assert evidence == web_url(EVIDENCE)
    assert "%3C2%3E" in evidence and "#top%23%22x%22" in evidence


def test_the_pages_are_valid_html(hostile: SiteFolder) -> None:
    """The Nu Html Checker reads every URL as well: "<" in a query is an error to it."""
    java = shutil.which("java")
    assert java, "java is needed to run the Nu Html Checker"
    pages = sorted(hostile.output.rglob("*.html"))
    messages = vnu(java, pages)
    assert not messages, "\n".join(describe(m, hostile.output) for m in messages)
