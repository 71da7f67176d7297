"""`foretell new`: a ready-to-edit prediction file with every field."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from builder.config.siteconfig import SiteConfig, load_config
from builder.content import placeholders
from builder.content.loader import PREDICTIONS_DIR
from builder.content.slugs import slugify

TEMPLATE = """\
---
title: {title}
date: {today}
author: {author}
category: General
tags: []
draft: true
prediction:
  statement: {statement}
  target_date: {target}
  confidence: 0.5
  # resolution:            # add when it resolves (or run `foretell resolve`)
  #   outcome: yes         # yes | no | void
  #   date: YYYY-MM-DD
  #   evidence: https://...
references:
  - title: {reference_title}
    url: {reference_url}
    publisher: {reference_publisher}
    date: {today}
---
{body}

## What would change my mind

"""


class NewFileError(Exception):
    pass


def create(root: Path, title: str, *, author: str | None, now: dt.date | None) -> Path:
    config, author = site_author(root, author)
    today = now or config.today()
    path = root / PREDICTIONS_DIR / f"{slugify(title)}.md"
    if path.exists():
        raise NewFileError(f"{path} already exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    target = today.replace(year=today.year + 1) if (today.month, today.day) != (2, 29) else today
    text = TEMPLATE.format(
        title=_quoted(title),
        today=today,
        author=author,
        target=target,
        statement=_quoted(placeholders.STATEMENT),
        reference_title=_quoted(placeholders.REFERENCE["title"][0]),
        reference_url=_quoted(placeholders.REFERENCE["url"][0]),
        reference_publisher=_quoted(placeholders.REFERENCE["publisher"][0]),
        body=placeholders.BODY,
    )
    path.write_text(text, encoding="utf-8")
    return path


def site_author(root: Path, author: str | None) -> tuple[SiteConfig, str]:
    """The site's configuration and the author key to write: `author`, checked against
    site.yaml, or its first author (`foretell import` chooses the same way)."""
    config, problems = load_config(root)
    errors = [str(p) for p in problems if p.is_error]
    if config is None or errors:
        raise NewFileError("; ".join(errors))
    if author is None:
        if not config.authors:
            raise NewFileError("site.yaml has no authors; add one under authors:")
        return config, config.authors[0].key
    if config.author(author) is None:
        known = ", ".join(a.key for a in config.authors) or "none: add them under authors:"
        raise NewFileError(f"unknown author {author!r} (authors in site.yaml: {known})")
    return config, author


def _quoted(text: str) -> str:
    """`text` as a YAML string, whatever it holds (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)
