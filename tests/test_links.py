"""Crawl the built example site from the home page: every link resolves, every page is reached."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup
from conftest import SiteFolder

BASE = "http://local.test/"


def _file_for(output: Path, url: str) -> Path | None:
    path = unquote(urlsplit(url).path).lstrip("/")
    target = output / path
    if path == "" or path.endswith("/"):
        target = target / "index.html"
    return target if target.is_file() else None


def _redirect_target(output: Path, url: str) -> str | None:
    """Where an alias page sends the reader (its canonical link), or None for a page."""
    file = _file_for(output, url)
    soup = BeautifulSoup(file.read_text(encoding="utf-8"), "lxml") if file else None
    if soup is None or soup.find("meta", attrs={"http-equiv": "refresh"}) is None:
        return None
    return urljoin(
        url,
        soup.find("link", rel="canonical")["href"].replace(
            "https://predictions.example.org/", BASE
        ),
    )


def crawl(output: Path) -> tuple[set[str], list[str]]:
    """Follow every internal href/src from the home page; return pages seen and broken links."""
    seen: set[str] = set()
    broken: list[str] = []
    queue = [BASE]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        file = _file_for(output, url)
        if file is None or file.suffix != ".html":
            continue
        soup = BeautifulSoup(file.read_text(encoding="utf-8"), "lxml")
        ids = {tag["id"] for tag in soup.find_all(id=True)}
        for tag in soup.find_all(["a", "link", "script", "img", "form"]):
            ref = tag.get("href") or tag.get("src") or tag.get("action")
            external = ref and ref.startswith(("mailto:", "https://", "http://"))
            if not ref or external:
                continue
            if ref.startswith("#"):
                if ref[1:] not in ids:
                    broken.append(f"{url} -> {ref}")
                continue
            target = urljoin(url, ref).split("#")[0]
            if _file_for(output, target) is None:
                broken.append(f"{url} -> {ref}")
            elif target not in seen:
                queue.append(target)
    return seen, broken


def test_example_site_has_no_broken_links_and_every_page_is_reachable(
    example_site: SiteFolder,
) -> None:
    assert example_site.build() == 0
    output = example_site.output
    seen, broken = crawl(output)
    assert broken == []
    pages = {
        BASE + p.relative_to(output).parent.as_posix().removeprefix(".") + "/"
        for p in output.rglob("index.html")
    }
    pages = {p.replace(BASE + "/", BASE) for p in pages}
    # An old address (aliases:) is reached from outside, never linked: it must redirect to a
    # page that is reached.
    redirects = {p for p in pages if _redirect_target(output, p)}
    assert {_redirect_target(output, p) for p in redirects} <= seen
    assert pages - redirects - seen == set()
    predictions = {p for p in pages - redirects if "/predictions/" in p}
    embeds = {p for p in predictions if p.endswith("/embed/")}
    # The example site's published predictions (one is a draft), each with its card.
    assert len(predictions - embeds) == len(embeds) == 9


def test_crawler_catches_a_broken_link(example_site: SiteFolder) -> None:
    assert example_site.build() == 0
    page = example_site.output / "predictions" / "python-jit-default" / "index.html"
    page.write_text(page.read_text().replace("../../authors/", "../authors/"))
    assert crawl(example_site.output)[1]
