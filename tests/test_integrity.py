"""Integrity from git on the built site: the notice on each page, no claim without proof,
and the history cache that keeps incremental builds fast."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import NOW, SITE_YAML, SiteFolder, prediction_text
from test_html_valid import describe, vnu
from test_incremental import _clean_build, _without_shortcut

from builder.incremental import dispatch
from builder.incremental import history as site_history
from builder.options import BuildOptions

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
    assert text == (
        f"First published in commit {first} on January 10, 2026. Unchanged since publication. "
        "These dates come from the author\u2019s own git repository, which the author could "
        "rewrite: no independent timestamp vouches for them."
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


def _asked(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The files each build asks git the history of, as the build asks."""
    asked: list[list[str]] = []
    real = site_history.read_history

    def spy(root: Path, files, current):  # type: ignore[no-untyped-def]
        asked.append(sorted(files))
        return real(root, files, current)

    monkeypatch.setattr(site_history, "read_history", spy)
    return asked


def test_history_is_cached_and_only_changed_files_are_read_again(
    repo: tuple[SiteFolder, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches: git read on every build (seconds on a large site), a stale cache after an
    edit, and a corrupt cache that breaks the build."""
    site, _ = repo
    asked = _asked(monkeypatch)
    assert site.build() == 0
    assert asked == [["content/predictions/edited.md", "content/predictions/steady.md"]]
    asked.clear()
    # A new statement: the full build (a body or a title edit would take the shortcut).
    site.write("steady.md", prediction_text("Steady", statement="Steady claim, revised."))
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


def test_after_a_commit_only_the_files_it_touched_are_read_again(
    repo: tuple[SiteFolder, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A commit (or a deploy's checkout of the next commit, its cache restored) changes HEAD:
    the history of a file no commit since touched is as it was. Catches: every file's history
    read from git again at every commit (a second at 10,000 predictions), or a touched
    file's kept; and, after a rewritten history (an amend), any of them kept."""
    site, _ = repo
    asked = _asked(monkeypatch)
    assert site.build() == 0
    asked.clear()
    site.write("steady.md", prediction_text("Steady", statement="Steady claim, revised."))
    assert site.build() == 0  # built before it is committed: the same bytes after
    _commit(site, "revise", when=EDITED)
    asked.clear()
    _without_shortcut(site)  # the full path, whose history cache this tests (the shortcut
    assert site.build() == 0  # reads the same, but leaves that cache as it was)
    assert asked == [["content/predictions/steady.md"]]
    assert site.files() == _clean_build(site, tmp_path)
    asked.clear()
    _git(site, "commit", "-q", "--amend", "-m", "revised", when=EDITED)  # not a descendant
    assert site.build() == 0
    assert len(asked[0]) == 2
    assert site.files() == _clean_build(site, tmp_path)


def test_a_file_changed_and_changed_back_since_has_its_history_read_again(
    repo: tuple[SiteFolder, str], tmp_path: Path
) -> None:
    """Two commits since the cached HEAD: one rewrites `edited`'s claim, the next puts it
    back. The two commits hold the same file, but its history gained both. Catches: the
    files touched since found by comparing the two commits alone (a stale history kept)."""
    site, _ = repo
    assert site.build() == 0
    path = site.root / "content/predictions/edited.md"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("New claim.", "Another claim."), encoding="utf-8")
    _commit(site, "rewrite again", when="2026-04-01T12:00:00+00:00")
    path.write_text(original, encoding="utf-8")
    _commit(site, "put back", when="2026-04-02T12:00:00+00:00")
    assert site.build() == 0
    assert site.files() == _clean_build(site, tmp_path)


# --- What git can and cannot vouch for (#16 item 5) ----------------------------------------
#
# Hand-computed figures used below (points = 100 (1 + log2 q), q the probability given to
# what happened):
# - "On time": 80%, happened. Brier (1 - 0.8)^2 = 0.04; points 100 (1 + log2 0.8) = 67.81.
# - "Late": 90%, happened. Brier 0.01; points 100 (1 + log2 0.9) = 84.80.
# - "Updated": published 2026-01-10 at 50%, update to 90% dated 2026-03-01, resolved yes on
#   2026-04-20, so its life is 100 days (21 in January, 28, 31, 20).
#   As stated: 50% for 50 days, 90% for 50: Brier 0.5 x 0.25 + 0.5 x 0.01 = 0.13; points
#   0.5 x 0 + 0.5 x 84.80 = 42.40.
#   From its commit on 2026-03-11: 50% for 60 days, 90% for 40: Brier 0.6 x 0.25 +
#   0.4 x 0.01 = 0.154; points 0.4 x 84.80 = 33.92.

LATE = "2026-11-20T12:00:00+00:00"


def _scored(
    title: str, target: str, confidence: float, outcome: str, day: str, author: str = "ada"
) -> str:
    """A prediction published on 2026-01-10 with `confidence`, resolved on `day`."""
    resolved = f"confidence: {confidence}\nresolution: {{outcome: {outcome}, date: {day}}}\n"
    return prediction_text(title, author=author, target=target, prediction_extra=resolved)


LATE_TEXT = _scored("Late", "2026-07-01", 0.9, "yes", "2026-07-01")


def _json(site: SiteFolder) -> dict:
    return json.loads((site.output / "track-record.json").read_text(encoding="utf-8"))


def _text(node) -> str:
    return " ".join(node.get_text().split())


@pytest.fixture
def late_repo(site: SiteFolder) -> SiteFolder:
    """Ada's "ontime" committed before its target date; her "late" after its target date;
    Bo's "early" after its (early) resolution date, before its target date."""
    _git(site, "init", "-q", "-b", "main")
    site.write("ontime.md", _scored("On time", "2026-05-01", 0.8, "yes", "2026-06-01"))
    _commit(site, "on time")
    site.write("late.md", LATE_TEXT)
    site.write("early.md", _scored("Early", "2026-12-31", 0.6, "no", "2026-03-01", author="bo"))
    _commit(site, "after the fact", when=LATE)
    return site


def test_a_prediction_committed_after_the_fact_is_marked_and_left_out(
    late_repo: SiteFolder,
) -> None:
    """Catches: "Unchanged since publication" on a prediction written after its outcome was
    known; a late one scored (Ada's Brier would be 0.025, her points 152.61); one committed
    after an early resolution let through; the track record and its JSON not counting them."""
    site = late_repo
    assert site.build() == 0
    page = site.html("predictions/late/")
    notice = page.select_one(".integrity")
    assert notice.select_one(".integrity-unchanged") is None
    assert _text(notice.select_one(".integrity-after-the-fact")) == (
        "Recorded after the fact: this prediction was first committed after its target date, "
        "July 1, 2026, when the outcome could already be known. It is left out of every score."
    )
    assert page.select_one(".resolution-points") is None  # it earns nothing
    early = _text(site.html("predictions/early/").select_one(".integrity-after-the-fact"))
    assert "after its resolution date, March 1, 2026," in early
    ontime = site.html("predictions/ontime/").select_one(".integrity")
    assert ontime.select_one(".integrity-unchanged") is not None
    assert ontime.select_one(".integrity-after-the-fact") is None

    data = _json(site)
    ada, bo = data["authors"]["ada"], data["authors"]["bo"]
    assert (ada["predictions"], ada["resolved"], ada["scored"]) == (2, 2, 1)
    assert (ada["brier"], ada["points"], ada["late"]) == (0.04, 67.81, 1)
    assert (bo["scored"], bo["brier"], bo["late"]) == (0, None, 1)
    assert (data["site"]["late"], data["site"]["include_late"]) == (2, False)
    late = data["predictions"]["late"]
    assert (late["late"], late["points"]) == (True, None)
    assert data["predictions"]["ontime"]["late"] is False

    record = site.html("track-record/")
    assert _text(record.select_one(".record-late")) == (
        "2 predictions were recorded after the fact and are left out of every score "
        "(Ada Quill: 1, Bo Ek: 1)."
    )


def test_include_late_puts_them_back_and_says_so(late_repo: SiteFolder) -> None:
    """Catches: `include_late: true` ignored, late ones scored without a word, and a
    prediction's line of track-record.json kept from the build before the setting changed."""
    site = late_repo
    assert site.build() == 0
    site.config(SITE_YAML + "track_record: {include_late: true}\n")
    assert site.build() == 0
    ada = _json(site)["authors"]["ada"]
    # (0.04 + 0.01) / 2 = 0.025; 67.81 + 84.80 = 152.61
    assert (ada["scored"], ada["brier"], ada["points"], ada["late"]) == (2, 0.025, 152.61, 1)
    assert _json(site)["predictions"]["late"]["points"] == 84.8
    notice = _text(site.html("predictions/late/").select_one(".integrity-after-the-fact"))
    assert notice.endswith("This site counts it in its scores all the same.")
    assert _text(site.html("track-record/").select_one(".record-late")) == (
        "2 predictions were recorded after the fact; these figures include them all the same "
        "(Ada Quill: 1, Bo Ek: 1)."
    )


def test_the_shortcut_keeps_what_history_vouches_for(late_repo: SiteFolder, tmp_path: Path) -> None:
    """Catches: a body edit rebuilt by the shortcut (which keeps only part of the Site) losing
    the late notice or the late count."""
    site = late_repo
    assert site.build() == 0
    path = site.root / "content" / "predictions" / "late.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nAnother paragraph.\n")
    assert dispatch.build(BuildOptions(site.root, dt.date.fromisoformat(NOW))).way == "shortcut"
    assert site.files() == _clean_build(site, tmp_path)
    assert site.html("predictions/late/").select_one(".integrity-after-the-fact") is not None


