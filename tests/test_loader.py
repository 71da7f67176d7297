"""Reading YAML and content files: input that once crashed `check` or `build` is a problem."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import SITE_YAML, SiteFolder, prediction_text
from serving import serving, wait_for

from builder.config import yamlpos
from builder.config.yamlpos import MAX_DEPTH, YamlError
from builder.content import loader
from builder.system import lifeline


def nested(depth: int) -> str:
    """`depth` flow lists, one inside the other, as the value of `deep`."""
    return "deep: " + "[" * depth + "]" * depth + "\n"


def chained(depth: int) -> str:
    """Aliases nesting `depth` lists though no line of the text nests more than one."""
    lines = ["a0: &a0 [x]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, depth)]
    return "\n".join(lines) + "\n"


def test_nesting_up_to_the_limit_is_read() -> None:
    # Catches: a limit that refuses what it promises to read (the mapping is level 1).
    located = yamlpos.load(nested(MAX_DEPTH - 1))
    value, depth = located.data["deep"], 1
    while value:
        value, depth = value[0], depth + 1
    assert depth == MAX_DEPTH - 1


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (nested(MAX_DEPTH), 1),  # one level too many, short: composed, refused while read
        ("title: x\n" + nested(490), 2),  # where RecursionError began
        ("title: x\n" + nested(999), 2),
        ("title: x\n" + nested(5_000), 2),  # long: refused by the first pass
        ("a:\n" + "".join("  " * i + "-\n" for i in range(1, 600)), MAX_DEPTH + 1),  # block style
        (chained(300), 1),  # aliases: deeper than the text looks
    ],
    ids=["limit", "490", "999", "5000", "block", "aliases"],
)
def test_deep_nesting_is_a_located_problem(text: str, line: int) -> None:
    # Catches: RecursionError escaping from reading the composed document (490-999 levels),
    # and a check of the text's nesting alone, which an alias chain goes round.
    with pytest.raises(YamlError) as raised:
        yamlpos.load(text)
    assert raised.value.line == line
    assert raised.value.message.startswith("nested too deeply")


def test_very_deep_nesting_is_refused_quickly_and_without_a_crash(site: SiteFolder) -> None:
    # Catches: handing libyaml 200,000 levels: it composes them in quadratic time and then
    # overflows the C stack (a segmentation fault, not an exception). In a fresh Python, as
    # an author runs it, so a crash fails the test instead of the test run.
    site.write("deep.md", "---\ntitle: x\n" + nested(200_000) + "---\nBody.\n")
    (site.root / "site.yaml").write_text(
        (site.root / "site.yaml").read_text(encoding="utf-8") + nested(200_000), encoding="utf-8"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "builder", "check", "--source", str(site.root)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.perf_counter() - started < 20  # a generous bound: libyaml takes minutes
    assert done.returncode == 1, done.stderr
    assert "site.yaml:10: nested too deeply" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("where", ["front matter", "site.yaml"])
def test_check_and_build_report_deep_nesting(
    site: SiteFolder, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    # Catches: the RecursionError traceback `check` and `build` printed at 490-999 levels.
    site.write("ok.md", prediction_text())
    if where == "site.yaml":
        config = site.root / "site.yaml"
        config.write_text(config.read_text(encoding="utf-8") + nested(600), encoding="utf-8")
        expected = "site.yaml:10: nested too deeply"
    else:
        site.write("deep.md", prediction_text(extra=nested(600)))
        expected = "content/predictions/deep.md:5: nested too deeply"
    assert site.check() == 1
    assert site.build() == 1
    err = capsys.readouterr().err
    assert err.count(expected) == 2, err
    assert "Traceback" not in err


NEVER_CLOSED = (
    "YAML syntax error: {} opened by the {} at column {} is never closed: add the closing {}"
)
QUOTED = ("a quoted value", '"', 7, '"')


@pytest.mark.parametrize("loader", [yaml.CSafeLoader, yaml.SafeLoader], ids=["libyaml", "python"])
@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('title: x\nnote: "It will\nrain: 1\n', 2, NEVER_CLOSED.format(*QUOTED)),
        ("title: x\nnote: 'It will\n\n", 2, NEVER_CLOSED.format("a quoted value", "'", 7, "'")),
        ("title: x\ntags: [a, b\n# the end\n", 2, NEVER_CLOSED.format("a list", "[", 7, "]")),
        ("title: x\nm: {a: [1, 2]\n", 2, NEVER_CLOSED.format("a mapping", "{", 4, "}")),
        ('title: x\nnote: "It will\n...\n', 2, NEVER_CLOSED.format(*QUOTED)),
        ('\ufeffnote: "x\n\n', 1, NEVER_CLOSED.format(*QUOTED)),
    ],
    ids=["double-quote", "single-quote", "list", "mapping", "document-end", "bom"],
)  # fmt: skip
def test_what_is_never_closed_is_reported_where_it_opens(
    monkeypatch: pytest.MonkeyPatch, loader: type, text: str, line: int, message: str
) -> None:
    """Catches: the line the parser stopped on (the end of the document, where there is
    nothing to fix), the problem's words without what was left open, a test of PyYAML's
    "end of stream" alone (libyaml ends a list with "did not find expected ','"), a `...`
    document end not taken for the end, and a byte order mark (which libyaml does not count)
    shifting the character taken for the opening one."""
    monkeypatch.setattr(yamlpos, "Loader", loader)
    with pytest.raises(YamlError) as raised:
        yamlpos.load(text)
    assert (raised.value.line, raised.value.message) == (line, message)


@pytest.mark.parametrize("loader", [yaml.CSafeLoader, yaml.SafeLoader], ids=["libyaml", "python"])
def test_an_error_before_the_end_keeps_its_line(
    monkeypatch: pytest.MonkeyPatch, loader: type
) -> None:
    """Catches: every error with a context moved to its context's line: a list left open
    that the parser gives up on at the next key is reported there, in the parser's words."""
    monkeypatch.setattr(yamlpos, "Loader", loader)
    with pytest.raises(YamlError) as raised:
        yamlpos.load("title: x\ntags: [a, b\nauthor: ada\n")
    assert raised.value.line == 3
    assert "never closed" not in raised.value.message


