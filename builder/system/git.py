"""The commit HEAD points at (part of the up-to-date check), and which files commits since an
earlier one touched: they live apart from the history reader (history.py), which a no-op
build never needs to import."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def git_head(root: Path) -> str | None:
    """The commit HEAD points at, or None outside git (or without git, or before the
    first commit). One cheap process: it runs on every build, no-op ones included."""
    head = (_git(root, "rev-parse", "--verify", "--quiet", "HEAD") or "").strip()
    return head or None


def touched_since(root: Path, earlier: str, head: str) -> set[str] | None:
    """The files under `root` (relative to it) that a commit after `earlier` up to `head`
    changed, when `earlier` is an ancestor of `head`: the history of every other file is as
    it was at `earlier`. None when it is not (a rebase, an amend), or is unknown here (a
    shallow clone), or git fails: then nothing is known."""
    if _git(root, "merge-base", "--is-ancestor", earlier, head) is None:
        return None
    # Each commit's files, as the history reads them (trackrecord/gitlog.py: the first-parent
    # line, merges by what they changed on it), not the two commits' difference: a file
    # changed and changed back is the same at both ends, but its history has two more
    # commits. And that difference too, for any commit off that line. --no-renames: a file
    # renamed is a file gone and a file added, both touched.
    span = f"{earlier}..{head}"
    logged = _git(root, "log", "--first-parent", "-m", "--name-only", "--no-renames",
                  "--relative", "--format=", "-z", span)  # fmt: skip
    differ = _git(root, "diff", "--name-only", "--no-renames", "--relative", "-z", earlier, head)
    if logged is None or differ is None:
        return None
    return {name.strip("\n") for name in f"{logged}\0{differ}".split("\0") if name.strip("\n")}


def _git(root: Path, *args: str) -> str | None:
    """The output of `git args` run in `root`, or None when it fails."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except OSError:
        return None
    return done.stdout.decode("utf-8", "surrogateescape") if done.returncode == 0 else None
