"""sitemap.xml and robots.txt."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape  # not xml.sax.saxutils: it imports urllib.request and http.client

from builder.render.embeds import EMBED_TEMPLATE
from builder.render.redirects import ALIAS_TEMPLATE
from builder.render.templates import PageSpec
from builder.site import urls
from builder.site.model import Site

SITEMAP = "sitemap.xml"
Entry = tuple[str, str]  # (absolute URL, last modification date or "")
# Pages no search engine should list: the 404 page, the search page (a form, marked noindex),
# and pages that are a prediction again under another address (its card for iframes, its old
# addresses).
UNLISTED = frozenset({"404.html", "search.html", EMBED_TEMPLATE, ALIAS_TEMPLATE})


def entries(site: Site, pages: Iterable[PageSpec]) -> tuple[Entry, ...]:
    """What the sitemap lists, in its order: the site's `pages` but the UNLISTED ones, and
    each prediction's page (its other pages are unlisted) with the date it last changed in
    substance (published, or resolved)."""
    listed = [(page.url, "") for page in pages if page.template not in UNLISTED]
    for p in site.predictions:
        listed.append((p.url, (p.resolution.date if p.resolution else p.date).isoformat()))
    return tuple((urls.absolute(site.config.url, url), date) for url, date in sorted(listed))


def sitemap(listed: Iterable[Entry]) -> bytes:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for loc, date in listed:
        extra = f"<lastmod>{date}</lastmod>" if date else ""
        lines.append(f"  <url><loc>{escape(loc, quote=False)}</loc>{extra}</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(site: Site) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {site.config.url}sitemap.xml\n".encode()
