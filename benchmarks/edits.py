"""The builds an author waits for: each everyday edit, timed, on a generated site.

    python benchmarks/edits.py --count 1000 10000 --rounds 3

For each size: generates a site (benchmarks/generate.py) outside any git repository, builds it
cold, then for each kind of edit (a body, a title, a tag added and a category changed on an
open prediction, a category changed on a resolved one, a confidence changed on an open and on
a resolved prediction, a resolution through `foretell resolve`, an update through `foretell
update`, a new prediction, a deletion, an image added to static/, a draft added through
`foretell new`, then deleted) makes the edit and times the `foretell build` that follows, as a
new process (what an author runs), `--rounds` times on different predictions. A no-op build is
timed too, and a deploy: a fresh checkout with `output/` and the build cache restored, as a CI
cache action does. With `--git`, the deploy is also timed as CI runs it on a site kept in git:
a title edit is committed, the next commit is cloned afresh at the same path and the cache of
the build of the commit before is restored (pages show each prediction's git history). At the
end the incrementally built output is compared, file for file, with a clean build of the same
final input: every edit's bytes must be a clean build's (tests/test_incremental.py checks each
kind on its own, at small size). With `--search`, the site has `search: true`: every build
keeps its Pagefind index too.

Prints each sample and a Markdown table of medians.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]

from generate import generate  # noqa: E402  (benchmarks/ is not a package)

from builder.content.slugs import slugify  # noqa: E402

NOW = "2026-06-01"  # the date generate.py's sites are made for
ENV = {**os.environ, "PYTHONPATH": str(REPO)}

Edit = Callable[[Path, int], None]


def foretell(root: Path, *args: str) -> float:
    """Run `foretell *args` in `root` as a new process; its wall time in seconds."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "builder", *args], cwd=root, env=ENV, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"foretell {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return elapsed


def _articles(root: Path) -> list[Path]:
    return sorted((root / "content" / "predictions").glob("*.md"))


def _nth(root: Path, n: int, *, open_only: bool = False, resolved_only: bool = False) -> Path:
    """The n-th article from the middle (for resolve and update: unresolved, with its target
    date still ahead on NOW, so that an update dated NOW is within its life)."""
    articles = _articles(root)
    if open_only:
        articles = [a for a in articles if _still_open(a.read_text(encoding="utf-8"))]
    if resolved_only:
        articles = [a for a in articles if "resolution:" in a.read_text(encoding="utf-8")]
    return articles[(len(articles) // 2 + 7 * n) % len(articles)]


def _still_open(text: str) -> bool:
    target = re.search(r"^  target_date: (\S+)", text, re.M)
    return "resolution:" not in text and target is not None and target.group(1) > NOW


def _replace(path: Path, pattern: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    changed, count = re.subn(pattern, new, text, count=1, flags=re.M)
    if not count:
        raise SystemExit(f"{path.name}: no match for {pattern!r}")
    path.write_text(changed, encoding="utf-8")


def edit_body(root: Path, n: int) -> None:
    path = _nth(root, n)
    path.write_text(path.read_text(encoding="utf-8") + f"\nA new line, round {n}.\n", "utf-8")


def edit_title(root: Path, n: int) -> None:
    _replace(_nth(root, n), r'^title: "', f'title: "Edited {n}: ')


def edit_title_warned(root: Path, n: int) -> None:
    """A title, in a save that leaves a warning in the file (a reference its text never
    cites), as on a site with thousands of warnings."""
    path = _nth(root, n + 500)
    _replace(path, r'^title: "', f'title: "Edited {n}: ')
    _replace(
        path,
        r"^references:\n",
        'references:\n  - {title: "Uncited", url: "https://example.org/u"}\n',
    )


def edit_tag(root: Path, n: int) -> None:
    """A new tag on an open prediction (the shortcut: incremental/terms.py)."""
    _replace(_nth(root, n, open_only=True), r"^tags: \[", f"tags: [edited-tag-{n}, ")


def edit_category(root: Path, n: int, *, resolved: bool = False) -> None:
    """Another existing category: Science, or Tech for an article already in Science; of an
    open prediction (the shortcut), or of a resolved one, whose author's scores it slices
    (the full build)."""
    path = _nth(root, n, open_only=not resolved, resolved_only=resolved)
    science = re.search(r"^category: Science$", path.read_text(encoding="utf-8"), re.M)
    _replace(path, r"^category: .*$", "category: Tech" if science else "category: Science")


def edit_confidence(root: Path, n: int) -> None:
    """An open prediction's first forecast (the shortcut: incremental/forecasts.py)."""
    _replace(_nth(root, n, open_only=True), r"^  confidence: .*$", f"  confidence: 0.{41 + n}")


def edit_resolved_confidence(root: Path, n: int) -> None:
    """A resolved prediction's, which its author's scores show (the full build)."""
    path = _nth(root, n, resolved_only=True)
    _replace(path, r"^  confidence: .*$", f"  confidence: 0.{31 + n}")


def edit_resolve(root: Path, n: int) -> None:
    slug = _nth(root, n, open_only=True).stem
    foretell(root, "resolve", slug, "--outcome", "yes", "--date", "2026-05-01", "--now", NOW)


def resolve_in_text(root: Path, n: int) -> None:
    """A resolution typed into the file, as `foretell resolve` would add it."""
    resolution = "  resolution: {outcome: yes, date: 2026-05-01}\n  target_date:"
    _replace(_nth(root, n, open_only=True), r"^  target_date:", resolution)


def edit_update(root: Path, n: int) -> None:
    slug = _nth(root, n, open_only=True).stem
    foretell(root, "update", slug, "--confidence", "0.66", "--now", NOW, "--force")


def edit_new(root: Path, n: int) -> None:
    source = _nth(root, n).read_text(encoding="utf-8")
    text = re.sub(r'^title: "', f'title: "New {n}: ', source, count=1, flags=re.M)
    (root / "content" / "predictions" / f"zz-new-prediction-{n}.md").write_text(text, "utf-8")


def edit_delete(root: Path, n: int) -> None:
    _nth(root, n + 1000).unlink()


def _draft_title(n: int) -> str:
    return f"Will the benchmark's draft {n} be published"


def edit_image(root: Path, n: int) -> None:
    """An image for an article, added to the site's static/ folder (incremental/site_static.py)."""
    image = root / "static" / "images" / f"chart-{n}.png"
    image.parent.mkdir(parents=True, exist_ok=True)
    image.write_bytes(hashlib.sha256(str(n).encode()).digest() * 4096)  # 128 KB


def edit_new_draft(root: Path, n: int) -> None:
    """`foretell new`'s file: a draft, which the build leaves out (incremental/drafts.py)."""
    foretell(root, "new", _draft_title(n), "--now", NOW)


def edit_delete_draft(root: Path, n: int) -> None:
    """The draft edit_new_draft wrote, given up."""
    (root / "content" / "predictions" / f"{slugify(_draft_title(n))}.md").unlink()


EDITS: dict[str, Edit] = {
    "body": edit_body,
    "title": edit_title,
    "title, with a warning": edit_title_warned,
    "tag added": edit_tag,
    "category": edit_category,
    "category (resolved)": partial(edit_category, resolved=True),
    "confidence (open)": edit_confidence,
    "confidence (resolved)": edit_resolved_confidence,
    "resolve": edit_resolve,
    "update": edit_update,
    "new prediction": edit_new,
    "deletion": edit_delete,
    "image added (static/)": edit_image,
    "draft added (foretell new)": edit_new_draft,
    "draft deleted": edit_delete_draft,
}


def tree_digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file() and p.name != ".foretell-output.json"
    }


def run(count: int, rounds: int, work: Path, search: bool = False) -> dict[str, list[float]]:
    root = work / f"site-{count}"
    shutil.rmtree(root, ignore_errors=True)
    generate(root, count, seed=1)
    if search:
        with (root / "site.yaml").open("a", encoding="utf-8") as config:
            config.write("search: true\n")
    build = ("build", "--now", NOW)
    cold = foretell(root, *build)
    print(f"{count}: cold build {cold:.2f} s", flush=True)
    samples: dict[str, list[float]] = {"cold": [cold], "no-op": []}
    for n in range(rounds):
        samples["no-op"].append(foretell(root, *build))
        for name, edit in EDITS.items():
            edit(root, n)
            samples.setdefault(name, []).append(foretell(root, *build))
        print(f"  round {n + 1}: " + ", ".join(f"{k} {v[-1]:.2f}" for k, v in samples.items()))
    samples["deploy"] = [deploy(root, work, build)]
    print(
        f"  deploy (fresh checkout, output/ and cache restored, a title edited): "
        f"{samples['deploy'][0]:.2f} s",
        flush=True,
    )
    _verify(root, work)
    return samples


def deploy(root: Path, work: Path, build: tuple[str, ...]) -> float:
    """A CI deploy: a fresh checkout at the same path (every source with a new mtime), with
    `output/` and `.foretell/` restored from an earlier build, every file with a new mtime
    too (the worst case: actions/cache keeps them), and one title edited since."""
    earlier = work / "earlier-checkout"
    shutil.rmtree(earlier, ignore_errors=True)
    root.rename(earlier)
    shutil.copytree(earlier, root, copy_function=shutil.copy, symlinks=True)
    shutil.rmtree(earlier)
    edit_title(root, 99)
    return foretell(root, *build)


def git_deploys(count: int, rounds: int, work: Path) -> list[float]:
    """The deploy of a site kept in git (see the module's docstring), `rounds` times."""
    root = work / f"git-site-{count}"
    shutil.rmtree(root, ignore_errors=True)
    generate(root, count, seed=1)
    _git(root, "init", "-q", "-b", "main")
    _commit(root, "the site")
    build = ("build", "--now", NOW)
    print(f"{count} in git: cold build {foretell(root, *build):.2f} s", flush=True)
    times = []
    for n in range(rounds):
        edit_title(root, 200 + n)
        _commit(root, f"a title, {n}")
        earlier = work / "earlier-git-checkout"
        shutil.rmtree(earlier, ignore_errors=True)
        root.rename(earlier)
        subprocess.run(["git", "clone", "-q", str(earlier), str(root)], check=True)
        for kept in ("output", ".foretell"):
            shutil.copytree(earlier / kept, root / kept, copy_function=shutil.copy)
        shutil.rmtree(earlier)
        times.append(foretell(root, *build))
        print(f"  git deploy {n + 1}: {times[-1]:.2f} s", flush=True)
    _verify(root, work)
    return times


def _git(root: Path, *args: str) -> None:
    who = ["-c", "user.name=Bench", "-c", "user.email=bench@example.org"]
    subprocess.run(["git", *who, *args], cwd=root, check=True, capture_output=True)


def _commit(root: Path, message: str) -> None:
    _git(root, "add", "-A", "content", "site.yaml", "themes")  # the site's, as generated
    _git(root, "commit", "-q", "-m", message)


def _verify(root: Path, work: Path) -> None:
    """The incremental output must be a clean build's, byte for byte."""
    clean = work / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns("output", ".foretell"))
    foretell(clean, "build", "--now", NOW)
    ours, theirs = tree_digests(root / "output"), tree_digests(clean / "output")
    differ = sorted(p for p in ours.keys() | theirs.keys() if ours.get(p) != theirs.get(p))
    if differ:
        raise SystemExit(f"incremental output differs from a clean build: {differ[:10]}")
    print(f"  verified: {len(ours)} files, the bytes of a clean build", flush=True)


def table(results: dict[int, dict[str, list[float]]]) -> str:
    counts = sorted(results)
    kinds = list(next(iter(results.values())))
    lines = ["| build | " + " | ".join(f"{c:,} predictions" for c in counts) + " |"]
    lines.append("| --- |" + " ---: |" * len(counts))
    for kind in kinds:
        cells = [f"{statistics.median(results[c][kind]):.2f} s" for c in counts]
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=3, help="edits of each kind (default 3)")
    parser.add_argument("--git", action="store_true", help="time a deploy of a site in git too")
    parser.add_argument("--search", action="store_true", help="with `search: true` (Pagefind)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="foretell-edits-") as tmp:
        work = Path(tmp)
        results = {count: run(count, args.rounds, work, args.search) for count in args.count}
        if args.git:
            for count in args.count:
                results[count]["deploy (git)"] = git_deploys(count, args.rounds, work)
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