UPDATED = _scored("Updated", "2026-05-01", 0.5, "yes", "2026-04-20")


def _with_update(confidence: float, note: str = "Tender signed.") -> str:
    return UPDATED.replace(
        "resolution:",
        f'updates:\n    - {{date: 2026-03-01, confidence: {confidence}, note: "{note}"}}\n  '
        "resolution:",
    )


@pytest.fixture
def updated_repo(site: SiteFolder) -> SiteFolder:
    """The prediction "Updated", published on 2026-01-10; its update of 2026-03-01 committed
    ten days later."""
    _git(site, "init", "-q", "-b", "main")
    site.write("updated.md", UPDATED)
    _commit(site, "publish")
    site.write("updated.md", _with_update(0.9))
    _commit(site, "update", when="2026-03-11T12:00:00+00:00")
    return site


@pytest.mark.parametrize(
    ("setting", "backdated", "brier", "points"),
    [
        ("", True, 0.154, 33.92),  # the default grace: 2 days
        ("track_record: {update_grace_days: 9}\n", True, 0.154, 33.92),
        ("track_record: {update_grace_days: 10}\n", False, 0.13, 42.4),
    ],
)
def test_an_update_committed_ten_days_late_is_backdated(
    updated_repo: SiteFolder, setting: str, backdated: bool, brier: float, points: float
) -> None:
    """Catches: a backdated update scored from its stated date (0.13 instead of 0.154), the
    page silent about it, the grace setting ignored or off by a day."""
    site = updated_repo
    site.config(SITE_YAML + setting)
    commit = _git(site, "rev-parse", "HEAD")[:10]
    assert site.build() == 0
    page = site.html("predictions/updated/")
    items = [_text(li) for li in page.select(".integrity-backdated li")]
    if backdated:
        assert items == [
            f"Update of March 1, 2026 backdated: first committed on March 11, 2026 (commit "
            f"{commit}), more than {9 if '9' in setting else 2} days after its date, so scores "
            "count its 90% only from March 11, 2026."
        ]
    else:
        assert items == []
    # Adding an update is not editing the claim.
    assert page.select_one(".integrity-unchanged") is not None
    data = _json(site)
    assert (data["authors"]["ada"]["brier"], data["authors"]["ada"]["points"]) == (brier, points)
    assert data["predictions"]["updated"]["points"] == points
    assert data["predictions"]["updated"]["history"]["updates"][0]["committed"] == "2026-03-11"


