"""Reading prediction files' git history (builder/trackrecord/gitlog.py), against real
temporary repositories."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from test_history import RAIN, Repo, prediction

from builder.trackrecord.gitlog import (
    Change,
    Commit,
    LoggedCommit,
    RawChange,
    changes,
    git,
    log,
    read_front_matter,
    repository_paths,
    work_tree,
)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "site")


def blob(repo: Repo, commit: str, path: str) -> str:
    return repo.git("rev-parse", f"{commit}:{path}")


def test_git_gives_stdout_or_none(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    # Catches: a failing command raising (check=True) or its output taken anyway.
    head = repo.commit("2026-01-05T10:00:00+00:00")
    assert git(repo.root, "rev-parse", "HEAD") == f"{head}\n".encode()
    assert git(repo.root, "rev-parse", "--verify", "no-such-branch") is None
    monkeypatch.setenv("PATH", str(repo.root / "no-such-bin"))
    assert git(repo.root, "rev-parse", "HEAD") is None


def test_work_tree_is_the_top_folder_wherever_it_is_asked_from(repo: Repo, tmp_path: Path) -> None:
    # Catches: the folder asked from (here a subfolder, through a symlink) taken as the top.
    repo.write(RAIN, prediction())
    repo.commit("2026-01-05T10:00:00+00:00")
    link = tmp_path / "link"
    link.symlink_to(repo.root)
    assert work_tree(link / "content") == repo.root.resolve()


def test_no_work_tree_without_commits_or_in_a_shallow_clone(repo: Repo, tmp_path: Path) -> None:
    # Catches: HEAD not asked for (a repository without commits), or the shallow flag
    # ignored (the oldest commit seen may not be a file's first).
    assert work_tree(repo.root) is None
    repo.write(RAIN, prediction())
    repo.commit("2026-01-05T10:00:00+00:00")
    repo.write(RAIN, prediction(statement="Edited."))
    repo.commit("2026-02-05T10:00:00+00:00")
    shallow, full = tmp_path / "shallow", tmp_path / "full"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.root}", str(shallow))
    repo.git("clone", "-q", f"file://{repo.root}", str(full))
    assert work_tree(shallow) is None
    assert work_tree(full) == full.resolve()


def test_repository_paths_are_posix_and_keep_the_callers_names(repo: Repo, tmp_path: Path) -> None:
    # Catches: folders not resolved (a root reached through a symlink would lose every
    # file), files outside the work tree kept, or one file's names not grouped.
    repo.write(RAIN, prediction())
    repo.commit("2026-01-05T10:00:00+00:00")
    top = work_tree(repo.root)
    assert top is not None
    link = tmp_path / "link"
    link.symlink_to(repo.root)
    absolute = repo.root / "content" / "other.md"
    outside = tmp_path / "elsewhere" / "x.md"
    files = [RAIN, Path(RAIN), "content/../content/other.md", absolute, str(outside)]
    assert repository_paths(top, link, files) == {
        RAIN: [RAIN, Path(RAIN)],
        "content/other.md": ["content/../content/other.md", absolute],
    }


def test_changes_follow_the_first_parent_line_oldest_first(repo: Repo) -> None:
    # Catches: git's newest-first order kept, the side branch's own commit listed (all of
    # history, not the first-parent line), the merge missing (merges listed without their
    # files), and another file of the same folder reported.
    repo.write(RAIN, prediction())
    first = repo.commit("2026-01-05T10:00:00+00:00")
    repo.write(RAIN, prediction(statement="Second."))
    repo.write("content/predictions/other.md", prediction())
    second = repo.commit("2026-01-06T10:00:00+00:00")
    repo.git("checkout", "-q", "-b", "side")
    repo.write(RAIN, prediction(statement="Side wording."))
    repo.commit("2026-01-07T10:00:00+00:00")
    repo.git("checkout", "-q", "main")
    repo.write("other.txt", "unrelated\n")
    repo.commit("2026-01-08T10:00:00+00:00")
    repo.git("merge", "-q", "--no-ff", "-m", "merge", "side", when="2026-01-20T10:00:00+00:00")
    merge = repo.git("rev-parse", "HEAD")

    assert changes(repo.root, {RAIN: None}) == {
        RAIN: [
            Change(Commit(first, date(2026, 1, 5)), blob(repo, first, RAIN)),
            Change(Commit(second, date(2026, 1, 6)), blob(repo, second, RAIN)),
            Change(Commit(merge, date(2026, 1, 20)), blob(repo, merge, RAIN)),
        ]
    }


def test_a_file_deleted_or_made_a_symlink_leaves_no_blob(repo: Repo) -> None:
    # Catches: the blob taken whatever the mode (a symlink's target, or the zero id of a
    # deletion, read as a version of the file).
    path = repo.write(RAIN, prediction())
    repo.commit("2026-01-05T10:00:00+00:00")
    path.unlink()
    path.symlink_to("elsewhere.md")
    repo.commit("2026-01-06T10:00:00+00:00")
    path.unlink()
    repo.commit("2026-01-07T10:00:00+00:00")
    found = changes(repo.root, {RAIN: None})
    assert found is not None
    assert [c.blob is None for c in found[RAIN]] == [False, True, True]


def test_odd_names_are_read_whole(repo: Repo) -> None:
    # Catches: the log parsed by lines or with quoted names (a newline, a space or a
    # non-ASCII letter in a name would lose the file).
    odd = "content/pré dictions [2026]/pluie\nà Paris.md"
    repo.write(odd, prediction())
    first = repo.commit("2026-01-05T10:00:00+00:00")
    assert changes(repo.root, {odd: None}) == {
        odd: [Change(Commit(first, date(2026, 1, 5)), blob(repo, first, odd))]
    }


def test_the_log_gives_each_commits_day_and_files_a_date_python_cannot_hold_as_none(
    repo: Repo,
) -> None:
    # The one parser of `git log`: history's changes and renames' lineages both read it.
    # Catches: a date past year 9999 (git takes it) raising instead of reading as None, or
    # its commit dropped; a rename's two paths read as one (the new name then taken for
    # the next raw line); the blob of a deletion kept; changes() then giving a history
    # with that commit left out or dated wrongly, rather than none at all.
    other = "content/predictions/other.md"
    repo.write(RAIN, prediction())
    repo.write(other, prediction(statement="Other."))
    first = repo.commit("2026-01-05T10:00:00+00:00")
    moved = RAIN.replace("rain", "rain-2")
    repo.git("mv", RAIN, moved)
    (repo.root / other).unlink()
    far = repo.commit("@99999999999999 +0000")  # year 3170843
    repo.write(moved, prediction(statement="Edited."))
    last = repo.commit("2026-01-07T10:00:00+00:00")
    assert repo.git("log", "-1", "--format=%at", far) == "99999999999999"

    logged = log(repo.root, ["content/predictions"], renames=True)
    assert logged is not None
    assert list(logged) == [
        LoggedCommit(last, date(2026, 1, 7), (RawChange("M", blob(repo, last, moved), (moved,)),)),
        LoggedCommit(
            far,
            None,
            (
                RawChange("D", None, (other,)),
                RawChange("R", blob(repo, far, moved), (RAIN, moved)),
            ),
        ),
        LoggedCommit(
            first,
            date(2026, 1, 5),
            (
                RawChange("A", blob(repo, first, other), (other,)),
                RawChange("A", blob(repo, first, RAIN), (RAIN,)),
            ),
        ),
    ]
    # Without renames followed the rename is a deletion and an addition, as history reads it.
    plain = log(repo.root, ["content/predictions"])
    assert plain is not None
    assert [[c.status for c in entry.changes] for entry in plain] == [
        ["M"],
        ["D", "A", "D"],
        ["A", "A"],
    ]
    # History keeps its rule: a date it cannot hold means no history at all.
    assert changes(repo.root, {moved: None, RAIN: None}) is None


def test_read_front_matter_keeps_each_blobs_front_matter(repo: Repo) -> None:
    # Catches: the whole blob kept instead of its front matter, or a text without front
    # matter given as one.
    repo.write(RAIN, prediction(body="A long body.\n" * 100))
    repo.write("notes.txt", "no front matter here\n")
    head = repo.commit("2026-01-05T10:00:00+00:00")
    with_yaml, without = blob(repo, head, RAIN), blob(repo, head, "notes.txt")
    texts = read_front_matter(repo.root, [with_yaml, without])
    assert texts is not None
    assert texts[without] is None
    assert texts[with_yaml] is not None and texts[with_yaml].startswith("title: Rain\n")
    assert "A long body." not in texts[with_yaml]
    assert read_front_matter(repo.root, []) == {}


def test_a_blob_git_cannot_give_means_nothing_at_all(repo: Repo) -> None:
    # Catches: the blobs found returned without the missing one (a gap an edit could hide
    # in).
    repo.write(RAIN, prediction())
    head = repo.commit("2026-01-05T10:00:00+00:00")
    assert read_front_matter(repo.root, [blob(repo, head, RAIN), "0" * 39 + "1"]) is None


def test_many_blobs_are_read_while_their_names_are_written(repo: Repo) -> None:
    # Catches: every name written before anything is read; once both pipes are full, git
    # and the reader each wait for the other for ever.
    folder = repo.root / "many"
    folder.mkdir()
    names = []
    for i in range(3000):
        (folder / f"{i}.md").write_text(f"---\nn: {i}\n---\n{'body ' * 20}\n", encoding="utf-8")
        names.append(f"many/{i}.md")
    oids = repo.git("hash-object", "-w", "--", *names).split()
    result: list[dict[str, str | None] | None] = []
    reader = threading.Thread(target=lambda: result.append(read_front_matter(repo.root, oids)))
    reader.daemon = True
    reader.start()
    reader.join(timeout=60)
    assert result, "read_front_matter did not finish"
    texts = result[0]
    assert texts is not None and len(texts) == 3000
    assert texts[oids[7]] == "n: 7\n"


def test_short_hash_is_ten_hex_digits() -> None:
    # Catches: the full hash, or another length than the one every page shows.
    assert Commit("0123456789abcdef" * 2 + "01234567", date(2026, 1, 1)).short == "0123456789"
