"""Integrity from git, against real temporary repositories."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from builder.content.model import Prediction, Resolution, Update
from builder.trackrecord.history import (
    CommittedUpdate,
    Edit,
    FileHistory,
    TrackedFields,
    UpdateEdit,
    UpdateText,
    read_history,
)
from builder.trackrecord.vouch import Vouched, as_scored, deadline, vouched

STATEMENT = "It will rain in Paris on 1 May 2026."


def prediction(
    statement: str = STATEMENT,
    target: str = "2026-05-01",
    confidence: str = "0.7",
    body: str = "Why we think so.\n",
    extra: str = "",
    updates: str = "",
) -> str:
    return (
        "---\n"
        "title: Rain\n"
        "date: 2026-01-01\n"
        "author: ada\n"
        f"{extra}"
        "prediction:\n"
        f'  statement: "{statement}"\n'
        f"  target_date: {target}\n"
        f"  confidence: {confidence}\n"
        f"{updates}"
        "---\n"
        f"{body}"
    )


def fields(
    statement: str = STATEMENT, target: date = date(2026, 5, 1), confidence: float | None = 0.7
) -> TrackedFields:
    return TrackedFields(statement, target, confidence)


class Repo:
    """A throwaway repository whose commits have fixed dates and no outside config."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": "Ada",
            "GIT_AUTHOR_EMAIL": "ada@example.org",
            "GIT_COMMITTER_NAME": "Ada",
            "GIT_COMMITTER_EMAIL": "ada@example.org",
        }
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, when: str = "2026-01-01T12:00:00+00:00") -> str:
        env = {**self.env, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        done = subprocess.run(
            ["git", "-C", str(self.root), *args],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def commit(self, when: str, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message, when=when)
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "site")


RAIN = "content/predictions/rain.md"


@pytest.fixture
def new_york_clock() -> Iterator[None]:
    """Run with a local time zone behind UTC, so local and UTC dates can differ."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


@pytest.mark.usefixtures("new_york_clock")
def test_statement_edited_in_a_later_commit(repo: Repo) -> None:
    path = repo.write(RAIN, prediction())
    # 23:30 in New York is already the next day in UTC: dates are UTC, whatever the
    # author's offset or the building machine's time zone.
    first = repo.commit("2026-01-05T23:30:00-05:00")
    repo.write(RAIN, prediction(statement="It will rain in Paris in May 2026."))
    second = repo.commit("2026-02-10T09:00:00+00:00")

    now = fields(statement="It will rain in Paris in May 2026.")
    history = read_history(repo.root, [path], {path: now})[path]

    assert history.first_commit == first[:10]
    assert history.first_date == date(2026, 1, 6)
    assert history.edits == (
        Edit(
            field="statement",
            date=date(2026, 2, 10),
            commit=second[:10],
            before=STATEMENT,
            after="It will rain in Paris in May 2026.",
        ),
    )
    assert history.edits_of("statement")[0].before == STATEMENT
    assert history.edits_of("confidence") == ()
    assert not history.unchanged
    assert not history.uncommitted


def test_target_date_and_confidence_edits_are_listed_in_order(repo: Repo) -> None:
    path = repo.write(RAIN, prediction())
    repo.commit("2026-01-05T10:00:00+00:00")
    repo.write(RAIN, prediction(confidence="0.9"))
    c2 = repo.commit("2026-01-20T10:00:00+00:00")
    repo.write(RAIN, prediction(confidence="0.9", target="2026-06-01"))
    c3 = repo.commit("2026-03-01T10:00:00+00:00")

    now = fields(target=date(2026, 6, 1), confidence=0.9)
    history = read_history(repo.root, [path], {path: now})[path]

    assert [(e.field, e.date, e.commit, e.before, e.after) for e in history.edits] == [
        ("confidence", date(2026, 1, 20), c2[:10], "0.7", "0.9"),
        ("target_date", date(2026, 3, 1), c3[:10], "2026-05-01", "2026-06-01"),
    ]


def test_body_and_formatting_changes_are_not_edits(repo: Repo) -> None:
    path = repo.write(RAIN, prediction())
    first = repo.commit("2026-01-05T10:00:00+00:00")
    # New body, and the same values written differently: unquoted statement with
    # doubled spaces folded, a quoted date, a quoted '0.70' for 0.7, key order changed.
    repo.write(
        RAIN,
        "---\ntitle: Rain\ndate: 2026-01-01\nauthor: ada\nprediction:\n"
        "  confidence: '0.70'\n"
        "  statement: It will  rain in Paris\n    on 1 May 2026.\n"
        "  target_date: '2026-05-01'\n"
        "---\nA much longer argument.\n",
    )
    repo.commit("2026-02-01T10:00:00+00:00")

    history = read_history(repo.root, [path], {path: fields()})[path]
    assert history.first_commit == first[:10]
    assert history.edits == ()
    assert history.unchanged


def test_file_never_committed_is_absent(repo: Repo) -> None:
    committed = repo.write(RAIN, prediction())
    repo.commit("2026-01-05T10:00:00+00:00")
    fresh = repo.write("content/predictions/snow.md", prediction())

    result = read_history(repo.root, [committed, fresh], {committed: fields(), fresh: fields()})
    assert set(result) == {committed}


def test_uncommitted_change_to_a_tracked_field_makes_no_claim(repo: Repo) -> None:
    path = repo.write(RAIN, prediction())
    repo.commit("2026-01-05T10:00:00+00:00")
    repo.write(RAIN, prediction(statement="Something else."))  # edited, not committed

    history = read_history(repo.root, [path], {path: fields(statement="Something else.")})[path]
    assert history.uncommitted
    assert history.edits == ()
    assert not history.unchanged  # no edit in history, yet "unchanged" would be false


def test_staged_but_uncommitted_change_counts_as_uncommitted(repo: Repo) -> None:
    path = repo.write(RAIN, prediction())
    repo.commit("2026-01-05T10:00:00+00:00")
    repo.write(RAIN, prediction(confidence="0.2"))
    repo.git("add", RAIN)  # in the index is not in history

    history = read_history(repo.root, [path], {path: fields(confidence=0.2)})[path]
    assert history.uncommitted


def test_uncommitted_body_change_still_counts_as_unchanged(repo: Repo) -> None:
    # Only tracked fields matter: a typo fixed in the body does not cost the claim.
    path = repo.write(RAIN, prediction())
    repo.commit("2026-01-05T10:00:00+00:00")
    repo.write(RAIN, prediction(body="Fixed a typo.\n"))

    history = read_history(repo.root, [path], {path: fields()})[path]
    assert not history.uncommitted
    assert history.unchanged


def test_current_content_is_read_from_disk_when_not_given(repo: Repo) -> None:
    path = repo.write(RAIN, prediction())
    repo.commit("2026-01-05T10:00:00+00:00")
    assert read_history(repo.root, [path], {})[path].unchanged
    repo.write(RAIN, prediction(statement="Something else."))
    assert read_history(repo.root, [path], {})[path].uncommitted


def test_not_a_repository_yields_nothing(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Catches finding a repository git itself does not see (a walk up to the nearest
    `.git`, say): the history would be read, though git says this is no repository."""
    repo.write(RAIN, prediction())
    repo.commit("2026-01-05T10:00:00+00:00")
    content = repo.root / "content"
    key = Path("predictions/rain.md")
    assert list(read_history(content, [key], {key: fields()})) == [key]  # committed, readable
    # Git stops looking above `content` now: to git it is a plain folder.
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(repo.root.resolve()))
    assert read_history(content, [key], {key: fields()}) == {}


