"""`foretell update`: the file gains exactly one update, every other byte as it was; every
refusal is clear, exits non-zero and touches nothing."""

from __future__ import annotations

import datetime as dt
import stat
import subprocess
import sys

import pytest
from conftest import NOW, SiteFolder, odd_prediction, prediction_text

import builder.trackrecord.update as update_command
from builder.cli import main
from builder.content.loader import parse_prediction
from builder.content.model import Update

ODD = odd_prediction("updates")


def _update(site: SiteFolder, *args: str) -> int:
    return main(["update", "--source", str(site.root), "--now", NOW, *args])


def _updates(site: SiteFolder, name: str) -> tuple[Update, ...]:
    """The updates as the build's loader reads them from the file."""
    source = f"content/predictions/{name}"
    text = (site.root / source).read_text(encoding="utf-8")
    result = parse_prediction(source, text, ["ada", "bo"])
    assert result.prediction is not None, result.problems
    return result.prediction.updates


def test_a_first_update_makes_a_block_list_and_nothing_else_moves(site: SiteFolder) -> None:
    """Catches: re-dumping the YAML (comments, quotes, order, blank lines lost), the list put
    after the comments below the mapping or inside the body, a note that needs quoting
    written plain (": " would make it a mapping)."""
    path = site.write("odd.md", ODD)
    code = _update(
        site, "odd", "--confidence", "0.55", "--date", "2026-03-02",
        "--note", "Forecast: cloudy #2",
    )  # fmt: skip
    assert code == 0
    assert path.read_text(encoding="utf-8") == ODD.replace(
        "mapping\n\n\n# between",
        "mapping\n"
        "  updates:\n"
        '    - {date: 2026-03-02, confidence: 0.55, note: "Forecast: cloudy #2"}\n'
        "\n\n# between",
    )
    assert _updates(site, "odd.md") == (Update(dt.date(2026, 3, 2), 0.55, "Forecast: cloudy #2"),)
    assert site.check() == 0


def test_crlf_block_mappings_with_four_space_indent_keep_their_style(site: SiteFolder) -> None:
    """Catches: "\\n" written into a CRLF file, a `{...}` item under `key: value` items, the
    dash or the keys at other columns than the last item's, the item put after the comment
    that follows the list."""
    text = (
        "---\r\ntitle: Windows\r\ndate: 2026-02-01\r\nauthor: ada\r\nprediction:\r\n"
        "    statement: It works.\r\n    target_date: 2026-12-31\r\n    confidence: 0.7\r\n"
        "    updates:\r\n"
        "    -   date: 2026-03-02   # first\r\n        confidence: 0.6\r\n"
        "    # more to come\r\n"
        "---\r\nBody.\r\n"
    )
    path = site.write("crlf.md", text.encode())
    assert _update(site, "crlf", "--confidence", "0.5", "--note", "  Less sure.  ") == 0
    assert path.read_bytes().decode() == text.replace(
        "        confidence: 0.6\r\n",
        "        confidence: 0.6\r\n"
        f"    -   date: {NOW}\r\n"  # --date defaults to --now
        "        confidence: 0.5\r\n"
        "        note: Less sure.\r\n",  # trimmed, as check reads a note
    )
    assert [u.confidence for u in _updates(site, "crlf.md")] == [0.6, 0.5]
    assert site.check() == 0


def test_flow_mapping_items_get_a_flow_mapping_item(site: SiteFolder) -> None:
    """Catches: the new item written as `key: value` lines under `- {...}` items, or its
    dash at another column, or put below the comment after the list."""
    text = prediction_text(
        "Flow items",
        prediction_extra="confidence: 0.7\nupdates:\n"
        "- {date: 2026-03-02, confidence: 0.6}   # the tender\n"
        "- {date: 2026-04-01, confidence: 0.65, note: 'Back on track.'}\n"
        "# - {date: 2026-05-01, confidence: 0.9}   (a draft, commented out)\n",
    )
    path = site.write("items.md", text)
    assert _update(site, "items", "--confidence", "0.8", "--date", "2026-05-02") == 0
    assert path.read_text(encoding="utf-8") == text.replace(
        "'Back on track.'}\n", "'Back on track.'}\n  - {date: 2026-05-02, confidence: 0.8}\n"
    )
    assert [u.date.day for u in _updates(site, "items.md")] == [2, 1, 2]
    assert site.check() == 0


