"""sitemap.xml and robots.txt."""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape

from builder import urls
from builder.model import Site
from builder.render import PageSpec


def sitemap(site: Site, pages: Iterable[PageSpec]) -> bytes:
    lastmod = {p.url: (p.resolution.date if p.resolution else p.date) for p in site.predictions}
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for page in sorted(pages, key=lambda p: p.url):
        if page.template == "404.html":
            continue
        loc = escape(urls.absolute(site.config.url, page.url))
        date = lastmod.get(page.url)
        extra = f"<lastmod>{date.isoformat()}</lastmod>" if date else ""
        lines.append(f"  <url><loc>{loc}</loc>{extra}</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(site: Site) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {site.config.url}sitemap.xml\n".encode()
