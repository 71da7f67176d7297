"""`foretell resolve`: the file gains exactly the resolution block; every refusal is clear."""

from __future__ import annotations

import difflib
import subprocess
import sys

import pytest
from conftest import NOW, SiteFolder, odd_prediction, parsed_files, prediction_text

from builder.cli import main

ODD = odd_prediction("resolution")


def _resolve(site: SiteFolder, *args: str) -> int:
    return main(["resolve", "--source", str(site.root), "--now", NOW, *args])


def _added(before: str, after: str) -> list[str]:
    """The diff as lines: only '+' lines may appear, and they must be contiguous."""
    diff = list(
        difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0, lineterm="")
    )
    changes = [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    hunks = [line for line in diff if line.startswith("@@")]
    assert len(hunks) == 1, diff
    assert all(line.startswith("+") for line in changes), diff
    return [line[1:] for line in changes]


def test_the_files_the_last_build_parsed_are_not_parsed_again(
    site: SiteFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The slug is looked for among every file, as the build parsed them. Catches: every
    file parsed again (17 s at 10,000 predictions, for one line written), or one changed
    since the build taken as the build saw it (its slug is another now)."""
    for n in range(3):
        site.write(f"p{n}.md", prediction_text(f"Prediction {n}"))
    assert site.build() == 0
    site.write("p1.md", prediction_text("Prediction 1", extra="slug: renamed\n"))
    read = parsed_files(monkeypatch)
    assert _resolve(site, "renamed", "--outcome", "yes", "--date", "2026-05-01") == 0
    assert read == ["content/predictions/p1.md"]
    assert "resolution:" in (site.root / "content/predictions/p1.md").read_text(encoding="utf-8")
    assert _resolve(site, "p1", "--outcome", "yes", "--date", "2026-05-01") == 1  # its old slug


def test_adds_exactly_the_block_and_nothing_else(site: SiteFolder) -> None:
    """Catches: re-dumping the YAML (comments, quotes, order, blank lines lost), the block
    put after the comments or inside the body, wrong indentation."""
    path = site.write("odd.md", ODD)
    code = _resolve(
        site, "odd", "--outcome", "yes", "--date", "2026-07-02",
        "--evidence", "https://b.example/result?x=1#top", "--note", "Rained: 3 mm, then sun.",
    )  # fmt: skip
    assert code == 0
    after = path.read_text()
    assert _added(ODD, after) == [
        "  resolution:\n",
        "    outcome: yes\n",
        "    date: 2026-07-02\n",
        "    evidence: https://b.example/result?x=1#top\n",
        '    note: "Rained: 3 mm, then sun."\n',
    ]
    # Right after the mapping's last line, before the blank lines and comments below it.
    assert "# a comment on the last line of the mapping\n  resolution:\n" in after
    assert site.check() == 0
    assert site.build() == 0
    page = site.html("predictions/odd/")
    assert page.select_one(".resolution a.resolution-evidence")["href"] == (
        "https://b.example/result?x=1#top"
    )
    assert "Rained: 3 mm, then sun." in page.select_one(".resolution-note").get_text()


def test_crlf_file_with_four_space_indent_keeps_its_style(site: SiteFolder) -> None:
    """Catches: "\\n" written into a CRLF file, a 2-space block in a 4-space file."""
    text = (
        "---\r\ntitle: Windows\r\ndate: 2026-02-01\r\nauthor: ada\r\nprediction:\r\n"
        "    statement: It works.\r\n    target_date: 2026-06-30\r\n---\r\nBody.\r\n"
    )
    path = site.write("crlf.md", text.encode())
    assert _resolve(site, "crlf", "--outcome", "no") == 0
    after = path.read_bytes().decode()
    assert _added(text, after) == [
        "    resolution:\r\n",
        "        outcome: no\r\n",
        f"        date: {NOW}\r\n",  # --date defaults to --now
    ]
    assert site.check() == 0


def test_flow_style_prediction_stays_flow_style(site: SiteFolder) -> None:
    """Catches: a block written inside a `{...}` mapping (invalid YAML)."""
    text = (
        "---\ntitle: Flow\ndate: 2026-02-01\nauthor: ada\n"
        "prediction: {statement: 'It flows.', target_date: 2026-06-30}\n---\nBody.\n"
    )
    path = site.write("flow.md", text)
    assert _resolve(site, "flow", "--outcome", "void", "--evidence", "https://c.example/") == 0
    assert path.read_text() == text.replace(
        "2026-06-30}",
        "2026-06-30, resolution: {outcome: void, date: 2026-11-25, evidence: https://c.example/}}",
    )
    assert site.check() == 0


def test_force_replaces_the_old_block_only(site: SiteFolder) -> None:
    """Catches: --force adding a second `resolution:` key (a duplicate), or eating the
    lines after the old block."""
    text = prediction_text(
        "Forced",
        prediction_extra="resolution:\n  outcome: no   # premature\n  date: 2026-03-01\n"
        "confidence: 0.6\n",
    )
    path = site.write("forced.md", text)
    assert _resolve(site, "forced", "--outcome", "yes", "--date", "2026-04-01", "--force") == 0
    after = path.read_text()
    assert after == text.replace(
        "  resolution:\n    outcome: no   # premature\n    date: 2026-03-01\n",
        "  resolution:\n    outcome: yes\n    date: 2026-04-01\n",
    )
    assert site.check() == 0


def test_finds_the_file_by_its_slug_field(site: SiteFolder) -> None:
    path = site.write("file-name.md", prediction_text("Named", extra="slug: custom-slug\n"))
    assert _resolve(site, "custom-slug", "--outcome", "yes") == 0
    assert "    outcome: yes\n" in path.read_text()


ERRORS = [
    # (arguments, exit code, words in the message)
    (["oddd", "--outcome", "yes"], 1, ["no prediction with slug 'oddd'", "did you mean odd?"]),
    (["odd", "--outcome", "maybe"], 2, ["invalid choice: 'maybe'", "'yes', 'no', 'void'"]),
    (["odd", "--outcome", "yes", "--date", "2026-01-31"], 1,
     ["2026-01-31 is before the prediction was published (2026-02-01)"]),
    # The day after NOW (catches a resolution dated in the future written as done).
    (["odd", "--outcome", "yes", "--date", "2026-11-26"], 1,
     ["odd.md: resolution date 2026-11-26 is after today (2026-11-25): resolutions are "
      "recorded on the day they happen"]),
    (["odd", "--outcome", "yes", "--date", "2026-02-30"], 2, ["expected a date YYYY-MM-DD"]),
    (["odd", "--outcome", "yes", "--evidence", "see the news"], 1,
     ["--evidence must be an http(s) URL"]),
    (["done", "--outcome", "no"], 1,
     ["'done' is already resolved (yes on 2026-03-01)", "use --force"]),
]  # fmt: skip


@pytest.mark.parametrize(("args", "code", "words"), ERRORS, ids=[e[2][0][:30] for e in ERRORS])
def test_refusals_exit_non_zero_with_a_clear_message_and_touch_nothing(
    site: SiteFolder, args: list[str], code: int, words: list[str]
) -> None:
    """Catches: a traceback or exit 0 on bad input, a vague message, a partial write."""
    site.write("odd.md", ODD)
    site.write(
        "done.md",
        prediction_text("Done", prediction_extra="resolution: {outcome: yes, date: 2026-03-01}\n"),
    )
    before = {p: p.read_bytes() for p in site.root.rglob("*.md")}
    result = subprocess.run(
        [sys.executable, "-m", "builder", "resolve", "--source", str(site.root), "--now", NOW,
         *args],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == code, result.stderr
    message = " ".join(result.stderr.split())  # rich may wrap long lines
    for word in words:
        assert word in message
    assert "Traceback" not in result.stderr
    assert {p: p.read_bytes() for p in site.root.rglob("*.md")} == before
