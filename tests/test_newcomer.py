"""What someone starting a site meets first: each message by its exact text, drafts that say
they were skipped, placeholders left in a published prediction, and commands that find the
site from any folder inside it (#15 items 4 and 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import NOW, SITE_YAML, SiteFolder, prediction_text, run_foretell

from builder.cli import main
from builder.config import yamlpos
from builder.config.yamlpos import YamlError

HOW = "start the file with a '---' line, the YAML fields, and another '---' line"
X = "error: content/predictions/x.md"
TAB = "YAML syntax error: a tab character at column {}: YAML needs spaces there, not tabs"
LIST = "front matter must be a mapping of fields (key: value), not a list of '- ' items"
NO_SITE = "error: no site.yaml here or in any folder above: run `foretell init` to start a site\n"
DRAFTS = "preview them with: foretell serve --drafts"
LEFT = "still the placeholder from `foretell new`"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "---\ntitle: X\ndate: 2026-01-01\n",
            f"{X}:1: the front matter is never closed: add a '---' line after its last field",
        ),
        ("", f"{X}: is empty: {HOW}"),
        ("\n  \n", f"{X}: is empty: {HOW}"),
        ("\ufeff", f"{X}: is empty: {HOW}"),
        ("Just a body.\n", f"{X}:1: no front matter: {HOW}"),
        ("---\ntitle: X\n\tdate: 2026-01-01\n---\n", f"{X}:3: {TAB.format(1)}"),
        ("---\ntitle: X\ntags:\n  - a\n  -\tb\n---\n", f"{X}:5: {TAB.format(4)}"),
        ("---\n# " + "long " * 500 + "\n\tdate: 2026-01-01\n---\n", f"{X}:3: {TAB.format(1)}"),
        ("---\n- a\n- b\n---\nBody\n", f"{X}:2: {LIST}"),
        ("---\n# the fields:\n\n- title: X\n---\n", f"{X}:4: {LIST}"),
        (
            "---\njust words\n---\n",
            f"{X}:2: front matter must be a mapping of fields (key: value), not one value",
        ),
        ("---\n---\nBody\n", f"{X}:1: the front matter is empty: write its fields (title: ...)"),
    ],
    ids=[
        "unclosed", "empty", "blank", "bom", "no-fence", "tab", "tab-after-dash",
        "tab-long-document", "list", "list-after-comment", "scalar", "empty-front-matter",
    ],
)  # fmt: skip
def test_a_broken_file_is_told_what_is_wrong_in_one_message(
    site: SiteFolder, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    """Catches: an unclosed front matter or an empty file called "no front matter"; a tab
    called "a character that cannot start any token" and its column left out; a list reported
    twice and without its line."""
    site.write("x.md", text)
    assert site.check() == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: {expected.removeprefix('error: ')}",
        "Check failed: 1 error(s), 0 warning(s)",
    ]


@pytest.mark.parametrize("loader", [yaml.CSafeLoader, yaml.SafeLoader], ids=["libyaml", "python"])
def test_a_tab_is_named_whichever_parser_reads_it(
    monkeypatch: pytest.MonkeyPatch, loader: type
) -> None:
    """Catches: a message made from libyaml's words, which the pure-Python parser (used where
    libyaml is missing) words otherwise ("found character '\\t' that cannot start...")."""
    monkeypatch.setattr(yamlpos, "Loader", loader)
    with pytest.raises(YamlError) as raised:
        yamlpos.load("title: Zürich\nauthor: x\n  \ttags: [a]\n")
    assert (raised.value.line, raised.value.message) == (3, TAB.format(3))


def test_a_tab_in_site_yaml_is_named_too(site: SiteFolder, capsys: pytest.CaptureFixture) -> None:
    site.config(SITE_YAML.replace("language: en", "\tlanguage: en"))
    assert site.check() == 1
    assert f"error: site.yaml:4: {TAB.format(1)}\n" in capsys.readouterr().err


def test_ok_counts_one_prediction_in_the_singular(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    site.write("a.md", prediction_text("A"))
    assert site.check() == 0
    assert capsys.readouterr().err == "OK: 1 prediction, 0 error(s), 0 warning(s)\n"
    site.write("b.md", prediction_text("B"))
    assert site.check() == 0
    assert capsys.readouterr().err == "OK: 2 predictions, 0 error(s), 0 warning(s)\n"


def test_new_with_an_unknown_author_lists_the_known_ones(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", "T", "--author", "x", "--source", str(site.root)]) == 1
    assert capsys.readouterr().err == "error: unknown author 'x' (authors in site.yaml: ada, bo)\n"
    assert not (site.root / "content").exists()


def test_new_prints_the_file_and_the_next_steps(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", "Will it rain?", "--source", str(site.root), "--now", NOW]) == 0
    path = site.root / "content" / "predictions" / "will-it-rain.md"
    assert path.is_file()
    assert capsys.readouterr().err == (
        f"Created {path} (a draft)\n"
        "Next:\n"
        "  1. Edit it: write the claim, your confidence, your sources and why you expect it.\n"
        "  2. Preview it: foretell serve --drafts\n"
        "  3. Publish it: delete the line `draft: true`, then run foretell build.\n"
    )


def test_check_and_build_say_how_many_drafts_they_skipped(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: drafts left out in silence, and a no-op build that forgets them (the count
    must outlive the build that found it, in the cache)."""
    site.write("a.md", prediction_text("A"))
    site.write("d1.md", prediction_text("D1", extra="draft: true\n"))
    assert site.check() == 0
    assert capsys.readouterr().err.splitlines() == [
        "OK: 1 prediction, 0 error(s), 0 warning(s)",
        f"1 draft skipped ({DRAFTS})",
    ]
    site.write("d2.md", prediction_text("D2", extra="draft: true\n"))
    assert site.check() == 0
    assert capsys.readouterr().err.splitlines()[1] == f"2 drafts skipped ({DRAFTS})"
    for way in ("Built ", "Up to date: "):
        assert site.build() == 0
        lines = capsys.readouterr().err.splitlines()
        assert lines[0].startswith(way) and lines[1:] == [f"2 drafts skipped ({DRAFTS})"]
    site.write("a.md", prediction_text("A", body="Another body.\n"))  # the body-edit shortcut
    assert site.build() == 0
    assert capsys.readouterr().err.splitlines()[1:] == [f"2 drafts skipped ({DRAFTS})"]
    assert site.build("--drafts") == 0
    assert len(capsys.readouterr().err.splitlines()) == 1  # none skipped: no line
    for name in ("d1.md", "d2.md"):
        (site.root / "content" / "predictions" / name).unlink()
    assert site.build() == 0 and site.check() == 0
    assert "draft" not in capsys.readouterr().err


