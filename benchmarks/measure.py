"""Run one build as a subprocess and measure wall time, CPU time and memory.

Memory is measured two ways:
- `max_rss_mb`: the largest resident set of any single process of the build, from the
  `rusage` that `os.wait4` returns for that one child (Linux folds in its waited-for
  descendants' maxima), so it is per run, not a running maximum across runs;
- `tree_rss_mb`: the peak of the *sum* of RSS over the build's whole process tree, sampled
  every 50 ms from /proc. This is what matters for a build that uses a process pool; shared
  pages are counted once per process, so it is an upper bound;
- `tree_pss_mb`: the same peak of the sum of PSS (/proc/PID/smaps_rollup): each page shared
  by N processes counted 1/N in each, so that forked workers' copy-on-write pages, still the
  parent's, count once. The memory the build takes from the machine.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_EVERY = 0.05


class BuildFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds
    cpu: float  # user + system seconds of the build and its children
    max_rss_mb: float
    tree_rss_mb: float
    tree_pss_mb: float = 0.0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as handle:
                found += [int(child) for child in handle.read().split()]
        except OSError:
            continue
    return found


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def _pss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024  # kB
    except (OSError, IndexError, ValueError):
        pass
    return 0


def tree_bytes(root: int) -> tuple[int, int]:
    """Sums of RSS and of PSS over `root` and all its descendants, now."""
    rss, pss, stack = 0, 0, [root]
    while stack:
        pid = stack.pop()
        rss, pss = rss + _rss_bytes(pid), pss + _pss_bytes(pid)
        stack += _children(pid)
    return rss, pss


class TreeSampler(threading.Thread):
    """Polls the RSS and PSS of a process tree until stopped; keeps their peaks."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = self.peak_pss = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            rss, pss = tree_bytes(self.pid)
            self.peak, self.peak_pss = max(self.peak, rss), max(self.peak_pss, pss)
            self._stop_event.wait(SAMPLE_EVERY)

    def stop(self) -> tuple[int, int]:
        self._stop_event.set()
        self.join()
        return self.peak, self.peak_pss


def run_measured(
    cmd: Sequence[str], cwd: Path, log: Path, env: Mapping[str, str] | None = None
) -> Sample:
    """Run `cmd` in `cwd` (output to `log`); raise BuildFailed on a non-zero exit."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd),
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
        )
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        peak, peak_pss = sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise BuildFailed(f"{' '.join(cmd)} exited {proc.returncode} in {cwd}:\n{tail}")
    max_rss = usage.ru_maxrss * 1024  # kilobytes on Linux
    return Sample(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        max_rss_mb=max_rss / 2**20,
        tree_rss_mb=max(peak, max_rss) / 2**20,
        tree_pss_mb=peak_pss / 2**20,
    )


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """{relative path: (mtime_ns, size)} for every file under `folder`."""
    state: dict[str, tuple[int, int]] = {}
    for dirpath, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(dirpath, name)
            info = os.stat(path)
            state[os.path.relpath(path, folder)] = (info.st_mtime_ns, info.st_size)
    return state


def changed_files(
    before: Mapping[str, tuple[int, int]], after: Mapping[str, tuple[int, int]]
) -> list[str]:
    """Paths added, removed, or with a different mtime/size between two snapshots."""
    keys = before.keys() | after.keys()
    return sorted(key for key in keys if before.get(key) != after.get(key))


def count_files(folder: Path) -> tuple[int, int]:
    """(all files, .html files) under `folder`."""
    total = html = 0
    for _, _, files in os.walk(folder):
        total += len(files)
        html += sum(name.endswith(".html") for name in files)
    return total, html
