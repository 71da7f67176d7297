"""Forked workers die with the process that forked them, and leave Ctrl-C to it.

A build killed with SIGKILL runs no clean-up: its workers, left alone, would wait on their
queue for good (issue 13, item 16). Processes are watched through /proc (Linux); each test
starts its processes in a session of their own and kills what is left of it at the end.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate

PREDICTIONS = 350
GRACE = 5.0  # seconds the workers of a killed process get to be gone
# The build's first two pools: content/loader.py's, then builder/system/workers.py's (rendering; or,
# had the test missed it, the next, feeds, calendar or writing: all are made alike).
POOLS = ("loading", "rendering")
# The real command line, with the worker count pinned: a pool is then two processes on any
# machine, and one core does not mean no workers at all.
FORETELL = (
    "import os, sys; os.cpu_count = lambda: 2; from builder.cli import main; sys.exit(main())"
)


@dataclass(frozen=True)
class Proc:
    pid: int
    state: str  # R, S, D... Z: exited, not reaped yet
    ppid: int
    session: int
    started: int  # clock ticks after boot: with the pid, names one process even if pids recycle
    name: str


def proc(pid: int) -> Proc | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = text[text.index("(") + 1 : text.rindex(")")]  # may hold spaces and parentheses
    fields = text[text.rindex(")") + 2 :].split()
    return Proc(pid, fields[0], int(fields[1]), int(fields[3]), int(fields[19]), name)


def processes() -> Iterator[Proc]:
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (found := proc(int(entry))) is not None:
            yield found


def alive(p: Proc) -> bool:
    """Still running: neither gone, nor a zombie waiting to be reaped, nor a newer process
    that got its pid."""
    now = proc(p.pid)
    return now is not None and now.started == p.started and now.state not in "ZXx"


def forks_of(pid: int) -> list[Proc]:
    """The children of process `pid` that are forks of it (same name): workers, not git."""
    parent = proc(pid)  # read each time: `nice` becomes python by exec
    if parent is None:
        return []
    return [p for p in processes() if p.ppid == pid and p.name == parent.name]


def survivors(session: int, deadline: float) -> list[Proc]:
    """The processes of `session` still alive at `deadline` (or none, as soon as none is)."""
    while True:
        left = [p for p in processes() if p.session == session and alive(p)]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def start(args: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
    """`args` in a session of its own, whose id is its pid; nothing read from its pipes (a
    surviving worker would hold them open). Ctrl-C is answered there as in a terminal, even
    when the tests run in the background of a shell, which starts them ignoring it (Python
    then installs no KeyboardInterrupt, and the Ctrl-C tests saw builds run on to exit 0)."""
    options: dict = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, **kwargs}
    answer_ctrl_c = partial(signal.signal, signal.SIGINT, signal.SIG_DFL)
    return subprocess.Popen(
        args, cwd=REPO, start_new_session=True, preexec_fn=answer_ctrl_c, **options
    )


def end_session(process: subprocess.Popen[bytes]) -> None:
    """Kill whatever is left of the session `process` leads (we started it), so that a failing
    test leaks nothing, and reap it."""
    for p in processes():
        if p.session == process.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(p.pid, signal.SIGKILL)
    process.wait()


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("parallel") / "site"
    generate(root, PREDICTIONS, seed=5)
    return root


def foretell(*args: str) -> list[str]:
    # Niced, so that on two busy cores the test still looks often enough not to miss a pool.
    return ["nice", "-n", "10", sys.executable, "-c", FORETELL, *args, "--now", "2026-06-01"]


def start_build(site: Path, out: Path, **kwargs: object) -> subprocess.Popen[bytes]:
    return start(
        foretell("build", "--source", str(site), "--output", str(out), "--clean"), **kwargs
    )


def wait_for_pool(
    process: subprocess.Popen[bytes], nth: int, over: Callable[[], bool] = lambda: False
) -> list[Proc] | None:
    """The workers of the `nth` pool the process makes from now on, once they run; None if
    it ended first, or `over()` came true. Each pool forks new workers: pools are told apart
    by their pids."""
    counted: set[int] = set()  # the workers of the pools counted so far
    pools = 0
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        workers = forks_of(process.pid)  # forked one by one: two once all have started
        if len(workers) >= 2 and counted.isdisjoint(p.pid for p in workers):
            pools += 1
            if pools == nth:
                return workers
            counted.update(p.pid for p in workers)
        if over():
            return None
        time.sleep(0.005)
    return None


def running_pool(
    site: Path, out: Path, pool: str, **kwargs: object
) -> tuple[subprocess.Popen[bytes], list[Proc]]:
    """A build started (again if it ended before `pool` was seen) and its workers of `pool`."""
    for attempt in range(3):
        build = start_build(site, out / str(attempt), **kwargs)
        workers = wait_for_pool(build, POOLS.index(pool) + 1)
        if workers is not None:
            return build, workers
        end_session(build)
    pytest.fail(f"three builds ended before their {pool} workers were seen")


@pytest.mark.parametrize("pool", POOLS)
def test_a_build_killed_with_sigkill_leaves_no_process(
    big_site: Path, tmp_path: Path, pool: str
) -> None:
    """Catches: workers that outlive a killed build (before the fix, both pools' workers
    stayed, asleep on their queue, adopted by init, for good)."""
    build, workers = running_pool(big_site, tmp_path, pool)
    try:
        assert all(alive(w) for w in workers)
        build.kill()
        build.wait()
        left = survivors(build.pid, time.monotonic() + GRACE)
        assert left == [], f"alive {GRACE} s after the build was killed: {left}"
    finally:
        end_session(build)


@pytest.mark.parametrize("pool", POOLS)
def test_ctrl_c_ends_a_build_at_once_and_quietly(big_site: Path, tmp_path: Path, pool: str) -> None:
    """Ctrl-C interrupts the whole foreground group: the build and its workers.

    Catches: workers that answer it too. Before the fix most runs printed a worker's
    traceback, or exited with 1 or even 0, and now and then the build hung at exit (a worker
    interrupted while sending a result held the queue's lock); a worker born just before the
    Ctrl-C, before it could ignore it, printed "Exception ignored" (rarely: one run in ten)."""
    errors = tmp_path / "stderr"
    with errors.open("wb") as sink:
        build, _ = running_pool(big_site, tmp_path, pool, stderr=sink)
    try:
        os.killpg(build.pid, signal.SIGINT)
        try:
            code = build.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running 10 s after Ctrl-C: {survivors(build.pid, 0)}")
        assert code == 130
        assert errors.read_text() == ""
        assert survivors(build.pid, time.monotonic() + GRACE) == []
    finally:
        end_session(build)


def test_serve_killed_while_it_builds_leaves_no_process(big_site: Path, tmp_path: Path) -> None:
    """`serve`'s first build renders every page in forked workers, on the main thread while
    the watcher's runs (its rebuilds fork none: each page is rendered when first asked for,
    serve/lazy.py).

    Catches: the workers of serve's build outliving a killed `serve`."""
    site = tmp_path / "site"
    shutil.copytree(big_site, site)
    serve = start(foretell("serve", "--source", str(site), "--port", "0"))
    try:
        workers = wait_for_pool(serve, 1)
        assert workers is not None, "no workers seen in serve's first build"
        serve.kill()
        serve.wait()
        assert survivors(serve.pid, time.monotonic() + GRACE) == []
    finally:
        end_session(serve)


