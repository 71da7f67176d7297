"""The Jinja environment of a theme, and rendering one page from its template and context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import jinja2

from builder.config.themes import TEMPLATES, Theme
from builder.content.slugs import slugify
from builder.site import urls
from builder.site.model import Site


@dataclass(frozen=True)
class PageSpec:
    """A page to render: where it goes, which template, what it shows."""

    path: str  # output file, e.g. "predictions/x/index.html"
    url: str  # its URL path, e.g. "predictions/x/"
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


class Renderer:
    def __init__(
        self,
        site: Site,
        theme: Theme,
        assets: Mapping[str, str],
        bytecode_dir: Path | None = None,
    ) -> None:
        self.site = site
        self.assets = assets  # logical name -> fingerprinted path ("static/style.1a2b.css")
        self.env = environment(theme, bytecode_dir)
        # Globals depend only on the config, the assets and today (through status), which the
        # page cache keys cover; anything else a page shows must come through its context.
        self.env.globals.update(
            config=site.config,
            status=site.status,
            author_name=lambda key: site.author(key).name,
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


def environment(theme: Theme, bytecode_dir: Path | None = None) -> jinja2.Environment:
    """The Jinja environment of `theme`, without the globals that depend on a site: all
    `check` needs to compile every template as the build does (a filter a template names is
    checked as it is compiled: the filters are here)."""
    env = jinja2.Environment(
        # Each template from the first of the theme's folders that has it: the site's
        # themes/<name>/templates/, then the installed theme's (config/themes.py).
        loader=jinja2.FileSystemLoader(theme.subfolders(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        # Compiled templates are kept between builds (checked against their source).
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(bytecode_dir)) if bytecode_dir else None,
    )
    env.filters.update(longdate=longdate, percent=percent, slug=slugify)
    env.filters.update(points=signed_points, brier=brier)
    return env


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
    """ "13%" for 0.125: whole percents, rounded half up as a person would (Python's round()
    gives 12), the same in every page, feed, calendar and chart."""
    return "" if value is None else f"{_half_up(value * 100, '1')}%"


def signed_points(value: float | None) -> str:
    """ "+98.6", "\u2212150.3" (a real minus sign), "0": points always show their sign."""
    if value is None:
        return ""
    text = _half_up(value, "0.1")
    if text in ("0.0", "-0.0"):
        return "0"
    return text.replace("-", "\u2212") if text.startswith("-") else f"+{text}"


def brier(value: float | None) -> str:
    """Brier scores are read to three decimals (0.000 is perfect, 0.250 a coin flip)."""
    return "" if value is None else _half_up(value, "0.001")


def _half_up(value: float, step: str) -> str:
    # Rounded as a person computing by hand would: (0.1 - 1)^2 is 0.009999999999999995 in
    # floats, so a Brier score of 0.0375 can come out as 0.03749999999999999, which
    # f"{x:.3f}" shows as 0.037. Ten decimals first drop that noise; then half up: 0.038.
    exact = Decimal(f"{value:.10f}")
    return str(exact.quantize(Decimal(step), rounding=ROUND_HALF_UP))