FLOW_LISTS = [
    # (the updates in the file, how the file reads after the update)
    (
        "updates: [{date: 2026-03-02, confidence: 0.6}]   # kept\n",
        "updates: [{date: 2026-03-02, confidence: 0.6}, {date: 2026-05-02, confidence: 0.8}]"
        "   # kept\n",
    ),
    (
        "updates: [\n    {date: 2026-03-02, confidence: 0.6},\n  ]\n",
        "updates: [\n    {date: 2026-03-02, confidence: 0.6},\n"
        "    {date: 2026-05-02, confidence: 0.8},\n  ]\n",
    ),
    ("updates: []\n", "updates: [{date: 2026-05-02, confidence: 0.8}]\n"),
    ("updates: ~\n", "updates: [{date: 2026-05-02, confidence: 0.8}]\n"),
    ("updates:   # none yet\n",
     "updates:   # none yet\n  - {date: 2026-05-02, confidence: 0.8}\n"),
]  # fmt: skip


@pytest.mark.parametrize(("before", "after"), FLOW_LISTS, ids=["one-line", "lines", "empty",
                                                               "null", "nothing"])  # fmt: skip
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_an_existing_flow_or_empty_list_is_extended_in_place(
    site: SiteFolder, before: str, after: str, newline: str
) -> None:
    """Catches: a second `updates:` key (a duplicate), an item written after the `]` or
    before the last item, a block item after a `[...]`, the comment of `updates:` lost,
    a flow list on several lines joined onto one, "\\n" in a CRLF file."""

    def file(updates: str) -> str:
        return prediction_text(prediction_extra=f"confidence: 0.7\n{updates}").replace(
            "\n", newline
        )

    path = site.write("listed.md", file(before).encode())
    assert _update(site, "listed", "--confidence", "0.8", "--date", "2026-05-02") == 0
    assert path.read_bytes().decode() == file(after)
    assert _updates(site, "listed.md")[-1] == Update(dt.date(2026, 5, 2), 0.8)
    assert site.check() == 0


def test_a_flow_style_prediction_gets_a_flow_list(site: SiteFolder) -> None:
    """Catches: a block list written inside `prediction: {...}` (invalid YAML)."""
    text = (
        "---\ntitle: Flow\ndate: 2026-02-01\nauthor: ada\n"
        "prediction: {statement: 'It flows.', target_date: 2026-06-30, confidence: 0.4}\n"
        "---\nBody.\n"
    )
    path = site.write("flow.md", text)
    assert _update(site, "flow", "--confidence", "1", "--date", "2026-03-01") == 0
    assert path.read_text(encoding="utf-8") == text.replace(
        "confidence: 0.4}", "confidence: 0.4, updates: [{date: 2026-03-01, confidence: 1.0}]}"
    )
    assert site.check() == 0


def test_a_resolved_prediction_takes_an_update_only_with_force(site: SiteFolder) -> None:
    """Catches: --force ignored, or letting an update dated after the resolution through
    (check would then refuse the file)."""
    text = prediction_text(
        "Done", prediction_extra="confidence: 0.3\nresolution: {outcome: yes, date: 2026-05-01}\n"
    )
    path = site.write("done.md", text)
    assert _update(site, "done", "--confidence", "0.9", "--date", "2026-04-30") == 1
    assert _update(site, "done", "--confidence", "0.9", "--date", "2026-05-02", "--force") == 1
    assert path.read_text(encoding="utf-8") == text
    assert _update(site, "done", "--confidence", "0.9", "--date", "2026-05-01", "--force") == 0
    assert _updates(site, "done.md") == (Update(dt.date(2026, 5, 1), 0.9),)
    assert site.check() == 0