def test_rewriting_or_removing_a_past_update_is_flagged(updated_repo: SiteFolder) -> None:
    """Catches: an update's confidence rewritten (or the update deleted) after it was committed
    passing as "Unchanged since publication", the rewritten 95% scored from March 1."""
    site = updated_repo
    site.write("updated.md", _with_update(0.95))
    rewrite = _commit(site, "rewrite", when="2026-04-01T12:00:00+00:00")
    assert site.build() == 0
    page = site.html("predictions/updated/")
    assert page.select_one(".integrity-unchanged") is None
    assert [_text(li) for li in page.select(".integrity-changes li")] == [
        f"Update of March 1, 2026 edited after publication on April 1, 2026 (commit {rewrite}). "
        "Before: 90% from March 1, 2026: Tender signed. "
        "After: 95% from March 1, 2026: Tender signed."
    ]
    assert "only from April 1, 2026" in _text(page.select_one(".integrity-backdated"))

    site.write("updated.md", UPDATED)
    removal = _commit(site, "remove", when="2026-04-10T12:00:00+00:00")
    assert site.build() == 0
    page = site.html("predictions/updated/")
    changes = [_text(li) for li in page.select(".integrity-changes li")]
    assert changes[1] == (
        f"Update of March 1, 2026 removed after publication on April 10, 2026 (commit "
        f"{removal}). Before: 95% from March 1, 2026: Tender signed. After: (removed)"
    )
    assert page.select_one(".integrity-backdated") is None
    assert len(_json(site)["predictions"]["updated"]["history"]["update_edits"]) == 2