def test_a_published_prediction_still_holding_the_template_is_warned(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: `draft: true` removed from a file `new` wrote, its claim, source and reasoning
    unwritten, published without a word."""
    assert main(["new", "Rain", "--source", str(site.root), "--now", NOW]) == 0
    path = site.root / "content" / "predictions" / "rain.md"
    capsys.readouterr()
    assert site.check() == 0  # a draft may hold them
    assert capsys.readouterr().err.splitlines()[0] == "OK: 0 predictions, 0 error(s), 0 warning(s)"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("draft: true\n", ""), encoding="utf-8")
    assert site.check() == 0
    where = "warning: content/predictions/rain.md"
    assert capsys.readouterr().err.splitlines() == [
        f"{where}:8: prediction.statement: {LEFT}: write your claim",
        f"{where}:16: references.0.title: {LEFT}: write the source's title",
        f"{where}:17: references.0.url: {LEFT}: give the source's address",
        f"{where}:18: references.0.publisher: {LEFT}: name the source's publisher",
        f"{where}:21: body: {LEFT}: write why you expect it",
        "OK: 1 prediction, 0 error(s), 5 warning(s)",
    ]
    written = text.replace("draft: true\n", "").replace("Write the claim here", "Rain")
    path.write_text(written, encoding="utf-8")
    assert site.build() == 0
    assert "prediction.statement" not in capsys.readouterr().err


def test_commands_find_the_site_from_a_folder_inside_it(site: SiteFolder) -> None:
    """Catches: `foretell build` from content/predictions/ reading content/predictions/ as
    the site (`site.yaml: not found`), as before."""
    site.write("a.md", prediction_text("A"))
    inside = site.root / "content" / "predictions"
    checked = run_foretell("check", "--now", NOW, cwd=inside)
    assert (checked.returncode, checked.stderr) == (
        0,
        "OK: 1 prediction, 0 error(s), 0 warning(s)\n",
    )
    built = run_foretell("build", "--now", NOW, cwd=inside)
    assert built.returncode == 0, built.stderr
    assert (site.output / "predictions" / "a" / "index.html").is_file()
    assert not (inside / "output").exists()
    made = run_foretell("new", "From inside", "--now", NOW, cwd=inside)
    assert made.returncode == 0, made.stderr
    assert made.stderr.startswith("Created ../../content/predictions/from-inside.md (a draft)\n")
    assert (inside / "from-inside.md").is_file()


@pytest.mark.parametrize(
    "command",
    [
        ["build"],
        ["check"],
        ["new", "T"],
        ["serve", "--port", "0"],
        ["resolve", "a", "--outcome", "yes"],
    ],
)
def test_outside_any_site_the_error_says_to_run_init(tmp_path: Path, command: list[str]) -> None:
    """Catches: "site.yaml: not found: is this a foretell site?" for someone who has no site
    yet, and serve or resolve reading the current folder as one."""
    (tmp_path / "content").mkdir()  # a folder, not a site
    done = run_foretell(*command, cwd=tmp_path / "content")
    assert (done.returncode, done.stderr) == (1, NO_SITE)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["content"]
