"""Integrity from git on the built site: the notice on each page, no claim without proof,
and the history cache that keeps incremental builds fast."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import SiteFolder, prediction_text

from builder.incremental import history as site_history

FIRST = "2026-01-10T12:00:00+00:00"
EDITED = "2026-02-20T12:00:00+00:00"


def _git(site: SiteFolder, *args: str, when: str = FIRST) -> str:
    env = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    done = subprocess.run(
        ["git", "-c", "user.name=Ada", "-c", "user.email=ada@example.org", *args],
        cwd=site.root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def _commit(site: SiteFolder, message: str, when: str = FIRST) -> str:
    _git(site, "add", "-A", "content", "site.yaml", when=when)
    _git(site, "commit", "-q", "-m", message, when=when)
    return _git(site, "rev-parse", "HEAD")[:10]


@pytest.fixture
def repo(site: SiteFolder) -> tuple[SiteFolder, str]:
    """`edited` had its statement and confidence changed after publication; `steady` not."""
    _git(site, "init", "-q", "-b", "main")
    site.write("edited.md", prediction_text("Edited", statement="Old claim.",
                                            prediction_extra="confidence: 0.6\n"))  # fmt: skip
    site.write("steady.md", prediction_text("Steady", statement="Steady claim."))
    first = _commit(site, "publish")
    site.write(
        "edited.md",
        prediction_text("Edited", statement="New claim.", prediction_extra="confidence: 0.8\n"),
    )
    _commit(site, "rewrite", when=EDITED)
    return site, first


def test_edit_notice_and_unchanged_notice(repo: tuple[SiteFolder, str]) -> None:
    """Catches: no notice at all, an edit not reported, the wrong first commit or date, the
    earlier text missing, an "unchanged" claim on an edited page."""
    site, first = repo
    assert site.build() == 0
    steady = site.html("predictions/steady/").select_one(".claim .integrity")
    text = " ".join(steady.get_text().split())
    assert (
        text
        == f"First published in commit {first} on January 10, 2026. Unchanged since publication."
    )
    edited = site.html("predictions/edited/").select_one(".integrity")
    assert edited.select_one(".integrity-commit").get_text() == first
    assert edited.select_one(".integrity-unchanged") is None
    changes = [" ".join(li.get_text().split()) for li in edited.select(".integrity-changes li")]
    assert len(changes) == 2
    assert changes[0].startswith("Statement edited after publication on February 20, 2026")
    assert "Before: Old claim. After: New claim." in changes[0]
    assert changes[1].startswith("Confidence edited after publication on February 20, 2026")
    assert "Before: 60% After: 80%" in changes[1]
    history = json.loads((site.output / "track-record.json").read_text())["predictions"]
    assert history["steady"]["history"]["unchanged"] is True
    assert history["edited"]["history"]["edits"][0]["before"] == "Old claim."


def test_no_claim_outside_git(site: SiteFolder) -> None:
    """Catches: an "unchanged" claim made without any history to back it."""
    site.write("plain.md", prediction_text("Plain"))
    assert site.build() == 0
    assert site.html("predictions/plain/").select_one(".integrity") is None
    assert "Unchanged" not in site.html("predictions/plain/").get_text()


def test_no_claim_for_uncommitted_or_untracked_files(repo: tuple[SiteFolder, str]) -> None:
    """Catches: vouching for text readers see that history does not hold."""
    site, _ = repo
    site.write("steady.md", prediction_text("Steady", statement="Quietly changed."))
    site.write("new.md", prediction_text("New"))
    assert site.build() == 0
    assert site.html("predictions/steady/").select_one(".integrity") is None
    assert site.html("predictions/new/").select_one(".integrity") is None


def test_a_commit_alone_updates_the_pages(repo: tuple[SiteFolder, str]) -> None:
    """Catches: the no-op check skipping the build because no file changed, leaving a page
    without its notice after the author commits it; and track-record.json kept from the
    previous build although its history changed."""
    site, _ = repo
    site.write("new.md", prediction_text("New"))
    assert site.build() == 0
    assert site.html("predictions/new/").select_one(".integrity") is None
    commit = _commit(site, "add new", when=EDITED)
    assert site.build() == 0
    notice = site.html("predictions/new/").select_one(".integrity")
    assert notice is not None and commit in notice.get_text()
    data = json.loads((site.output / "track-record.json").read_text())
    assert data["predictions"]["new"]["history"]["first_commit"] == commit


def test_history_is_cached_and_only_changed_files_are_read_again(
    repo: tuple[SiteFolder, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches: git read on every build (seconds on a large site), a stale cache after an
    edit, and a corrupt cache that breaks the build."""
    site, _ = repo
    asked: list[list[str]] = []
    real = site_history.read_history

    def spy(root: Path, files, current):
        asked.append(sorted(files))
        return real(root, files, current)

    monkeypatch.setattr(site_history, "read_history", spy)
    assert site.build() == 0
    assert asked == [["content/predictions/edited.md", "content/predictions/steady.md"]]
    asked.clear()
    site.write("steady.md", prediction_text("Steady", statement="Steady claim.", body="More.\n"))
    assert site.build() == 0
    assert asked == [["content/predictions/steady.md"]]  # same HEAD: only the edited file
    asked.clear()
    assert site.build("--clean") == 0
    assert len(asked[0]) == 2
    cache = site.root / ".foretell" / "cache" / site_history.HISTORY_FILE
    cache.write_bytes(b"\x80\x05 not a pickle")
    asked.clear()
    site.write("steady.md", prediction_text("Steady", statement="Steady claim.", body="Again.\n"))
    assert site.build() == 0
    assert len(asked[0]) == 2
    assert site.html("predictions/edited/").select_one(".integrity-changes") is not None
