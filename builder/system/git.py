"""The commit HEAD points at: part of the up-to-date check, so it lives apart from the
history reader (history.py), which a no-op build never needs to import."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def git_head(root: Path) -> str | None:
    """The commit HEAD points at, or None outside git (or without git, or before the
    first commit). One cheap process: it runs on every build, no-op ones included."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--verify", "--quiet", "HEAD"],
            capture_output=True,
            check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except OSError:
        return None
    head = done.stdout.decode("ascii", "replace").strip()
    return head if done.returncode == 0 and head else None
