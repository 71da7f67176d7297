"""foretell as a newcomer gets it: the wheel built from this repository, installed with its
dependencies into a fresh venv, run in a folder outside the repository, with no file written
by hand: `foretell init s && cd s && foretell check && foretell build && foretell serve`
(#15, Done-when)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup
from serving import URL, wait_for

REPO = Path(__file__).resolve().parent.parent
# What a wheel is not built from: history, tools, benchmarks, build products and caches.
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".tools", "benchmarks", "build", "dist", "output", ".foretell", "*.egg-info",
    "__pycache__", ".hypothesis", ".pytest_cache", ".ruff_cache", "screenshots", ".venv",
)  # fmt: skip


def _env() -> dict[str, str]:
    """The environment of someone who installed foretell in a venv: nothing pointing at this
    repository or at this Python's packages."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.pop("VIRTUAL_ENV", None)
    return env


def _run(command: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The bin/ folder of a fresh venv holding the wheel and its dependencies from the
    registry. The wheel is built from a copy of the sources, so that the build leaves
    nothing in the repository (setuptools builds in the source folder)."""
    work = tmp_path_factory.mktemp("wheel")
    shutil.copytree(REPO, work / "src", ignore=NOT_SOURCES)
    wheel = [sys.executable, "-m", "pip", "wheel", str(work / "src"), "--no-deps"]
    built = _run([*wheel, "-w", str(work / "dist")], work, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    (path,) = (work / "dist").glob("foretell-*.whl")
    made = _run([sys.executable, "-m", "venv", str(work / "venv")], work)
    assert made.returncode == 0, made.stderr
    bin_dir = work / "venv" / "bin"
    installed = _run([str(bin_dir / "python"), "-m", "pip", "install", str(path)], work, 600)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    yield bin_dir


def test_the_wheel_alone_makes_checks_builds_and_serves_a_site(venv: Path, tmp_path: Path) -> None:
    """Catches: a theme or a module left out of the wheel, a site from `init` that needs a
    file written by hand, a home page without the theme's stylesheet, and a test that runs
    this repository's code instead of the wheel's."""
    where = _run([str(venv / "python"), "-c", "import builder; print(builder.__file__)"], tmp_path)
    package = Path(where.stdout.strip()).parent
    assert package.is_relative_to(venv.parent), where  # the venv's copy, not the repository
    foretell = str(venv / "foretell")
    site = tmp_path / "s"
    for command, cwd in [(["init", "s"], tmp_path), (["check"], site), (["build"], site)]:
        done = _run([foretell, *command], cwd)
        assert done.returncode == 0, f"foretell {' '.join(command)}:\n{done.stderr}"
    made = sorted(p.name for p in site.iterdir())
    assert made == [".foretell", ".gitignore", "content", "output", "site.yaml"]
    sheets = [css.read_text(encoding="utf-8") for css in package.rglob("*.css")]
    home = (site / "output" / "index.html").read_text(encoding="utf-8")
    assert _stylesheets(site / "output", home, sheets)
    with _serve(foretell, site) as url:
        page = httpx.get(url, timeout=10)
        assert page.status_code == 200
        assert _stylesheets(url, page.text, sheets)


def _stylesheets(base: Path | str, html: str, theme_css: list[str]) -> list[str]:
    """The page's stylesheets, each checked to be there and to be the installed theme's."""
    hrefs = [
        link["href"] for link in BeautifulSoup(html, "lxml").find_all("link", rel="stylesheet")
    ]
    for href in hrefs:
        if isinstance(base, Path):
            text = (base / href).read_text(encoding="utf-8")
        else:
            response = httpx.get(base + href, timeout=10)
            assert response.status_code == 200 and "text/css" in response.headers["content-type"]
            text = response.text
        # The theme's file, with whatever the build adds after it (code highlighting).
        assert any(css and text.startswith(css) for css in theme_css), href
    return hrefs


@contextmanager
def _serve(foretell: str, site: Path) -> Iterator[str]:
    """`foretell serve --port 0` in the site: its URL, as it prints it; stopped by SIGTERM,
    which it must take as a clean stop."""
    log_path = site.parent / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [foretell, "serve", "--port", "0"], cwd=site, env=_env(), stdout=log, stderr=log
        )
        try:

            def url() -> str | None:
                text = log_path.read_text(encoding="utf-8", errors="replace")
                assert proc.poll() is None, f"serve exited with {proc.returncode}:\n{text}"
                found = URL.search(text)
                return found.group(0) if found else None

            yield wait_for(url, timeout=60, what="the server's URL")
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                raise
    assert code == 0, log_path.read_text(encoding="utf-8", errors="replace")
