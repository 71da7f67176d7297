"""Site URLs. Pages link to each other with relative URLs, so the output works on the real host,
under a sub-path, and from any local port; feeds and meta tags use absolute ones.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def relative(from_page: str, target: str) -> str:
    """Link from the page at `from_page` ("predictions/x/") to `target` ("tags/y/")."""
    depth = from_page.count("/")
    prefix = "../" * depth
    return prefix + target or "./"


def absolute(base_url: str, target: str) -> str:
    """`base_url` always ends with "/"; `target` is a site path without a leading "/"."""
    return base_url + target


def root_path(base_url: str) -> str:
    """The path the site lives under on its host ("/" or "/blog/"), for pages served at any
    depth, like 404.html."""
    return urlsplit(base_url).path or "/"
