"""The Jinja environment of a theme, and rendering one page from its template and context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from builder import urls
from builder.model import Site, status
from builder.slugs import slugify


@dataclass(frozen=True)
class PageSpec:
    """A page to render: where it goes, which template, what it shows."""

    path: str  # output file, e.g. "predictions/x/index.html"
    url: str  # its URL path, e.g. "predictions/x/"
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


class Renderer:
    def __init__(self, site: Site, theme_dir: Path, assets: Mapping[str, str]) -> None:
        self.site = site
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(theme_dir / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self.env.filters.update(longdate=longdate, percent=percent, slug=slugify)
        self.env.globals.update(
            site=site,
            config=site.config,
            status=lambda p: status(p, site.now),
            assets=assets,
        )

    def render(self, spec: PageSpec) -> bytes:
        base = self.site.config.url
        context = {
            **spec.context,
            "page_url": spec.url,
            "canonical": urls.absolute(base, spec.url),
            "url": _linker(spec, base),
            "abs_url": lambda target: urls.absolute(base, target),
        }
        html = self.env.get_template(spec.template).render(context)
        return html.encode("utf-8")


def _linker(spec: PageSpec, base_url: str) -> Callable[[str], str]:
    if spec.template == "404.html":
        # Served at whatever URL was missing, so relative links would break: go from the root.
        root = urls.root_path(base_url)
        return lambda target: root + target
    return lambda target: urls.relative(spec.url, target)


def longdate(value: dt.date | None) -> str:
    """ "December 3, 2026": a date a person reads, the same on every machine (no locale)."""
    if value is None:
        return ""
    return f"{value:%B} {value.day}, {value.year}"


def percent(value: float | None) -> str:
    return "" if value is None else f"{round(value * 100)}%"