def test_an_update_dated_after_today_is_refused_today_being_now_or_the_clock(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: no refusal (a forecast dated after today is shown as the current one), a
    refusal of today itself (`>=`), "today" taken from the clock when --now is given, or
    from --now's absence as no limit at all."""
    text = prediction_text(
        date="2026-01-10", target="2099-12-31", prediction_extra="confidence: 0.5\n"
    )
    path = site.write("soon.md", text)
    assert _update(site, "soon", "--confidence", "0.4", "--date", "2026-11-26") == 1
    err = " ".join(capsys.readouterr().err.split())
    assert err == (
        "error: content/predictions/soon.md: update date 2026-11-26 is after today "
        "(2026-11-25): updates are recorded on the day they happen"
    )
    assert path.read_text(encoding="utf-8") == text
    # Without --now, today is the site's (UTC, SITE_YAML) date: two days on, lest the day
    # change during the test.
    real = dt.datetime.now(dt.UTC).date()
    later = (real + dt.timedelta(days=2)).isoformat()
    args = ["update", "soon", "--confidence", "0.4", "--source", str(site.root)]
    assert main([*args, "--date", later]) == 1
    assert f"update date {later} is after today" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == text
    # Today itself is not in the future.
    assert _update(site, "soon", "--confidence", "0.4", "--date", NOW) == 0
    assert _updates(site, "soon.md") == (Update(dt.date.fromisoformat(NOW), 0.4),)
    assert site.check() == 0


def test_a_tiny_confidence_is_written_as_a_number(site: SiteFolder) -> None:
    """Catches: writing repr() (1e-05), which YAML 1.1 reads as text: check would refuse."""
    path = site.write("tiny.md", prediction_text(prediction_extra="confidence: 0.5\n"))
    assert _update(site, "tiny", "--confidence", "0.00001", "--date", "2026-02-01") == 0
    assert "- {date: 2026-02-01, confidence: 0.00001}\n" in path.read_text(encoding="utf-8")
    assert _updates(site, "tiny.md") == (Update(dt.date(2026, 2, 1), 0.00001),)


def test_the_file_keeps_its_permissions(site: SiteFolder) -> None:
    """Catches: a write through a temporary file that leaves it with mkstemp's 0600."""
    path = site.write("mode.md", prediction_text(prediction_extra="confidence: 0.5\n"))
    path.chmod(0o644)
    assert _update(site, "mode", "--confidence", "0.4", "--date", "2026-02-01") == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in path.parent.iterdir()] == ["mode.md"]  # no temporary file left


@pytest.mark.parametrize(
    "broken",
    [
        # (the text before, the text add_update made) -> the text written
        lambda old, new: new.replace("prediction:", "prediction: [", 1),  # not YAML any more
        lambda old, new: new.replace("A prediction", "Another prediction"),  # another field
        lambda old, new: old,  # the update missing
        lambda old, new: new.replace("0.4", "0.45"),  # another confidence than asked
    ],
    ids=["invalid", "title-changed", "no-update", "other-confidence"],
)
def test_an_edit_that_does_not_read_back_as_intended_is_not_written(
    site: SiteFolder, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], broken
) -> None:
    """Catches: writing without reading the result back, or a read-back that only looks at
    errors or at the updates (an edit that changed another field would pass)."""
    text = prediction_text(prediction_extra="confidence: 0.5\n")
    path = site.write("guard.md", text)
    real = update_command.add_update
    monkeypatch.setattr(update_command, "add_update", lambda t, u: broken(t, real(t, u)))
    assert _update(site, "guard", "--confidence", "0.4", "--date", "2026-02-01") == 1
    assert "could not add the update safely" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == text


def test_update_is_a_listed_command() -> None:
    helped = subprocess.run(
        [sys.executable, "-m", "builder", "--help"], capture_output=True, text=True, timeout=60
    )
    assert "update" in helped.stdout and "record a revised forecast" in helped.stdout