MAP_IN = """
import os, sys, threading, time
os.cpu_count = lambda: 2
from builder.system.workers import map_forked

def slow(n):
    time.sleep(float(sys.argv[3]))
    return n

def run():
    print(sum(map_forked(slow, range(int(sys.argv[2])))), flush=True)

if sys.argv[1] == "thread":  # as `serve` rebuilds: on a thread of its own
    rebuild = threading.Thread(target=run, name="rebuild")
    rebuild.start()
    rebuild.join()
else:
    run()
"""


@pytest.mark.parametrize("where", ["main", "thread"])
def test_workers_of_a_killed_process_die_whichever_thread_forked_them(where: str) -> None:
    """Catches: map_forked workers that outlive their process, also when a thread other than
    the main one forked them (the kernel's parent-death signal follows the forking thread)."""
    parent = start([sys.executable, "-c", MAP_IN, where, "400", "0.05"])
    try:
        workers: list[Proc] = []
        deadline = time.monotonic() + 10
        while len(workers) < 2 and time.monotonic() < deadline:
            workers = forks_of(parent.pid)
            time.sleep(0.01)
        assert len(workers) == 2, "the workers never started"
        parent.kill()
        parent.wait()
        assert survivors(parent.pid, time.monotonic() + GRACE) == []
    finally:
        end_session(parent)