def test_a_file_never_committed_claims_nothing(site: SiteFolder) -> None:
    """Catches: a file git has never seen marked late, or its update backdated, or any
    notice at all: without history nothing is claimed either way, and it counts as stated."""
    _git(site, "init", "-q", "-b", "main")
    site.write("ontime.md", prediction_text("On time"))
    _commit(site, "publish")
    site.write("late.md", LATE_TEXT)
    site.write("updated.md", _with_update(0.9))
    assert site.build() == 0
    for slug in ("late", "updated"):
        assert site.html(f"predictions/{slug}/").select_one(".integrity") is None
    data = _json(site)
    assert (data["predictions"]["late"]["late"], data["predictions"]["late"]["history"]) == (
        False,
        None,
    )
    # Both scored as stated: (0.01 + 0.13) / 2 = 0.07; 84.80 + 42.40 = 127.20
    ada = data["authors"]["ada"]
    assert (ada["scored"], ada["brier"], ada["points"], ada["late"]) == (2, 0.07, 127.2, 0)
    assert site.html("track-record/").select_one(".record-late") is None


def test_nothing_is_claimed_outside_git(site: SiteFolder) -> None:
    """Catches: "after the fact" or "backdated" guessed from dates alone, outside git."""
    site.write("late.md", LATE_TEXT)
    site.write("updated.md", _with_update(0.9))
    assert site.build() == 0
    text = site.html("predictions/late/").get_text() + site.html("predictions/updated/").get_text()
    assert "after the fact" not in text and "backdated" not in text
    assert (_json(site)["site"]["late"], _json(site)["authors"]["ada"]["brier"]) == (0, 0.07)


def test_an_update_not_committed_yet_claims_nothing(site: SiteFolder) -> None:
    """Catches: the build's own reading of the updates left out of what is compared with
    HEAD, so that a page would vouch ("Unchanged since publication") for an update history
    does not hold."""
    _git(site, "init", "-q", "-b", "main")
    site.write("updated.md", UPDATED)
    _commit(site, "publish")
    site.write("updated.md", _with_update(0.9))
    assert site.build() == 0
    assert site.html("predictions/updated/").select_one(".integrity") is None
    assert _json(site)["authors"]["ada"]["brier"] == 0.13  # counted as stated


def test_every_notice_is_valid_html(late_repo: SiteFolder) -> None:
    """Catches: markup of the new notices (after the fact, backdated, an update edited or
    removed, the track record's count) that the Nu Html Checker refuses."""
    site = late_repo
    site.write("updated.md", UPDATED)
    _commit(site, "publish", when="2026-01-10T12:00:00+00:00")
    site.write("updated.md", _with_update(0.9))
    _commit(site, "update", when="2026-03-11T12:00:00+00:00")
    site.write("updated.md", _with_update(0.95))
    _commit(site, "rewrite", when="2026-04-01T12:00:00+00:00")
    assert site.build() == 0
    pages = [site.output / p / "index.html" for p in
             ("predictions/late", "predictions/updated", "track-record")]  # fmt: skip
    notices = [site.html(p).select_one(s) for p, s in (
        ("predictions/late/", ".integrity-after-the-fact"),
        ("predictions/updated/", ".integrity-backdated"),
        ("predictions/updated/", ".integrity-changes"),
        ("track-record/", ".record-late"),
    )]  # fmt: skip
    assert all(notices)  # each kind is on a checked page
    java = shutil.which("java")
    assert java, "java is needed to run the Nu Html Checker"
    errors = vnu(java, pages)
    assert not errors, "\n".join(describe(m, site.output) for m in errors)