UPDATED = "confidence: 0.7\nupdates:\n  - {date: 2026-03-02, confidence: 0.6}\n"
ERRORS = [
    # (arguments, exit code, the message)
    (["odd", "--confidence", "1.5"], 1, "error: --confidence must be between 0 and 1, got 1.5"),
    (["odd", "--confidence", "55"], 1,
     "error: --confidence must be between 0 and 1, got 55 (did you mean 0.55?)"),
    (["odd", "--confidence", "-0.1"], 1, "error: --confidence must be between 0 and 1, got -0.1"),
    (["odd", "--confidence", "nan"], 1, "error: --confidence must be between 0 and 1, got nan"),
    (["odd", "--confidence", "likely"], 2, "invalid float value: 'likely'"),
    (["odd"], 2, "the following arguments are required: --confidence"),
    (["odd", "--confidence", "0.5", "--date", "2026-02-30"], 2, "expected a date YYYY-MM-DD"),
    (["oddd", "--confidence", "0.5"], 1,
     "error: no prediction with slug 'oddd'; did you mean odd?"),
    (["odd", "--confidence", "0.5", "--date", "2026-02-01"], 1,
     "error: content/predictions/odd.md: update date 2026-02-01 must be after the publication "
     "date 2026-02-01"),
    (["odd", "--confidence", "0.5", "--date", "2026-07-01"], 1,
     "error: content/predictions/odd.md: update date 2026-07-01 must not be after the target "
     "date 2026-06-30"),
    (["odd", "--confidence", "0.5"], 1,  # today, NOW, is after the target date
     "error: content/predictions/odd.md: update date 2026-11-25 must not be after the target "
     "date 2026-06-30 (the date defaults to today: give one with --date)"),
    (["updated", "--confidence", "0.5", "--date", "2026-11-26"], 1,  # the day after NOW
     "error: content/predictions/updated.md: update date 2026-11-26 is after today "
     "(2026-11-25): updates are recorded on the day they happen"),
    (["updated", "--confidence", "0.5", "--date", "2026-03-02"], 1,
     "error: content/predictions/updated.md: update date 2026-03-02 must be after the "
     "previous update's date 2026-03-02 (updates are listed oldest first, at most one a day)"),
    (["updated", "--confidence", "0.5", "--date", "2026-03-01"], 1,
     "error: content/predictions/updated.md: update date 2026-03-01 must be after the "
     "previous update's date 2026-03-02"),
    (["done", "--confidence", "0.5", "--date", "2026-02-02"], 1,
     "error: content/predictions/done.md: 'done' is already resolved (yes on 2026-03-01); use "
     "--force to add an update dated before the resolution anyway"),
    (["done", "--confidence", "0.5", "--date", "2026-03-02", "--force"], 1,
     "error: content/predictions/done.md: update date 2026-03-02 must not be after the "
     "resolution date 2026-03-01"),
    (["bare", "--confidence", "0.5", "--date", "2026-02-02"], 1,
     "error: content/predictions/bare.md: 'bare' has no prediction.confidence: an update "
     "revises the confidence first published, so give that one first"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "code", "message"), ERRORS, ids=[e[2][7:47] for e in ERRORS])
def test_refusals_exit_non_zero_with_a_clear_message_and_touch_nothing(
    site: SiteFolder, args: list[str], code: int, message: str
) -> None:
    """Catches: a traceback or exit 0 on bad input, a vague message, a partial write, and
    each rule check holds updates to missing (then check would refuse the file)."""
    site.write("odd.md", ODD)
    site.write(
        "updated.md", prediction_text("Updated", date="2026-02-01", prediction_extra=UPDATED)
    )
    site.write(
        "done.md",
        prediction_text(
            "Done", date="2026-02-01",
            prediction_extra="confidence: 0.5\nresolution: {outcome: yes, date: 2026-03-01}\n",
        ),
    )  # fmt: skip
    site.write("bare.md", prediction_text("Bare", date="2026-02-01"))
    before = {p: p.read_bytes() for p in site.root.rglob("*.md")}
    result = subprocess.run(
        [sys.executable, "-m", "builder", "update", "--source", str(site.root), "--now", NOW,
         *args],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == code, result.stderr
    assert message in " ".join(result.stderr.split()), result.stderr  # rich may wrap lines
    assert "Traceback" not in result.stderr
    assert {p: p.read_bytes() for p in site.root.rglob("*.md")} == before
