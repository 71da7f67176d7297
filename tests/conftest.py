"""Shared fixtures: small real sites written into temporary folders."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pg import Cluster
from playwright.sync_api import Browser, sync_playwright

from builder.cli import main
from builder.content.crowd import CrowdTally
from builder.votes.database import Database, PostgresDatabase, SqliteDatabase
from builder.votes.store import VoteStore
from builder.write.ownership import OWNERSHIP_FILE

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-25"

SITE_YAML = """\
title: "Test Desk"
url: "https://test.example.org"
description: "Forecasts for tests."
language: en
timezone: UTC
paginate: 3
authors:
  ada: {name: "Ada Quill", bio: "Energy writer."}
  bo: {name: "Bo Ek", bio: "Space writer."}
"""


def prediction_text(
    title: str = "A prediction",
    *,
    date: str = "2026-01-10",
    author: str = "ada",
    extra: str = "",
    prediction_extra: str = "",
    body: str = "Body text.\n",
    target: str = "2027-01-01",
    statement: str = "Something will happen.",
) -> str:
    """A valid prediction file; `extra` adds top-level lines, `prediction_extra` nested ones."""
    front = (
        f"title: {title!r}\n"
        f"date: {date}\n"
        f"author: {author}\n"
        f"{extra}"
        "prediction:\n"
        f"  statement: {statement!r}\n"
        f"  target_date: {target}\n"
        f"{textwrap.indent(prediction_extra, '  ')}"
    )
    return f"---\n{front}---\n{body}"


def build_in_a_fresh_python(root: Path, *args: str, watch: Sequence[str]) -> tuple[str, str]:
    """`foretell build --source root *args` in a new interpreter, as a user runs it: its exit
    code and which of the `watch` modules it imported ("0 []": success, none of them), and
    what it printed on stderr."""
    probe = (
        "import sys; from builder.cli import main; "
        f"code = main(['build', '--source', {str(root)!r}, *{list(args)!r}]); "
        f"print(code, [m for m in {list(watch)!r} if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.split("\n")[0], done.stderr


class SiteFolder:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.output = root / "output"

    def write(self, name: str, text: str | bytes) -> Path:
        path = self.root / "content" / "predictions" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def config(self, text: str) -> None:
        (self.root / "site.yaml").write_text(text, encoding="utf-8")

    def build(self, *args: str) -> int:
        return main(["build", "--source", str(self.root), "--now", NOW, *args])

    def check(self, *args: str) -> int:
        return main(["check", "--source", str(self.root), "--now", NOW, *args])

    def html(self, path: str) -> BeautifulSoup:
        target = self.output / path
        if target.is_dir() or path.endswith("/") or path == "":
            target = target / "index.html"
        return BeautifulSoup(target.read_text(encoding="utf-8"), "lxml")

    def files(self) -> dict[str, bytes]:
        """The output's files, but for the record of what the build wrote (test_ownership)."""
        return {
            p.relative_to(self.output).as_posix(): p.read_bytes()
            for p in sorted(self.output.rglob("*"))
            if p.is_file() and p.name != OWNERSHIP_FILE
        }


@pytest.fixture
def site(tmp_path: Path) -> SiteFolder:
    folder = SiteFolder(tmp_path / "site")
    folder.root.mkdir()
    folder.config(SITE_YAML)
    shutil.copytree(REPO / "themes", folder.root / "themes")
    return folder


@pytest.fixture
def example_site(tmp_path: Path) -> SiteFolder:
    """A copy of the repository's own example site."""
    root = tmp_path / "example"
    root.mkdir()
    for name in ("site.yaml",):
        shutil.copy(REPO / name, root / name)
    for name in ("content", "themes"):
        shutil.copytree(REPO / name, root / name)
    return SiteFolder(root)


BuildFn = Callable[..., int]


# Debian's Chromium (Playwright cannot download its own here); the flags keep it off the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A PostgreSQL server of this test process's own (each xdist worker starts one)."""
    cluster = Cluster()
    try:
        yield cluster
    finally:
        cluster.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def vote_db(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    """An empty vote database of each engine: the tests that take it run once per engine."""
    if request.param == "sqlite":
        return SqliteDatabase(tmp_path / "votes.sqlite3")
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    return PostgresDatabase(cluster.emptied_database())


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium")
    assert chromium, "Debian's Chromium is needed (scripts/test installs it)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def run_foretell(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`foretell *args` in a new interpreter, in `cwd`: its exit code and what it printed."""
    return subprocess.run(
        [sys.executable, "-m", "builder", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )


def cast_vote(store: VoteStore, slug: str, voter: str, choice: str) -> CrowdTally:
    """A vote through `submit_vote`, as the endpoint sends it, waited for: the slug's tally once
    the vote is committed."""
    return store.submit_vote(slug, voter, choice).result()


def odd_prediction(word: str) -> str:
    """A hand-written prediction file whose formatting an in-place edit must keep: comments,
    blank lines, quoted keys, odd spacing, references after `prediction`, and a body that itself
    holds "prediction:" and "<word>:" lines."""
    return f"""\
---
# A hand-written file: nothing below may move.
title: 'Odd "formatting"'
date: 2026-02-01
author: ada

"prediction":
  # the claim
  'statement':   "Rain, then sun."   # spacing kept
  target_date: 2026-06-30

  confidence: 0.7  # a comment on the last line of the mapping


# between the blocks
references:
  - {{title: "Source", url: "https://a.example/1"}}
---
Body [1].

prediction:
  {word}: this is body text, not front matter
"""


def parsed_files(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The prediction files parsed from now on in this process (loader.read_entry), in order:
    what a command that takes the build's parse cache must not parse again."""
    from builder.content import loader

    read: list[str] = []
    parse = loader.read_entry

    def counted(root: Path, item: tuple[str, str | None], authors: frozenset[str]) -> object:
        read.append(item[0])
        return parse(root, item, authors)

    monkeypatch.setattr(loader, "read_entry", counted)
    return read
