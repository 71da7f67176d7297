"""`foretell due`: what is overdue, oldest target date first, each with the command that
resolves it; then what falls due soon; `--strict` exits 1 while anything is overdue."""

from __future__ import annotations

import shlex

import pytest
from conftest import NOW, SiteFolder, parsed_files, prediction_text

from builder.cli import main

RESOLVED = "resolution: {outcome: yes, date: 2026-05-02}\n"
# slug: (publication date, target date, extra top-level lines, extra prediction lines).
# On NOW (2026-11-25): four overdue, three due within 30 days, the rest neither.
PREDICTIONS = {
    "zeta-old": ("2026-01-05", "2026-06-30", "", ""),  # 148 days overdue, listed first
    "mid-b": ("2026-02-01", "2026-09-30", "", ""),  # 56 days: same target date as mid-a,
    "mid-a": ("2026-01-01", "2026-09-30", "", ""),  # published earlier, listed before (slug)
    "alpha-recent": ("2026-03-01", "2026-11-24", "", ""),  # 1 day overdue
    "resolved-late": ("2026-01-01", "2026-05-01", "", RESOLVED),  # resolved: never listed
    "draft-old": ("2026-01-01", "2026-05-01", "draft: true\n", ""),  # a draft: never listed
    "edge": ("2026-01-01", "2026-12-25", "", ""),  # in exactly 30 days: listed last
    "soon": ("2026-01-01", "2026-12-01", "", ""),  # in 6 days
    "today": ("2026-01-01", "2026-11-25", "", ""),  # due today, not overdue
    "beyond": ("2026-01-01", "2026-12-26", "", ""),  # in 31 days: not listed
}
EXPECTED = """\
Overdue: 4 predictions, oldest target date first
  content/predictions/zeta-old.md: target date 2026-06-30, 148 days overdue
    foretell resolve zeta-old --outcome yes|no|void
  content/predictions/mid-a.md: target date 2026-09-30, 56 days overdue
    foretell resolve mid-a --outcome yes|no|void
  content/predictions/mid-b.md: target date 2026-09-30, 56 days overdue
    foretell resolve mid-b --outcome yes|no|void
  content/predictions/alpha-recent.md: target date 2026-11-24, 1 day overdue
    foretell resolve alpha-recent --outcome yes|no|void
Due within 30 days (to 2026-12-25): 3 predictions, nearest first
  content/predictions/today.md: target date 2026-11-25, due today
  content/predictions/soon.md: target date 2026-12-01, due in 6 days
  content/predictions/edge.md: target date 2026-12-25, due in 30 days
"""


@pytest.fixture
def desk(site: SiteFolder, monkeypatch: pytest.MonkeyPatch) -> SiteFolder:
    """The predictions above, and the site's folder as the current one (as an author runs
    `foretell due` in their site)."""
    for slug, (date, target, extra, inside) in PREDICTIONS.items():
        text = prediction_text(slug, date=date, target=target, extra=extra, prediction_extra=inside)
        site.write(f"{slug}.md", text)
    monkeypatch.chdir(site.root)
    return site


def due(*args: str) -> int:
    return main(["due", "--now", NOW, *args])


def test_lists_overdue_oldest_first_then_due_soon_nearest_first(desk: SiteFolder, capsys) -> None:
    # Catches: the site's order (newest published first) instead of the target date's; a
    # tie on the target date left to publication order; resolved predictions or drafts
    # listed; a prediction due today counted overdue; the window off by one at either end;
    # days overdue counted from the wrong end; no resolve command, or a wrong slug in it.
    assert due() == 0  # without --strict, a listing is not a failure
    out = capsys.readouterr()
    assert out.out == EXPECTED
    assert out.err == ""


def test_strict_exits_1_while_anything_is_overdue_and_0_once_all_are_resolved(
    desk: SiteFolder, capsys
) -> None:
    # Catches: --strict ignored, or failing on predictions merely due soon; and a printed
    # command that does not run as printed (the author copies it, choosing the outcome).
    assert due("--strict") == 1
    commands = [line.strip() for line in capsys.readouterr().out.splitlines()]
    commands = [line for line in commands if line.startswith("foretell resolve ")]
    assert len(commands) == 4
    for command in commands:
        words = shlex.split(command.replace("yes|no|void", "no"))
        assert main([*words[1:], "--now", NOW]) == 0
    capsys.readouterr()
    assert due("--strict") == 0
    out = capsys.readouterr().out
    assert out.startswith("Nothing overdue.\nDue within 30 days (to 2026-12-25): 3 predictions")
    assert desk.check() == 0  # the resolved files are still good


def test_strict_passes_on_a_site_with_nothing_overdue(site: SiteFolder, capsys) -> None:
    # Catches: --strict failing whenever anything is listed, or on a resolved or draft
    # prediction past its target date.
    for slug in ("resolved-late", "draft-old", "today", "beyond"):
        date, target, extra, inside = PREDICTIONS[slug]
        text = prediction_text(slug, date=date, target=target, extra=extra, prediction_extra=inside)
        site.write(f"{slug}.md", text)
    assert due("--strict", "--within", "0", "--source", str(site.root)) == 0
    root = site.root.as_posix()
    assert capsys.readouterr().out == (
        "Nothing overdue.\n"
        "Due within 0 days (to 2026-11-25): 1 prediction, nearest first\n"
        f"  {root}/content/predictions/today.md: target date 2026-11-25, due today\n"
    )


def test_another_folder_gives_paths_and_commands_that_work_from_here(
    desk: SiteFolder, tmp_path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    # Catches: a file path or a resolve command that only works from inside the site.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert due("--source", "../site", "--within", "1") == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1:3] == [
        "  ../site/content/predictions/zeta-old.md: target date 2026-06-30, 148 days overdue",
        "    foretell resolve zeta-old --outcome yes|no|void --source ../site",
    ]
    assert out.endswith(
        "Due within 1 day (to 2026-11-26): 1 prediction, nearest first\n"
        "  ../site/content/predictions/today.md: target date 2026-11-25, due today\n"
    )
    words = shlex.split(out.splitlines()[2].strip().replace("yes|no|void", "void"))
    assert main([*words[1:], "--now", NOW]) == 0
    assert "resolution:" in (desk.root / "content/predictions/zeta-old.md").read_text()


def test_a_site_with_errors_lists_nothing_and_says_why(desk: SiteFolder, capsys) -> None:
    # Catches: a partial listing (the broken file may be the overdue one), a traceback, or
    # an exit code a CI job would read as "overdue" or as success.
    desk.write("broken.md", prediction_text("Broken", target="not a date"))
    assert due("--strict") == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert "error: content/predictions/broken.md:" in out.err
    assert "target_date" in out.err


@pytest.mark.parametrize("days", ["-1", "soon"])
def test_within_must_be_a_number_of_days(desk: SiteFolder, days: str, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        due("--within", days)
    assert exited.value.code == 2
    assert "expected a number of days" in capsys.readouterr().err


def test_due_takes_the_files_the_last_build_parsed(
    site: SiteFolder, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: `due` parsing every file again (17 s at 10,000 predictions, to list a few),
    or one changed since the build taken as the build saw it."""
    for n in range(3):
        site.write(f"p{n}.md", prediction_text(f"Prediction {n}", target="2027-01-01"))
    assert site.build() == 0
    site.write("p1.md", prediction_text("Prediction 1", target="2026-11-01"))  # overdue now
    read = parsed_files(monkeypatch)
    capsys.readouterr()
    assert main(["due", "--source", str(site.root), "--now", NOW]) == 0
    assert read == ["content/predictions/p1.md"]
    assert "p1" in capsys.readouterr().out