def test_check_and_build_point_at_the_quote_never_closed(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: the line of the closing `---` (8), the line in the front matter (5) instead
    of the file, and site.yaml reported otherwise than front matter."""
    site.write(
        "yaml-broken.md",
        "---\ntitle: Broken\ndate: 2026-11-01\nauthor: ada\nprediction:\n"
        '  statement: "It will rain\n  target_date: 2027-01-01\n---\nBody.\n',
    )
    expected = "error: content/predictions/yaml-broken.md:6: " + NEVER_CLOSED.format(
        "a quoted value", '"', 14, '"'
    )
    assert site.check() == 1
    assert site.build() == 1
    err = capsys.readouterr().err.splitlines()
    assert err.count(expected) == 2, err
    site.config(SITE_YAML + 'footer: "Made by hand\n')  # line 10
    assert site.check() == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "error: site.yaml:10: " + NEVER_CLOSED.format("a quoted value", '"', 9, '"')


def test_serve_shows_deep_nesting_in_its_error_box(site: SiteFolder) -> None:
    # Catches: the RecursionError that serve only logged, leaving the page without its error
    # box: a located problem is shown on the page like any other.
    site.write("alpha.md", prediction_text("Alpha"))
    with serving(site.root) as server:

        def alert() -> str | None:
            soup = BeautifulSoup(server.get("/predictions/alpha/").text, "lxml")
            box = soup.find(role="alert")
            return box.get_text(" ", strip=True) if box else None

        site.write("alpha.md", prediction_text("Alpha", extra=nested(600)))
        shown = wait_for(alert, timeout=20, what="the error box")
        assert "content/predictions/alpha.md:5: nested too deeply" in shown


def test_files_read_in_forked_workers_are_read_as_in_this_process(
    site: SiteFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches: a loader whose forked workers (system/workers.py) return other entries, in
    another order, or without their problems, than reading the files here; and a loader that
    no longer forks at its own threshold (64 files, below system/workers.py's 200)."""
    count = loader.PARALLEL_THRESHOLD + 6
    for i in range(count):
        if i % 10 == 3:
            site.write(f"p{i:03}.md", f'---\ntitle: "Broken {i}\n---\nBody.\n')
        elif i % 10 == 7:
            site.write(f"p{i:03}.md", b"---\ntitle: caf\xe9\n---\n")
        else:
            site.write(f"p{i:03}.md", prediction_text(f"Prediction {i}", body=f"Text {i}.\n"))
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # two workers, even on one core
    pools: list[int] = []
    forked_pool = lifeline.forked_pool
    monkeypatch.setattr(lifeline, "forked_pool", lambda n: pools.append(n) or forked_pool(n))

    def read() -> dict[str, loader.FileEntry]:
        return loader.read_all(site.root, loader.prediction_files(site.root), ["ada"])

    forked = read()
    assert pools == [2]
    monkeypatch.setattr(loader, "PARALLEL_THRESHOLD", count + 1)
    assert read() == forked
    assert pools == [2]  # not forked again
    assert list(forked) == [f"content/predictions/p{i:03}.md" for i in range(count)]
    assert sum(e.result.prediction is not None for e in forked.values()) == count - 14
