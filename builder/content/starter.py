"""`foretell init`: a new site that checks, builds and serves as it is written.

site.yaml (every setting, commented), one example prediction, a .gitignore and, for GitHub
Pages, a workflow that publishes the site. No theme is copied: a site without themes/ uses the
one installed with foretell. Nothing is ever overwritten: when any of the files exists, none
is written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

SITE_YAML = """\
# The site's settings. `foretell check` reports any mistake here with its line.

# The site's name: every page's header, the feeds, the browser tab.
title: "My Predictions"
# The address the site is published at: canonical links, feeds and the sitemap are made from
# it. An absolute http(s) URL without a query or a fragment. (`foretell build --url URL`
# builds for another address, as the GitHub Pages workflow does.)
url: "https://predictions.example.org"
# One sentence about the site, for the home page and the feeds.
description: "Dated, checkable forecasts, with the reasoning behind them."
# The language the articles are written in (en, fr, pt-BR...).
language: en
# "Today" is reckoned in this time zone (an IANA name such as Europe/Paris): it decides which
# predictions are still open, resolve soon, or await their resolution.
timezone: UTC
# Articles per list page.
paginate: 20
# Entries per feed (at least 20).
feed_size: 20
# The look of the site: "default" is the theme installed with foretell. To change a file of
# it, `foretell theme copy static/style.css` (say) copies it into themes/default/, where your
# edits replace the installed file. Another theme is a folder under themes/, named here.
theme: default
# Who writes. A key (here `you`) is what a prediction's `author:` names: rename it here and in
# content/predictions/*.md, and add one entry per author.
authors:
  you:
    name: "Your Name"
    bio: "One line about you, shown with your articles and on your track record."
    # url: "https://example.org/about-you"   # optional: a page about you
# How far the track record trusts what git cannot vouch for.
track_record:
  # A prediction first committed after its target or resolution date was written by someone
  # who could know the outcome: it is counted, not scored, unless this is true.
  include_late: false
  # An update committed more than this many days after the date it states counts only from
  # the day it was committed.
  update_grace_days: 2
  # Score only the predictions a timestamp authority stamped before their target date
  # (`foretell stamp`, below): a record nobody, not even you, could have written afterwards.
  stamped_only: false
# Proof that a prediction was made before its outcome, from a third party: the RFC 3161
# timestamp authorities `foretell stamp` asks (see the README, "Timestamps"):
# timestamps:
#   authorities: ["https://freetsa.org/tsr"]
# A link-preview image (a 1200x630 PNG: the statement, target date, confidence and status)
# for each prediction, shown when its page is shared on social networks and in chat apps.
share_cards: true
# A search page and a search box in the masthead (Pagefind: an index made at each build and
# searched in the reader's browser; no server). See "Search" in the README.
search: true
# Comments under each prediction, through Giscus (GitHub Discussions) or Isso (a server of
# your own); none unless named here. See "Comments" in the README for each one's setup.
# comments:
#   giscus: {repo: you/predictions, repo_id: R_..., category: General, category_id: DIC_...}
# Readers can vote on each prediction ("Will happen / Won't happen / Maybe") once you run a
# vote endpoint (`foretell votes serve`, see the README) and name it here:
# votes:
#   endpoint: "https://votes.example.org"
# The readers against you: once `foretell votes snapshot` has saved the final votes in
# content/crowd.json, a resolved prediction with at least this many "will" and "won't" votes
# gets the crowd's probability, scored beside yours.
crowd:
  min_votes: 10
"""

EXAMPLE_NAME = "content/predictions/first-prediction.md"
EXAMPLE = """\
---
title: "This site will publish ten predictions within a year"
date: {today}
author: you
category: Meta
tags: [example]
prediction:
  statement: "By {target}, this site will have published at least ten predictions."
  target_date: {target}
  confidence: 0.7
references:
  - title: "Forecasting"
    url: "https://en.wikipedia.org/wiki/Forecasting"
    publisher: "Wikipedia"
---
This is an example: edit it, or delete it once you have written your own
(`foretell new "Title"` starts one, as a draft).

A prediction is a claim that will be clearly true or false on its target date, with your
confidence that it comes true, and the reasons you expect it, citing your sources by number,
like this [1]. When the date comes, `foretell resolve first-prediction --outcome yes` (or
`no`) records how it turned out, and your track record is scored from it.

## What would change my mind

Writing less than one prediction a month for the first three months.
"""

GITIGNORE = """\
# What `foretell build` makes: rebuilt from the sources at every build.
output/
.foretell/
# The readers' votes, where `foretell votes serve` keeps them by default (with SQLite's
# journal files): data of the endpoint's, not sources. Back it up apart (see the README).
votes.sqlite3
votes.sqlite3-*
"""

PAGES_WORKFLOW_NAME = ".github/workflows/pages.yml"
PAGES_WORKFLOW = """\
# Build the site and publish it on GitHub Pages at every push to the main branch.
# Once, in the repository's Settings > Pages, set Source to "GitHub Actions".
name: Publish on GitHub Pages

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:  # one deployment at a time; a newer push waits for the one under way
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0  # the whole history: track records are checked against it
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      # foretell is not on PyPI yet: replace OWNER/foretell with the repository you install
      # it from (once it is on PyPI: pip install foretell).
      - name: Install foretell
        run: pip install "foretell @ git+https://github.com/OWNER/foretell"
      - name: Read the Pages address
        id: pages
        uses: actions/configure-pages@v5
      # The build cache and the last output, kept between runs, so that a build re-reads and
      # re-renders only what changed since the last one.
      - name: Restore the build cache
        uses: actions/cache@v4
        with:
          path: |
            .foretell/cache
            output
          key: foretell-${{ hashFiles('site.yaml', 'content/**', 'themes/**', 'static/**') }}
          restore-keys: foretell-
      - name: Build
        run: foretell build --url "${{ steps.pages.outputs.base_url }}"
      - uses: actions/upload-pages-artifact@v3
        with:
          path: output

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - name: Publish
        id: deployment
        uses: actions/deploy-pages@v4
"""


class InitRefused(Exception):
    """Some of the files exist already: nothing was written."""

    def __init__(self, existing: list[Path]) -> None:
        super().__init__(", ".join(map(str, existing)))
        self.existing = existing


def site_files(today: dt.date, *, github_pages: bool) -> dict[str, str]:
    """Each file of a new site (path in the site folder -> text), written on `today`."""
    leap_day = (today.month, today.day) == (2, 29)
    target = today.replace(year=today.year + 1, day=28 if leap_day else today.day)
    files = {
        "site.yaml": SITE_YAML,
        EXAMPLE_NAME: EXAMPLE.format(today=today, target=target),
        ".gitignore": GITIGNORE,
    }
    if github_pages:
        files[PAGES_WORKFLOW_NAME] = PAGES_WORKFLOW
    return files


def create(folder: Path, today: dt.date, *, github_pages: bool) -> list[Path]:
    """Write a new site into `folder` (made if missing) and return the paths written; raise
    InitRefused, having written nothing, when any of them exists."""
    files = site_files(today, github_pages=github_pages)
    existing = [folder / name for name in files if _taken(folder / name)]
    if existing:
        raise InitRefused(existing)
    for name in files:  # every folder first: a file in the way stops init before any write
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = folder / name
        with path.open("x", encoding="utf-8") as handle:  # "x": never over a file made meanwhile
            handle.write(text)
        written.append(path)
    return written


def _taken(path: Path) -> bool:
    return path.exists() or path.is_symlink()  # a dangling link too: writing would follow it
