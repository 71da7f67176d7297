"""`foretell check` warns when a published prediction's slug changed in git history and its
old address has no alias (builder/trackrecord/renames.py), on repositories made here."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SITE_YAML, prediction_text
from test_history import Repo

from builder.cli import main

EURO = "content/predictions/euro.md"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "site")
    repo.write("site.yaml", SITE_YAML)
    repo.write(EURO, prediction_text("Euro"))
    repo.write("content/predictions/other.md", prediction_text("Other"))
    repo.commit("2026-01-10T12:00:00+00:00", "publish")
    return repo


def check(repo: Repo, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", "--source", str(repo.root), "--now", "2026-11-25"])
    return code, capsys.readouterr().err


def test_a_renamed_file_without_alias_is_warned_about(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    # Catches: renames not followed (git log without -M), the warning missing or naming
    # the wrong file, address or commit; and a warning that fails the check.
    first = repo.git("rev-parse", "--short=10", "HEAD")
    repo.git("mv", EURO, "content/predictions/euro-125.md")
    repo.commit("2026-02-01T12:00:00+00:00", "rename")
    code, err = check(repo, capsys)
    assert code == 0
    assert (
        "warning: content/predictions/euro-125.md:1: aliases: was published at "
        f"/predictions/euro/ (last in commit {first}, 2026-01-10): add '/predictions/euro/'"
    ) in err
    assert err.count("warning:") == 1


def test_an_alias_for_the_old_address_silences_it(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    # Catches: a warning that ignores the aliases (it would never go away).
    repo.git("mv", EURO, "content/predictions/euro-125.md")
    repo.commit("2026-02-01T12:00:00+00:00", "rename")
    path = repo.root / "content/predictions/euro-125.md"
    path.write_text(prediction_text("Euro", extra="aliases: [/predictions/euro/]\n"), "utf-8")
    code, err = check(repo, capsys)
    assert code == 0 and "warning:" not in err


def test_a_changed_slug_field_is_warned_about_too(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    # Catches: only file names compared (a `slug:` edit changes the address as much).
    repo.write(EURO, prediction_text("Euro", extra="slug: euro-v2\n"))
    repo.commit("2026-02-01T12:00:00+00:00", "new slug")
    code, err = check(repo, capsys)
    assert code == 0
    assert "content/predictions/euro.md:5: aliases: was published at /predictions/euro/" in err
    # Uncommitted, the same: what counts is what was published, not what is committed now.
    repo.write(EURO, prediction_text("Euro", extra="slug: euro-v3\n"))
    _, err = check(repo, capsys)
    assert "/predictions/euro/ (last in commit" in err
    assert "/predictions/euro-v2/ (last in commit" in err


def test_a_slug_held_only_as_a_draft_is_not_an_old_address(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    # Catches: drafts counted as published (nobody could have linked to them).
    repo.write("content/predictions/idea.md", prediction_text("Idea", extra="draft: true\n"))
    repo.commit("2026-02-01T12:00:00+00:00", "draft")
    repo.git("mv", "content/predictions/idea.md", "content/predictions/idea-final.md")
    repo.write("content/predictions/idea-final.md", prediction_text("Idea"))
    repo.commit("2026-02-02T12:00:00+00:00", "publish")
    code, err = check(repo, capsys)
    assert code == 0 and "warning:" not in err


def test_an_old_address_now_another_predictions_is_not_warned(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    # Catches: advice to add an alias that check would then refuse (a page lives there).
    repo.git("mv", EURO, "content/predictions/euro-125.md")
    repo.commit("2026-02-01T12:00:00+00:00", "rename")
    repo.write(EURO, prediction_text("A new euro"))
    repo.commit("2026-02-02T12:00:00+00:00", "reuse")
    code, err = check(repo, capsys)
    assert code == 0 and "warning:" not in err


def test_outside_git_there_is_nothing_to_warn_about(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Catches: a check that fails (or crashes) where there is no history to read.
    root = tmp_path / "plain"
    (root / "content/predictions").mkdir(parents=True)
    (root / "site.yaml").write_text(SITE_YAML, "utf-8")
    (root / "content/predictions/x.md").write_text(prediction_text("X"), "utf-8")
    assert main(["check", "--source", str(root), "--now", "2026-11-25"]) == 0
    assert "warning:" not in capsys.readouterr().err


def test_a_date_python_cannot_hold_gives_no_traceback_and_loses_only_that_day(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    # A commit dated past year 9999: git takes it, Python's dates end there.
    # Catches: the date read without guard (check crashing with a ValueError traceback, as
    # renames.py's own copy of the log parser did), the whole history given up (the
    # ordinary rename no longer warned about), or that commit left out (the lineage broken
    # at its rename, its old slug lost) or shown with a made-up or "None" day.
    first = repo.git("rev-parse", "--short=10", "HEAD")
    repo.git("mv", EURO, "content/predictions/euro-far.md")
    far = repo.commit("@99999999999999 +0000", "rename, far in the future")
    repo.git("mv", "content/predictions/euro-far.md", "content/predictions/euro-125.md")
    repo.commit("2026-02-01T12:00:00+00:00", "rename again")
    code, err = check(repo, capsys)
    assert code == 0 and "Traceback" not in err
    assert (
        "warning: content/predictions/euro-125.md:1: aliases: was published at "
        f"/predictions/euro/ (last in commit {first}, 2026-01-10): add '/predictions/euro/'"
    ) in err
    assert (
        "warning: content/predictions/euro-125.md:1: aliases: was published at "
        f"/predictions/euro-far/ (last in commit {far[:10]}): add '/predictions/euro-far/'"
    ) in err
    assert err.count("warning:") == 2