def test_head_without_commits_yields_nothing(repo: Repo) -> None:
    """Catches reading other branches than HEAD's: the file is committed on `main`, but the
    branch checked out (an orphan one) has no commit yet, so nothing was published."""
    path = repo.write(RAIN, prediction())
    repo.commit("2026-01-05T10:00:00+00:00")
    assert list(read_history(repo.root, [path], {path: fields()})) == [path]  # committed
    repo.git("checkout", "-q", "--orphan", "fresh")
    assert path.is_file()
    assert read_history(repo.root, [path], {path: fields()}) == {}


def test_shallow_clone_yields_nothing(repo: Repo, tmp_path: Path) -> None:
    repo.write(RAIN, prediction())
    repo.commit("2026-01-05T10:00:00+00:00")
    repo.write(RAIN, prediction(statement="Edited."))
    repo.commit("2026-02-05T10:00:00+00:00")
    clone = tmp_path / "clone"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone))
    path = clone / RAIN
    # With one commit visible, the edit would be hidden and "unchanged" a lie.
    assert read_history(clone, [path], {path: fields(statement="Edited.")}) == {}


def test_git_missing_yields_nothing(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    path = repo.write(RAIN, prediction())
    repo.commit("2026-01-05T10:00:00+00:00")
    monkeypatch.setenv("PATH", str(repo.root / "no-such-bin"))
    assert read_history(repo.root, [path], {path: fields()}) == {}


def test_names_with_spaces_and_non_ascii(repo: Repo) -> None:
    odd = "content/pré dictions [2026]/pluie à Paris.md"
    path = repo.write(odd, prediction())
    first = repo.commit("2026-01-05T10:00:00+00:00")
    repo.write(odd, prediction(statement="Pluie à Paris."))
    repo.commit("2026-02-05T10:00:00+00:00")

    history = read_history(repo.root, [path], {path: fields(statement="Pluie à Paris.")})[path]
    assert history.first_commit == first[:10]
    assert [(e.before, e.after) for e in history.edits] == [(STATEMENT, "Pluie à Paris.")]


def test_relative_paths_from_a_subfolder_keep_the_callers_keys(repo: Repo) -> None:
    repo.write(RAIN, prediction())
    repo.commit("2026-01-05T10:00:00+00:00")
    content = repo.root / "content"
    key = Path("predictions/rain.md")  # relative to the repo_root given, not to git's top
    result = read_history(content, [key], {key: fields()})
    assert list(result) == [key]
    assert result[key].unchanged


def test_drafts_are_not_publication(repo: Repo) -> None:
    path = repo.write(RAIN, prediction(statement="Draft wording.", extra="draft: true\n"))
    repo.commit("2026-01-05T10:00:00+00:00")
    published = repo.write(RAIN, prediction())
    second = repo.commit("2026-01-09T10:00:00+00:00")

    history = read_history(repo.root, [published], {path: fields()})[path]
    assert history.first_commit == second[:10]
    assert history.first_date == date(2026, 1, 9)
    assert history.unchanged  # rewording a draft is not editing a published claim


def test_only_drafts_committed_is_absent(repo: Repo) -> None:
    repo.write(RAIN, prediction(extra="draft: true\n"))
    repo.commit("2026-01-05T10:00:00+00:00")
    path = repo.write(RAIN, prediction())  # published now, but not committed as such
    assert read_history(repo.root, [path], {path: fields()}) == {}
    # Read from disk, a draft is not a published prediction either.
    repo.write(RAIN, prediction(extra="draft: true\n"))
    assert read_history(repo.root, [path], {}) == {}


def test_broken_versions_are_skipped_not_fatal(repo: Repo) -> None:
    path = repo.write(RAIN, prediction())
    first = repo.commit("2026-01-05T10:00:00+00:00")
    repo.write(RAIN, "---\nprediction: [unclosed\n---\n")  # YAML error
    repo.commit("2026-01-06T10:00:00+00:00")
    repo.write(RAIN, "no front matter at all\n")
    repo.commit("2026-01-07T10:00:00+00:00")
    repo.write(RAIN, prediction(target="2026-02-30"))  # impossible date
    repo.commit("2026-01-08T10:00:00+00:00")
    (repo.root / RAIN).write_bytes(b"---\nprediction:\n  statement: \xff\n---\n")  # not UTF-8
    repo.commit("2026-01-09T10:00:00+00:00")
    repo.write(RAIN, prediction(statement="Reworded."))
    last = repo.commit("2026-01-10T10:00:00+00:00")

    history = read_history(repo.root, [path], {path: fields(statement="Reworded.")})[path]
    assert history.first_commit == first[:10]
    # Compared with the last good version (the first), dated when it was committed.
    assert [(e.field, e.commit, e.before, e.after) for e in history.edits] == [
        ("statement", last[:10], STATEMENT, "Reworded.")
    ]
    assert not history.uncommitted


def test_broken_head_version_counts_as_uncommitted(repo: Repo) -> None:
    path = repo.write(RAIN, prediction())
    repo.commit("2026-01-05T10:00:00+00:00")
    repo.write(RAIN, "---\nprediction: [unclosed\n---\n")
    repo.commit("2026-01-06T10:00:00+00:00")
    repo.write(RAIN, prediction())  # fixed on disk, not committed yet

    history = read_history(repo.root, [path], {path: fields()})[path]
    assert history.uncommitted and not history.unchanged


def test_deleted_in_head_is_absent(repo: Repo) -> None:
    path = repo.write(RAIN, prediction())
    repo.commit("2026-01-05T10:00:00+00:00")
    repo.git("rm", "-q", RAIN)
    repo.commit("2026-01-06T10:00:00+00:00")
    repo.write(RAIN, prediction(statement="A new claim under the old name."))
    assert read_history(repo.root, [path], {path: fields()}) == {}


def test_edit_merged_from_a_branch_is_dated_at_the_merge(repo: Repo) -> None:
    path = repo.write(RAIN, prediction())
    first = repo.commit("2026-01-05T10:00:00+00:00")
    repo.git("checkout", "-q", "-b", "side")
    repo.write(RAIN, prediction(statement="Side wording."))
    repo.commit("2026-01-06T10:00:00+00:00")
    repo.git("checkout", "-q", "main")
    repo.write("other.txt", "unrelated\n")
    repo.commit("2026-01-07T10:00:00+00:00")
    repo.git("merge", "-q", "--no-ff", "-m", "merge", "side", when="2026-01-20T10:00:00+00:00")
    merge = repo.git("rev-parse", "HEAD")

    history = read_history(repo.root, [path], {path: fields(statement="Side wording.")})[path]
    assert history.first_commit == first[:10]
    # Not the side branch's own commit (all of history, not the first-parent line),
    # and not missing (merges listed without their files).
    assert [(e.date, e.commit, e.after) for e in history.edits] == [
        (date(2026, 1, 20), merge[:10], "Side wording.")
    ]


def test_as_dict_is_plain(repo: Repo) -> None:
    path = repo.write(RAIN, prediction())
    first = repo.commit("2026-01-05T10:00:00+00:00")
    repo.write(RAIN, prediction(confidence="0.9"))
    second = repo.commit("2026-01-06T10:00:00+00:00")
    data = read_history(repo.root, [path], {path: fields(confidence=0.9)})[path].as_dict()
    assert data == {
        "first_commit": first[:10],
        "first_date": "2026-01-05",
        "unchanged": False,
        "uncommitted": False,
        "edits": [
            {
                "field": "confidence",
                "date": "2026-01-06",
                "commit": second[:10],
                "before": "0.7",
                "after": "0.9",
            }
        ],
        "updates": [],
        "update_edits": [],
    }


def test_unchanged_property() -> None:
    assert FileHistory("abcdef1234", date(2026, 1, 1)).unchanged
    assert not FileHistory("abcdef1234", date(2026, 1, 1), uncommitted=True).unchanged
    edit = Edit("statement", date(2026, 1, 2), "bcdef12345", "a", "b")
    assert not FileHistory("abcdef1234", date(2026, 1, 1), edits=(edit,)).unchanged


def count_git_processes(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Record every process started from now on (subprocess.run goes through Popen)."""
    started: list[list[str]] = []
    real = subprocess.Popen

    class Counting(real):  # type: ignore[misc, valid-type]
        def __init__(self, args: list[str], *rest: object, **kwargs: object) -> None:
            started.append(list(args))
            super().__init__(args, *rest, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(subprocess, "Popen", Counting)
    return started


@pytest.mark.parametrize("size", [1, 20])
def test_git_processes_do_not_grow_with_the_number_of_files(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    paths = [repo.write(f"content/predictions/p{i}.md", prediction()) for i in range(size)]
    repo.commit("2026-01-05T10:00:00+00:00")
    for i in range(size):
        repo.write(f"content/predictions/p{i}.md", prediction(statement=f"Edited {i}."))
    repo.commit("2026-01-06T10:00:00+00:00")
    current = {p: fields(statement=f"Edited {i}.") for i, p in enumerate(paths)}

    started = count_git_processes(monkeypatch)
    result = read_history(repo.root, paths, current)

    assert len(result) == size and all(len(h.edits) == 1 for h in result.values())
    # rev-parse, log and cat-file: three for 1 file and three for 20.
    assert len(started) == 3
    assert all(args[0] == "git" for args in started)


def test_missing_object_means_no_claims(repo: Repo) -> None:
    # An old version git cannot produce (a partial clone, a damaged store) leaves a
    # gap in which an edit could hide.
    path = repo.write(RAIN, prediction(statement="Original."))
    repo.commit("2026-01-05T10:00:00+00:00")
    blob = repo.git("rev-parse", f"HEAD:{RAIN}")
    repo.write(RAIN, prediction())
    repo.commit("2026-01-06T10:00:00+00:00")
    (repo.root / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    assert read_history(repo.root, [path], {path: fields()}) == {}


def test_yaml_alias_bomb_in_an_old_version_is_harmless(repo: Repo) -> None:
    levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 9):
        prev, name = chr(96 + i), chr(97 + i)
        levels.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    bomb = "---\n" + "\n".join(levels) + "\nprediction:\n  statement: *i\n---\n"
    path = repo.write(RAIN, bomb)  # 9^9 "lol"s if anything walked it
    repo.commit("2026-01-05T10:00:00+00:00")
    repo.write(RAIN, prediction())
    second = repo.commit("2026-01-06T10:00:00+00:00")
    history = read_history(repo.root, [path], {path: fields()})[path]
    assert history.first_commit == second[:10]  # the bomb was never a publication


# --- Updates (#16 item 5): when each first appeared, and whether it changed after ---------


def updates(*items: tuple[str, str, str | None]) -> str:
    """`prediction.updates` lines, flow style: (date, confidence, note or None)."""
    lines = "".join(
        f"    - {{date: {day}, confidence: {confidence}"
        + (f', note: "{note}"' if note else "")
        + "}\n"
        for day, confidence, note in items
    )
    return "  updates:\n" + lines


def stated(*items: tuple[str, float, str | None]) -> tuple[Update, ...]:
    return tuple(Update(date.fromisoformat(day), p, note) for day, p, note in items)


def with_updates(*items: tuple[str, float, str | None]) -> TrackedFields:
    return TrackedFields(STATEMENT, date(2026, 5, 1), 0.7, stated(*items))


def test_each_update_is_dated_by_the_commit_it_first_appeared_in(repo: Repo) -> None:
    """Catches: updates dated by the file's first or last commit, or by their stated date."""
    path = repo.write(RAIN, prediction())
    repo.commit("2026-01-05T10:00:00+00:00")
    repo.write(RAIN, prediction(updates=updates(("2026-03-02", "0.55", "Tender delayed."))))
    second = repo.commit("2026-03-02T18:00:00+00:00")
    repo.write(RAIN, prediction(updates=updates(("2026-03-02", "0.55", "Tender delayed."),
                                                ("2026-03-10", "0.4", None))))  # fmt: skip
    third = repo.commit("2026-03-20T09:00:00+00:00")

    now = with_updates(("2026-03-02", 0.55, "Tender delayed."), ("2026-03-10", 0.4, None))
    history = read_history(repo.root, [path], {path: now})[path]
    assert history.updates == (
        CommittedUpdate("2026-03-02", "0.55", second[:10], date(2026, 3, 2)),
        CommittedUpdate("2026-03-10", "0.4", third[:10], date(2026, 3, 20)),
    )
    assert history.update_edits == ()
    assert history.unchanged  # updates added are the record, not edits of it


def test_updates_in_a_file_never_changed_since_are_as_old_as_its_first_commit(
    repo: Repo,
) -> None:
    """Catches: the shortcut for a front matter that never changed leaving updates out, which
    would let a file first committed long after its update's date vouch for it."""
    path = repo.write(RAIN, prediction(updates=updates(("2026-03-02", "0.55", None))))
    first = repo.commit("2026-03-20T10:00:00+00:00")
    repo.write(RAIN, prediction(updates=updates(("2026-03-02", "0.55", None)), body="More.\n"))
    repo.commit("2026-03-21T10:00:00+00:00")

    history = read_history(repo.root, [path], {path: with_updates(("2026-03-02", 0.55, None))})
    assert history[path].updates == (
        CommittedUpdate("2026-03-02", "0.55", first[:10], date(2026, 3, 20)),
    )


def test_rewriting_a_past_updates_confidence_is_an_edit(repo: Repo) -> None:
    """Catches: a rewritten confidence taken as the one committed first (no edit, and its
    first commit's date kept, as if 70% had been on record since March 2)."""
    path = repo.write(RAIN, prediction(updates=updates(("2026-03-02", "0.55", "Delayed."))))
    repo.commit("2026-03-02T10:00:00+00:00")
    repo.write(RAIN, prediction(updates=updates(("2026-03-02", "0.7", "Delayed."))))
    rewrite = repo.commit("2026-04-01T10:00:00+00:00")

    history = read_history(
        repo.root, [path], {path: with_updates(("2026-03-02", 0.7, "Delayed."))}
    )[path]
    assert history.update_edits == (
        UpdateEdit(
            date(2026, 4, 1),
            rewrite[:10],
            UpdateText("2026-03-02", "0.55", "Delayed."),
            UpdateText("2026-03-02", "0.7", "Delayed."),
        ),
    )
    assert history.updates == (
        CommittedUpdate("2026-03-02", "0.7", rewrite[:10], date(2026, 4, 1)),
    )
    assert not history.unchanged
    assert history.as_dict()["update_edits"][0]["before"] == {
        "date": "2026-03-02",
        "confidence": "0.55",
        "note": "Delayed.",
    }


def test_a_note_reworded_is_an_edit_but_the_forecast_stood_all_along(repo: Repo) -> None:
    """Catches: a note edit missed, or taken as a new forecast (dated by the rewording)."""
    path = repo.write(RAIN, prediction(updates=updates(("2026-03-02", "0.55", "Delayed."))))
    first = repo.commit("2026-03-02T10:00:00+00:00")
    repo.write(RAIN, prediction(updates=updates(("2026-03-02", "0.55", "Cancelled."))))
    reworded = repo.commit("2026-04-01T10:00:00+00:00")

    now = with_updates(("2026-03-02", 0.55, "Cancelled."))
    history = read_history(repo.root, [path], {path: now})[path]
    assert history.update_edits == (
        UpdateEdit(
            date(2026, 4, 1),
            reworded[:10],
            UpdateText("2026-03-02", "0.55", "Delayed."),
            UpdateText("2026-03-02", "0.55", "Cancelled."),
        ),
    )
    assert history.updates[0].commit == first[:10]


def test_a_removed_update_is_flagged(repo: Repo) -> None:
    """Catches: an update quietly deleted (a bad call erased from the record)."""
    both = updates(("2026-03-02", "0.2", "Wrong turn."), ("2026-03-10", "0.6", None))
    path = repo.write(RAIN, prediction(updates=both))
    first = repo.commit("2026-03-10T10:00:00+00:00")
    repo.write(RAIN, prediction(updates=updates(("2026-03-10", "0.6", None))))
    removal = repo.commit("2026-04-01T10:00:00+00:00")

    history = read_history(repo.root, [path], {path: with_updates(("2026-03-10", 0.6, None))})
    found = history[path]
    assert found.update_edits == (
        UpdateEdit(date(2026, 4, 1), removal[:10], UpdateText("2026-03-02", "0.2", "Wrong turn."),
                   None),
    )  # fmt: skip
    assert found.updates == (CommittedUpdate("2026-03-10", "0.6", first[:10], date(2026, 3, 10)),)
    assert found.as_dict()["update_edits"][0]["after"] is None


def test_an_update_slipped_in_before_others_is_an_addition(repo: Repo) -> None:
    """Catches: updates matched by position, which would report the later one as edited and
    date it by this commit, and the slipped-in one by the later one's commit."""
    path = repo.write(RAIN, prediction(updates=updates(("2026-03-02", "0.5", None),
                                                       ("2026-03-20", "0.8", None))))  # fmt: skip
    first = repo.commit("2026-03-20T10:00:00+00:00")
    repo.write(RAIN, prediction(updates=updates(("2026-03-02", "0.5", None),
                                                ("2026-03-10", "0.6", None),
                                                ("2026-03-20", "0.8", None))))  # fmt: skip
    slipped = repo.commit("2026-04-02T10:00:00+00:00")

    now = with_updates(("2026-03-02", 0.5, None), ("2026-03-10", 0.6, None),
                       ("2026-03-20", 0.8, None))  # fmt: skip
    history = read_history(repo.root, [path], {path: now})[path]
    assert history.update_edits == ()
    assert [(u.date, u.commit) for u in history.updates] == [
        ("2026-03-02", first[:10]),
        ("2026-03-10", slipped[:10]),
        ("2026-03-20", first[:10]),
    ]


def test_updates_written_differently_are_not_edits(repo: Repo) -> None:
    """Catches: reformatting (block style, quoted values, 0.550, folded spaces) read as an
    edit, which would flag an honest record."""
    path = repo.write(RAIN, prediction(updates=updates(("2026-03-02", "0.55", "Tender delayed."))))
    first = repo.commit("2026-03-02T10:00:00+00:00")
    block = (
        "  updates:\n"
        "    - date: '2026-03-02'\n"
        "      note: Tender   delayed.\n"
        "      confidence: '0.550'\n"
    )
    repo.write(RAIN, prediction(updates=block))
    repo.commit("2026-04-01T10:00:00+00:00")

    now = with_updates(("2026-03-02", 0.55, "Tender delayed."))
    history = read_history(repo.root, [path], {path: now})[path]
    assert history.update_edits == ()
    assert history.updates[0].commit == first[:10]
    assert history.unchanged


def test_an_update_not_committed_yet_makes_no_claim(repo: Repo) -> None:
    """Catches: an update only on disk treated as committed (the page would vouch for it)."""
    path = repo.write(RAIN, prediction())
    repo.commit("2026-01-05T10:00:00+00:00")
    repo.write(RAIN, prediction(updates=updates(("2026-03-02", "0.55", None))))

    history = read_history(repo.root, [path], {path: with_updates(("2026-03-02", 0.55, None))})
    assert history[path].uncommitted
    assert read_history(repo.root, [path], {})[path].uncommitted  # read from disk, too


# --- What git vouches for (trackrecord/vouch.py) ----------------------------------------


def rain(*items: tuple[str, float, str | None], resolved: str | None = None) -> Prediction:
    """Published 2026-01-01 at 70%, target 2026-05-01, resolved yes on `resolved`."""
    return Prediction(
        source=RAIN, slug="rain", title="Rain", date=date(2026, 1, 1), author="ada",
        statement=STATEMENT, target_date=date(2026, 5, 1), body_html="", confidence=0.7,
        resolution=Resolution("yes", date.fromisoformat(resolved)) if resolved else None,
        updates=stated(*items),
    )  # fmt: skip


def committed(first: str, *items: tuple[str, str, str], uncommitted: bool = False) -> FileHistory:
    """History first committed on `first`, each update (date, confidence, committed on)."""
    return FileHistory(
        "aaaaaaaaaa",
        date.fromisoformat(first),
        uncommitted=uncommitted,
        updates=tuple(
            CommittedUpdate(day, p, "bbbbbbbbbb", date.fromisoformat(when))
            for day, p, when in items
        ),
    )


@pytest.mark.parametrize(
    ("committed_on", "grace", "counts_from"),
    [
        ("2026-03-04", 2, "2026-03-02"),  # two days late: within the default grace
        ("2026-03-05", 2, "2026-03-05"),  # three: backdated, counted from its commit
        ("2026-03-12", 10, "2026-03-02"),
        ("2026-03-12", 9, "2026-03-12"),
        ("2026-03-02", 0, "2026-03-02"),
        ("2026-03-03", 0, "2026-03-03"),
        ("2026-02-20", 0, "2026-03-02"),  # committed before its date: as stated
    ],
)
def test_an_update_counts_from_its_date_only_within_the_grace_period(
    committed_on: str, grace: int, counts_from: str
) -> None:
    """Catches: the grace period off by a day either way, ignored, or applied to the wrong
    side (an update committed early is no claim about the past)."""
    history = committed("2026-01-01", ("2026-03-02", "0.55", committed_on))
    vouch = vouched(rain(("2026-03-02", 0.55, None)), history, grace)
    assert vouch.forecasts == ((date(2026, 1, 1), 0.7), (date.fromisoformat(counts_from), 0.55))
    backdated = counts_from != "2026-03-02"
    assert [(b.update.date, b.committed) for b in vouch.backdated] == (
        [(date(2026, 3, 2), date.fromisoformat(committed_on))] if backdated else []
    )
    assert not vouch.late


@pytest.mark.parametrize(
    ("first", "resolved", "late"),
    [
        ("2026-05-01", None, False),  # on the target date: not after it
        ("2026-05-02", None, True),  # after the target date, unresolved
        ("2026-04-10", "2026-04-10", False),
        ("2026-04-11", "2026-04-10", True),  # after an early resolution, before the target
        ("2026-05-02", "2026-06-01", True),  # after the target, before a late resolution
    ],
)
def test_recorded_after_the_fact(first: str, resolved: str | None, late: bool) -> None:
    """Catches: only the target date checked (a prediction committed after it resolved
    early would pass), or the date itself counted as after."""
    assert vouched(rain(resolved=resolved), committed(first), 2).late is late


def test_deadline_names_the_date_that_settled_it() -> None:
    assert deadline(rain()) == ("target date", date(2026, 5, 1))
    assert deadline(rain(resolved="2026-04-10")) == ("resolution date", date(2026, 4, 10))
    assert deadline(rain(resolved="2026-06-01")) == ("target date", date(2026, 5, 1))


@pytest.mark.parametrize("history", [None, committed("2026-12-01", uncommitted=True)])
def test_without_history_nothing_is_claimed(history: FileHistory | None) -> None:
    """Catches: a claim (late, backdated) made without history that vouches for the file."""
    prediction = rain(("2026-03-02", 0.55, None))
    vouch = vouched(prediction, history, 2)
    assert vouch == Vouched(late=False, forecasts=prediction.forecasts)


def test_an_update_history_does_not_hold_counts_as_stated() -> None:
    """Catches: history's updates matched by position alone (another update's commit date
    applied to this one)."""
    history = committed("2026-01-01", ("2026-03-02", "0.9", "2026-04-20"))
    assert vouched(rain(("2026-03-02", 0.55, None)), history, 2).backdated == ()


def test_a_later_update_never_counts_from_before_a_backdated_one() -> None:
    """Catches: forecasts out of order when an earlier-listed update is backdated past the
    next one's date (the next one would stand first, then be replaced by the earlier)."""
    history = committed(
        "2026-01-01", ("2026-03-02", "0.55", "2026-03-20"), ("2026-03-10", "0.4", "2026-03-10")
    )
    prediction = rain(("2026-03-02", 0.55, None), ("2026-03-10", 0.4, None))
    assert vouched(prediction, history, 2).forecasts == (
        (date(2026, 1, 1), 0.7),
        (date(2026, 3, 20), 0.55),
        (date(2026, 3, 20), 0.4),
    )


def test_as_scored() -> None:
    """Catches: a late prediction still scored when left out (or dropped when included), a
    backdated update scored from its stated date, and needless copies of honest ones."""
    honest = rain(("2026-03-02", 0.55, None), resolved="2026-04-10")
    assert as_scored(honest, vouched(honest, committed("2026-01-01"), 2), False) is honest

    late = vouched(honest, committed("2026-04-11"), 2)
    left_out = as_scored(honest, late, False)
    assert (left_out.confidence, left_out.updates, left_out.forecasts) == (None, (), ())
    assert left_out.resolution == honest.resolution  # still counted as resolved
    assert as_scored(honest, late, True) is honest

    backdated = vouched(honest, committed("2026-01-01", ("2026-03-02", "0.55", "2026-03-12")), 2)
    assert as_scored(honest, backdated, False).forecasts == (
        (date(2026, 1, 1), 0.7),
        (date(2026, 3, 12), 0.55),
    )


def test_a_target_date_moved_later_does_not_hide_a_late_record() -> None:
    """Catches: only today's target date looked at, so that a prediction first committed
    after its target date could pass as on time by moving the date after the commit."""
    moved = Edit("target_date", date(2026, 3, 5), "cccccccccc", "2026-02-01", "2026-05-01")
    history = FileHistory("aaaaaaaaaa", date(2026, 3, 1), edits=(moved,))
    assert vouched(rain(), history, 2).late
    assert deadline(rain(), history) == ("target date", date(2026, 2, 1))
    garbled = Edit("target_date", date(2026, 3, 5), "cccccccccc", "soon", "2026-05-01")
    assert not vouched(
        rain(), FileHistory("aaaaaaaaaa", date(2026, 3, 1), edits=(garbled,)), 2
    ).late