def test_workers_forked_by_a_thread_live_until_their_work_is_done() -> None:
    """The parent-death signal also comes when the *thread* that forked ends.

    Catches: workers forked by a thread that ends before the pool is done with them (they
    would be killed with work left, and the pool break)."""
    args = [sys.executable, "-c", MAP_IN, "thread", "600", "0.001"]
    done = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"{sum(range(600))}\n", "")


FORK_WITH_LIFELINE = """
import os, sys, time
import builder.system.lifeline as lifeline
if sys.argv[1] == "watch":
    lifeline._kernel_request = lambda: None  # as on a system without prctl
lifeline._kernel_request()  # in the parent, before forking, as its docstring asks
parent = os.getpid()
if os.fork() == 0:
    lifeline.die_with_parent(parent)
    print("child ready", flush=True)
    time.sleep(60)  # a worker waiting for work
    os._exit(0)
time.sleep(60)
"""


@pytest.mark.parametrize("how", ["kernel", "watch"])
def test_a_child_dies_with_its_parent(how: str) -> None:
    """Catches: die_with_parent doing nothing, on Linux (prctl) or elsewhere (the watching
    thread, tried here by pretending prctl is missing)."""
    parent = start([sys.executable, "-c", FORK_WITH_LIFELINE, how], stdout=subprocess.PIPE)
    try:
        assert parent.stdout is not None
        assert parent.stdout.readline() == b"child ready\n"
        parent.stdout.close()
        assert len(forks_of(parent.pid)) == 1
        parent.kill()
        parent.wait()
        assert survivors(parent.pid, time.monotonic() + GRACE) == []
    finally:
        end_session(parent)


def test_a_child_whose_parent_died_before_it_asked_exits() -> None:
    """Catches: a missing check after prctl: a parent dead between fork and prctl sends no
    signal, so the child would live on. Our own pid is never our parent's."""
    line = "import os; from builder.system.lifeline import die_with_parent; "
    line += "die_with_parent(os.getpid()); print('alive')"
    done = subprocess.run(
        [sys.executable, "-c", line], cwd=REPO, capture_output=True, text=True, timeout=30
    )
    assert (done.returncode, done.stdout) == (1, "")


PROBE = """
import sys, time
from pathlib import Path
from builder.system.files import StatsProbe
names = {f"missing-{n}": (0, 0) for n in range(600_000)}
try:
    probe = StatsProbe(Path(sys.argv[1]), names)
    print("probing", flush=True)
finally:
    time.sleep(60)  # the build goes on, in whichever process gets here
"""


def test_a_stats_probe_ends_by_itself_when_its_parent_is_killed(tmp_path: Path) -> None:
    """StatsProbe forks a child that stats files, writes one byte and exits: killed
    mid-way, the build must not leave it behind (nor a copy of the build running on).

    Catches: a probe child that waits for its parent, or that, failing to write its answer
    to a parent gone, goes on to run the parent's code."""
    parent = start([sys.executable, "-c", PROBE, str(tmp_path)], stdout=subprocess.PIPE)
    try:
        assert parent.stdout is not None
        assert parent.stdout.readline() == b"probing\n"
        parent.stdout.close()
        children = forks_of(parent.pid)
        assert len(children) == 1 and alive(children[0]), "the probe ended before the kill"
        parent.kill()
        parent.wait()
        # Its 600,000 stats take a second or two: it is given more time than a worker.
        assert survivors(parent.pid, time.monotonic() + 20) == []
    finally:
        end_session(parent)
