"""Edit-to-served latency of `foretell serve` on a generated site.

    python benchmarks/serve_latency.py --count 1000 --edits 10 [--kind title] [--search]
                                       [--after-build]

Generates a site (benchmarks/generate.py), starts `foretell serve` on it, then saves an edit
again and again: by default to one article's body, or (`--kind`) one of the everyday edits of
benchmarks/edits.py, each time to another article. Each sample is the time from just before the
file is written until the new site is served over HTTP, fetched as an open tab does: when the
build-event stream announces a new build (for a body edit, until the new text is on the page).
So it covers the file event, the debounce, the rebuild, the swap, the event and the page's
request. Prints every sample, the median, and the rebuild times serve reported itself. With
`--after-build`, `foretell build` runs first, and serve starts from its output.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]

from edits import EDITS, NOW, resolve_in_text  # noqa: E402
from generate import generate  # noqa: E402  (benchmarks/ is not a package)

from builder.serve.inject import EVENTS_URL as EVENTS  # noqa: E402

# What an author saves in the editor: every edit of edits.py but those made through a
# foretell command (its own process start would be timed), and a resolution typed in. A
# draft, which serve leaves out, changes nothing served: no build is announced to time. An
# image added shows on no page of the generated site.
COMMANDS_AND_DRAFTS = (
    "resolve", "update", "image added (static/)", "draft added (foretell new)", "draft deleted",
)  # fmt: skip
KINDS = {name: edit for name, edit in EDITS.items() if name not in COMMANDS_AND_DRAFTS}
KINDS["resolve"] = resolve_in_text
URL = re.compile(r"http://127\.0\.0\.1:\d+/")
REBUILT = re.compile(r": rebuilt in ([\d.]+) s")
TIMEOUT = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="predictions (default 1000)")
    parser.add_argument("--edits", type=int, default=10, help="edits to time (default 10)")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between edits")
    parser.add_argument("--kind", choices=list(KINDS), default="body", help="what is edited")
    parser.add_argument("--search", action="store_true", help="with `search: true` (Pagefind)")
    parser.add_argument(
        "--after-build",
        action="store_true",
        help="run `foretell build` first: serve starts from its output (serve/warm.py)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="foretell-serve-latency-") as tmp:
        root = Path(tmp) / "site"
        started = time.perf_counter()
        generate(root, args.count, seed=1)
        if args.search:
            with (root / "site.yaml").open("a", encoding="utf-8") as config:
                config.write("search: true\n")
        print(f"generated {args.count} predictions in {time.perf_counter() - started:.1f} s")
        article = sorted((root / "content" / "predictions").glob("*.md"))[args.count // 2]
        log_path = Path(tmp) / "serve.log"
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        if args.after_build:
            build = [sys.executable, "-m", "builder", "build", "--source", str(root)]
            subprocess.run([*build, "--now", NOW], env=env, check=True, capture_output=True)
        with log_path.open("wb") as log:
            command = [sys.executable, "-m", "builder", "serve", "--source", str(root)]
            command += ["--port", "0", "--now", NOW]
            started = time.perf_counter()
            proc = subprocess.Popen(command, stdout=log, stderr=log, env=env)
            try:
                url = _wait_for_url(proc, log_path)
                print(f"serve ready in {time.perf_counter() - started:.1f} s at {url}")
                if args.kind == "body":
                    samples = _measure(url, article, args.edits, args.pause)
                else:
                    samples = _measure_kind(url, root, KINDS[args.kind], args.edits, args.pause)
            finally:
                proc.send_signal(signal.SIGINT)
                code = proc.wait(timeout=60)
        text = log_path.read_text(encoding="utf-8", errors="replace")
    if code != 0 or "Traceback" in text:
        print(text, file=sys.stderr)
        return 1
    rebuilds = [float(m) for m in REBUILT.findall(text)]
    print("samples (ms): " + " ".join(f"{s * 1000:.0f}" for s in samples))
    print(
        f"{args.kind} edit-to-served latency at {args.count} predictions: median "
        f"{statistics.median(samples) * 1000:.0f} ms (min {min(samples) * 1000:.0f}, "
        f"max {max(samples) * 1000:.0f}, n={len(samples)})"
    )
    if rebuilds:
        print(f"rebuild time reported by serve: median {statistics.median(rebuilds) * 1000:.0f} ms")
    return 0


def _wait_for_url(proc: subprocess.Popen[bytes], log_path: Path) -> str:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"serve exited:\n{log_path.read_text()}")
        match = URL.search(log_path.read_text(encoding="utf-8", errors="replace"))
        if match:
            return match.group(0)
        time.sleep(0.1)
    raise SystemExit("serve did not start")


def _measure(url: str, article: Path, edits: int, pause: float) -> list[float]:
    """Do what an open tab does: listen on the build-event stream and, when a new build is
    announced, fetch the page once. (Polling the page instead would load the server with
    requests a browser never makes, and slow the very rebuild being timed.)"""
    original = article.read_text(encoding="utf-8")
    samples: list[float] = []
    builds: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_listen, args=(url + EVENTS.lstrip("/"), builds), daemon=True).start()
    builds.get(timeout=TIMEOUT)  # the stream opens with the current build
    with httpx.Client(timeout=10) as client:
        page = _page_of(client, url, article)
        for n in range(edits):
            marker = f"Latency probe {n} {time.time_ns()}."
            time.sleep(pause)  # let the previous rebuild settle: one edit, one rebuild
            started = time.perf_counter()
            article.write_text(f"{original}\n{marker}\n", encoding="utf-8")
            while True:
                builds.get(timeout=TIMEOUT)
                if marker in client.get(page).text:
                    break
            samples.append(time.perf_counter() - started)
            print(f"  edit {n + 1}: {samples[-1] * 1000:.0f} ms", flush=True)
    return samples


def _measure_kind(
    url: str, root: Path, edit: Callable[[Path, int], None], edits: int, pause: float
) -> list[float]:
    """As _measure, for an edit that shows on many pages: until the build it causes is
    announced and the home page fetched."""
    samples: list[float] = []
    builds: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_listen, args=(url + EVENTS.lstrip("/"), builds), daemon=True).start()
    builds.get(timeout=TIMEOUT)
    with httpx.Client(timeout=10) as client:
        for n in range(edits):
            time.sleep(pause)
            started = time.perf_counter()
            edit(root, n)
            builds.get(timeout=TIMEOUT)
            if client.get(url).status_code != 200:
                raise SystemExit(f"{url} is not served after edit {n + 1}")
            samples.append(time.perf_counter() - started)
            print(f"  edit {n + 1}: {samples[-1] * 1000:.0f} ms", flush=True)
    return samples


def _listen(url: str, builds: queue.Queue[str]) -> None:
    with httpx.stream("GET", url, timeout=None) as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                builds.put(line.removeprefix("data: "))


def _page_of(client: httpx.Client, url: str, article: Path) -> str:
    """The URL of the article's page (the slug may differ from the file name)."""
    slug = re.search(r"^slug: *\"?([^\"\n]+)", article.read_text(encoding="utf-8"), re.M)
    page = f"{url}predictions/{slug.group(1) if slug else article.stem}/"
    if client.get(page).status_code != 200:
        raise SystemExit(f"{page} is not served")
    return page


if __name__ == "__main__":
    sys.exit(main())
