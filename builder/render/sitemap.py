"""sitemap.xml and robots.txt."""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape

from builder.render.templates import PageSpec
from builder.site import urls
from builder.site.model import Site

Entry = tuple[str, str]  # (absolute URL, last modification date or "")


def entries(site: Site, pages: Iterable[PageSpec]) -> tuple[Entry, ...]:
    """What the sitemap lists, in its order: every page but the 404 one and the search page
    (a form, marked noindex), with the date a prediction's page last changed in substance
    (published, or resolved)."""
    lastmod = {p.url: (p.resolution.date if p.resolution else p.date) for p in site.predictions}
    found = []
    for page in sorted(pages, key=lambda p: p.url):
        if page.template in ("404.html", "search.html"):
            continue
        date = lastmod.get(page.url)
        found.append((urls.absolute(site.config.url, page.url), date.isoformat() if date else ""))
    return tuple(found)


def sitemap(listed: Iterable[Entry]) -> bytes:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for loc, date in listed:
        extra = f"<lastmod>{date}</lastmod>" if date else ""
        lines.append(f"  <url><loc>{escape(loc)}</loc>{extra}</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(site: Site) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {site.config.url}sitemap.xml\n".encode()
