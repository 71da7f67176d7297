"""The command line: help, version, `new`, and no traceback for bad input."""

from __future__ import annotations

import os
import subprocess
import sys

import feedparser
import pytest
from conftest import NOW, SiteFolder, build_in_a_fresh_python, prediction_text, run_foretell

from builder import __version__
from builder.cli import main


def test_version_and_help() -> None:
    assert run_foretell("--version").stdout.strip() == f"foretell {__version__}"
    helped = run_foretell("--help")
    assert helped.returncode == 0
    for command in ("build", "check", "new", "serve", "resolve"):
        assert command in helped.stdout
        sub = run_foretell(command, "--help")
        assert sub.returncode == 0 and "--source" in sub.stdout
    assert "--allow-origin" in run_foretell("votes", "serve", "--help").stdout


def test_a_no_op_build_imports_neither_the_build_nor_the_other_commands(
    site: SiteFolder,
) -> None:
    """Catches: a heavy import creeping back into the no-op path (it is most of that build's
    time at 10,000 predictions)."""
    site.write("a.md", prediction_text("A"))
    assert site.build() == 0
    heavy = [
        "builder.pipeline",
        "builder.incremental.shortcut",
        "builder.trackrecord.resolve",
        "builder.serve.command",
    ]
    heavy += ["builder.votes.command", "jinja2", "markdown_it", "rich"]
    result, printed = build_in_a_fresh_python(site.root, "--now", NOW, watch=heavy)
    assert result == "0 []", printed


def test_a_successful_build_prints_without_importing_rich(site: SiteFolder) -> None:
    """Catches: rich imported just to print one green line (a tenth of a one-article rebuild)
    when nothing needs its spinner or its problem lists."""
    site.write("a.md", prediction_text("A"))
    result, printed = build_in_a_fresh_python(site.root, "--now", NOW, watch=["rich"])
    assert result == "0 []", printed
    assert printed.startswith("Built ")


def test_bad_now_is_a_usage_error(site: SiteFolder) -> None:
    result = run_foretell("build", "--source", str(site.root), "--now", "2026-13-01")
    assert result.returncode == 2
    assert "expected a date YYYY-MM-DD" in result.stderr and "Traceback" not in result.stderr


def test_broken_site_gives_messages_not_tracebacks(site: SiteFolder) -> None:
    site.write("bad.md", b"---\ntitle: \xff\n---\n")
    (site.root / "site.yaml").write_text((site.root / "site.yaml").read_text() + "extra: 1\n")
    result = run_foretell("build", "--source", str(site.root))
    assert result.returncode == 1
    assert "site.yaml:10: extra: unknown key" in result.stderr
    assert "content/predictions/bad.md:2: is not UTF-8" in result.stderr  # both, in one run
    assert "Traceback" not in result.stderr
    result = run_foretell("check", "--source", str(site.root / "nowhere"))
    assert result.returncode == 1 and "site.yaml: not found" in result.stderr


