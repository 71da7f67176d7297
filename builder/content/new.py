"""`foretell new`: a ready-to-edit prediction file with every field."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from builder.config.siteconfig import load_config
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
  statement: "Write the claim here, as one sentence that will be clearly true or false."
  target_date: {target}
  confidence: 0.5
  # resolution:            # add when it resolves (or run `foretell resolve`)
  #   outcome: yes         # yes | no | void
  #   date: YYYY-MM-DD
  #   evidence: https://...
references:
  - title: "Title of a source"
    url: "https://example.org/source"
    publisher: "Publisher"
    date: {today}
---
Why you expect this, with citations like this one [1].

## What would change my mind

"""


class NewFileError(Exception):
    pass


def create(root: Path, title: str, *, author: str | None, now: dt.date | None) -> Path:
    config, problems = load_config(root)
    errors = [str(p) for p in problems if p.is_error]
    if config is None or errors:
        raise NewFileError("; ".join(errors))
    if author is None:
        if not config.authors:
            raise NewFileError("site.yaml has no authors; add one under authors:")
        author = config.authors[0].key
    elif config.author(author) is None:
        raise NewFileError(f"unknown author {author!r}")
    today = now or config.today()
    path = root / PREDICTIONS_DIR / f"{slugify(title)}.md"
    if path.exists():
        raise NewFileError(f"{path} already exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    target = today.replace(year=today.year + 1) if (today.month, today.day) != (2, 29) else today
    text = TEMPLATE.format(
        title=json.dumps(title, ensure_ascii=False), today=today, author=author, target=target
    )
    path.write_text(text, encoding="utf-8")
    return path