def test_new_writes_a_file_that_checks(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["new", "Will it rain in Zürich?", "--source", str(site.root), "--now", "2026-03-04"]
    assert main(args) == 0
    path = site.root / "content" / "predictions" / "will-it-rain-in-zurich.md"
    text = path.read_text()
    assert "date: 2026-03-04" in text and "author: ada" in text and "draft: true" in text
    assert 'title: "Will it rain in Zürich?"' in text
    assert site.check() == 0
    assert main(args) == 1  # never overwrites
    assert "already exists" in capsys.readouterr().err


def test_build_from_the_site_folder(site: SiteFolder) -> None:
    site.write(
        "x.md",
        "---\ntitle: X\ndate: 2026-01-01\nauthor: ada\nprediction:\n"
        "  statement: S\n  target_date: 2027-01-01\n---\n",
    )
    result = run_foretell("build", "--now", "2026-02-01", cwd=site.root)
    assert result.returncode == 0, result.stderr
    assert (site.root / "output" / "predictions" / "x" / "index.html").is_file()


def test_problem_text_is_not_read_as_markup(site: SiteFolder, capsys) -> None:
    # A console that interprets "[bold]" would swallow it and print "unknown author 'x'".
    site.write(
        "m.md",
        "---\ntitle: M\ndate: 2026-01-01\nauthor: '[bold]x'\nprediction:\n"
        "  statement: S\n  target_date: 2027-01-01\n---\n",
    )
    assert site.check() == 1
    assert "unknown author '[bold]x'" in capsys.readouterr().err


def test_build_url_builds_for_another_address(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """`foretell build --url`, as the GitHub Pages workflow deploys. Catches: the option
    ignored somewhere (pages, feeds, sitemap), and the up-to-date check blind to it (a build
    for the other address answering "Up to date" with the first one's pages)."""
    site.write("a.md", prediction_text("A"))

    def addresses() -> tuple[str, str, str]:
        canonical = site.html("").find("link", rel="canonical")["href"]
        feed = feedparser.parse((site.output / "feed.xml").read_bytes()).entries[0].link
        sitemap = (site.output / "sitemap.xml").read_text(encoding="utf-8")
        return canonical, feed, sitemap.split("<loc>")[1].split("</loc>")[0]

    assert site.build() == 0
    assert addresses() == (
        "https://test.example.org/",
        "https://test.example.org/predictions/a/",
        "https://test.example.org/",
    )
    assert site.build("--url", "https://me.github.io/repo") == 0
    assert addresses() == (
        "https://me.github.io/repo/",
        "https://me.github.io/repo/predictions/a/",
        "https://me.github.io/repo/",
    )
    capsys.readouterr()
    assert site.build("--url", "https://me.github.io/repo/") == 0  # the same address
    assert capsys.readouterr().err.startswith("Up to date: ")
    assert site.build() == 0
    assert capsys.readouterr().err.startswith("Built ")
    assert addresses()[0] == "https://test.example.org/"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("javascript:alert(1)", "expected an absolute http(s) URL, got 'javascript:alert(1)'"),
        ("https://x.org/?a=1", "must not have a query or a fragment, got 'https://x.org/?a=1'"),
        ("https://x.org/#top", "must not have a query or a fragment, got 'https://x.org/#top'"),
        ("https:///path", "has no host name (expected https://host/...), got 'https:///path'"),
    ],
)
def test_a_bad_build_url_is_a_usage_error(site: SiteFolder, url: str, message: str) -> None:
    """Catches: --url let past the rule site.yaml's url follows (weburl.py, no query or
    fragment), into every page."""
    result = run_foretell("build", "--source", str(site.root), "--url", url)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == f"foretell build: error: argument --url: {message}"
    assert not site.output.exists()


def _uncited(count: int) -> str:
    """A prediction with `count` references its body never cites: one warning each."""
    refs = "".join(
        f"  - {{title: 'R{n}', url: 'https://e.example.org/{n}'}}\n" for n in range(count)
    )
    return prediction_text("Uncited", extra=f"references:\n{refs}")


def test_many_warnings_are_summed_up_not_listed(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: a build printing every one of thousands of warnings, on every build (the
    no-op included), where nobody reads them; and a summary that loses count of a kind."""
    site.write("a.md", _uncited(15))
    for build in range(2):  # the full build, then the no-op, which repeats its warnings
        assert site.build() == 0
        err = capsys.readouterr().err
        shown = [line for line in err.splitlines() if line.startswith("warning: ")]
        assert len(shown) == 10, (build, err)
        assert "... and 5 more warnings:" in err
        assert "  5 x references.N: reference N is never cited in the text" in err
        assert "foretell check lists every one." in err
    assert site.check() == 0
    assert capsys.readouterr().err.count("warning: ") == 15


def test_a_build_with_warnings_prints_without_importing_rich(site: SiteFolder) -> None:
    """Catches: rich imported to print warnings (a tenth of a no-op build)."""
    site.write("a.md", _uncited(3))
    result, printed = build_in_a_fresh_python(site.root, "--now", NOW, watch=["rich"])
    assert result == "0 []", printed
    assert printed.count("warning: ") == 3


@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
@pytest.mark.parametrize("command", ["theme list", f"due --now {NOW}"], ids=["theme", "due"])
def test_a_closed_stdout_ends_the_command_quietly(
    site: SiteFolder, command: str, buffered: bool
) -> None:
    """`foretell theme list | head -1`: the reader stops reading, and foretell exits 1, quietly.
    Here the reader has closed its end before foretell writes a byte: the output is far smaller
    than a pipe's buffer, so a reader that read a line first would already hold all of it, and
    foretell would never meet the closed pipe. Buffered (as in a user's shell) the error comes
    when stdout is flushed; unbuffered (PYTHONUNBUFFERED), at the first print. Catches: no
    BrokenPipeError handler at the entry point (a traceback, status 1); a handler around the
    command but not around the last flush of stdout ("Exception ignored ... BrokenPipeError"
    at exit, status 120)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if not buffered:
        env["PYTHONUNBUFFERED"] = "1"
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone
    args = [*command.split(), "--source", str(site.root)]
    try:
        run = subprocess.Popen(
            [sys.executable, "-m", "builder", *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
    finally:
        os.close(write_end)
    _, err = run.communicate(timeout=60)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert (err, run.returncode) == ("", 1)
