"""`foretell import`: another tracker's export becomes prediction files that build into the
same track record: the same questions, probabilities and outcomes as the export.

The expected records are computed here from the sample files with plain csv/json reading,
independently of the importer; the samples are hand-written in the real formats (see
tests/samples/ and the importers' docstrings for where the formats come from).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import SiteFolder, prediction_text

from builder.cli import main
from builder.content.importers import writer

SAMPLES = Path(__file__).resolve().parent / "samples"
FATEBOOK = SAMPLES / "fatebook-export.csv"
PB_JSON = SAMPLES / "predictionbook-export.json"
PB_CSV = SAMPLES / "predictionbook-export.csv"
BUILD_DAY = "2026-12-06"

# What the samples' bad rows must produce, one line each (the rows are deliberately wrong).
FATEBOOK_SKIPPED = [
    f"{FATEBOOK}:16: Forecast (scale = 0-1): must be between 0 and 1, got '70' (did you mean 0.7?)",
    f"{FATEBOOK}:17: Multiple choice option: a multiple-choice question: only yes/no "
    "questions can be imported",
    f"{FATEBOOK}:18: Forecast created by: no forecast by the question's creator, 'Bo Ek'",
    f"{FATEBOOK}:19: Question resolve by: expected a date like 2026-01-31, got 'next winter'",
]
FATEBOOK_BAD_TITLES = {
    "Will the Rust 2027 edition ship in 2027?",
    "Who will win the 2026 World Cup?",
    "Will Bo finish the Berlin marathon under 4 hours?",
    "Will it snow in Madrid on Christmas Day?",
}
PB_JSON_SKIPPED = [
    f"{PB_JSON}: predictions.4.deadline: not a real date: '2026-13-45T00:00:00.000Z' "
    "(month must be in 1..12)",
    f"{PB_JSON}: predictions.5.responses: no wager by the prediction's creator, 'Ada Quill'",
]
PB_CSV_SKIPPED = [
    f"{PB_CSV}:6: deadline: not a real date: '2026-13-45 00:00:00 UTC' (month must be in 1..12)",
]
PB_BAD_IDS = {"105"}  # the CSV's only bad row; the JSON also leaves out 106 (no own wager)

Record = tuple[str, str, str, float | None, str | None, str | None]


def _import(site: SiteFolder, tracker: str, path: Path, *args: str) -> int:
    return main(["import", tracker, str(path), "--source", str(site.root), *args])


def _lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().err.splitlines()


def _track_record(site: SiteFolder) -> list[Record]:
    """(statement, date, target date, confidence, outcome, resolution date) of every
    prediction in the built track-record.json."""
    assert main(["build", "--source", str(site.root), "--now", BUILD_DAY]) == 0
    data = json.loads((site.output / "track-record.json").read_text(encoding="utf-8"))
    return sorted(
        (
            p["statement"],
            p["date"],
            p["target_date"],
            p["confidence"],
            p["outcome"],
            p["resolution_date"],
        )
        for p in data["predictions"].values()
    )


def _files(site: SiteFolder) -> dict[str, bytes]:
    folder = site.root / "content" / "predictions"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# --- Expected records, read from the samples without the importer ------------------------


def _fatebook_expected(forecaster: str | None = None) -> list[Record]:
    outcomes = {"YES": "yes", "NO": "no", "AMBIGUOUS": "void", "": None}
    with FATEBOOK.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    latest: dict[tuple[str, str], tuple[dt.datetime, dict[str, str]]] = {}
    for r in rows:
        whose = forecaster or r["Question created by"]
        if r["Question title"] in FATEBOOK_BAD_TITLES or r["Forecast created by"] != whose:
            continue
        when = dt.datetime.strptime(r["Forecast created at"], "%Y-%m-%d %H:%M:%S")
        key = (r["Question title"], r["Question created at"])
        if key not in latest or when > latest[key][0]:
            latest[key] = (when, r)
    return sorted(
        (
            r["Question title"],
            r["Question created at"][:10],
            r["Question resolve by"][:10],
            float(r["Forecast (scale = 0-1)"]),
            outcomes[r["Resolution"]],
            r["Resolved at"][:10] or None,
        )
        for _, r in latest.values()
    )


def _pb_json_expected() -> list[Record]:
    records = []
    for p in json.loads(PB_JSON.read_text(encoding="utf-8"))["predictions"]:
        own = [r for r in p["responses"] if r["user_id"] == p["creator_id"] and r["confidence"]]
        if str(p["id"]) in PB_BAD_IDS or not own:
            continue
        last = max(own, key=lambda r: r["created_at"])  # ISO 8601 in UTC: sorts as text
        records.append(_pb_record(p, last["confidence"]))
    return sorted(records)


def _pb_csv_expected() -> list[Record]:
    with PB_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return sorted(
        _pb_record(
            {
                **r,
                "outcome": {"true": True, "false": False}.get(r["outcome"]),
                "withdrawn": r["withdrawn"] == "true",
            },
            int(r["mean_confidence"]),
        )
        for r in rows
        if r["id"] not in PB_BAD_IDS
    )


def _pb_record(p: dict, percent: int) -> Record:
    if p["withdrawn"]:
        outcome, resolved = "void", p["updated_at"][:10]
    elif p["outcome"] is None:
        outcome, resolved = None, None
    else:
        outcome, resolved = ("yes" if p["outcome"] else "no"), p["last_judgement_at"][:10]
    return (
        p["description_with_group"],
        p["created_at"][:10],
        p["deadline"][:10],
        percent / 100,
        outcome,
        resolved,
    )


# --- Round trips ---------------------------------------------------------------------------


def test_fatebook_export_builds_into_the_same_track_record(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: a forecast other than the creator's latest (the last row, another user's,
    "18:02:4" sorted as text after "18:02:35"), percentages taken for probabilities,
    AMBIGUOUS not void, YAML written by hand (the quoted statement with a colon), a note's
    "[2]" left as a citation (the file would not load), the bad rows not reported."""
    assert _import(site, "fatebook", FATEBOOK) == 1  # some rows were left out
    lines = _lines(capsys)
    assert lines == [*FATEBOOK_SKIPPED, "Imported 6 predictions into content/predictions/, "
                     "skipped 4."]  # fmt: skip
    expected = _fatebook_expected()
    assert len(expected) == 6
    assert _track_record(site) == expected
    ecb = site.root / "content/predictions/will-the-ecb-cut-its-deposit-rate-before-1-july-2026.md"
    body = ecb.read_text(encoding="utf-8").split("---\n", 2)[2]
    assert "Base rate: it moved at 3 of the last 4 June meetings" in body  # the notes
    assert "60% (2026-01-05), 70% (2026-02-10), 75% (2026-02-10)" in body  # the history
    # Two questions with one title get two files; a long title, a shorter file name.
    names = set(_files(site))
    assert {"will-it-rain-in-oslo-tomorrow.md", "will-it-rain-in-oslo-tomorrow-2.md"} <= names
    assert all(len(name) <= writer.SLUG_LENGTH + len(".md") for name in names), names


def test_fatebook_forecaster_option_takes_that_persons_forecasts(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: --forecaster ignored (Bo's question would stay skipped, and the creator's
    forecasts taken instead of the named person's)."""
    assert _import(site, "fatebook", FATEBOOK, "--forecaster", "Bo Ek") == 1
    lines = _lines(capsys)
    assert lines[-1] == "Imported 1 prediction into content/predictions/, skipped 9."
    assert _track_record(site) == _fatebook_expected("Bo Ek")  # the ECB question, at 30%
    assert _track_record(site)[0][3] == 0.3


def test_predictionbook_json_builds_into_the_same_track_record(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: the mean confidence or another user's wager taken for the creator's latest,
    percentages not divided by 100, a withdrawn prediction not void, the group left out of
    a grouped prediction's statement, the bad items not reported (by their JSON path)."""
    assert _import(site, "predictionbook", PB_JSON) == 1
    assert _lines(capsys) == [
        *PB_JSON_SKIPPED,
        "Imported 4 predictions into content/predictions/, skipped 2.",
    ]
    expected = _pb_json_expected()
    assert len(expected) == 4
    assert _track_record(site) == expected


def test_predictionbook_csv_builds_into_the_same_track_record(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: the CSV (no wagers, only the mean) refused or read as JSON, "true"/"false"
    cells not read as outcomes, the author not told whose confidence the CSV holds."""
    assert _import(site, "predictionbook", PB_CSV) == 1
    lines = _lines(capsys)
    assert lines[0] == PB_CSV_SKIPPED[0]
    assert lines[1].startswith(f"note: {PB_CSV}: PredictionBook's CSV export has only the mean")
    assert lines[2] == "Imported 5 predictions into content/predictions/, skipped 1."
    expected = _pb_csv_expected()
    assert len(expected) == 5
    assert _track_record(site) == expected


# --- Never twice, never over -----------------------------------------------------------------


def test_importing_again_writes_nothing(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: a second import writing "-2" copies, or rewriting the files (an author's
    edits since the first import lost); a renamed file not recognised as the question."""
    assert _import(site, "fatebook", FATEBOOK) == 1
    folder = site.root / "content" / "predictions"
    (folder / "will-it-rain-in-oslo-tomorrow.md").rename(folder / "oslo-rain.md")
    edited = folder / "ganara-el-cruz-azul-el-clausura-2026.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nMy later thoughts.\n", "utf-8")
    before = _files(site)
    capsys.readouterr()
    assert _import(site, "fatebook", FATEBOOK) == 1  # the bad rows are still bad
    lines = _lines(capsys)
    assert _files(site) == before
    assert (
        f"{FATEBOOK}:14: already on the site as content/predictions/oslo-rain.md; left as it is"
        in lines
    )
    assert sum("already on the site as" in line for line in lines) == 6
    assert (
        lines[-1] == "Imported 0 predictions into content/predictions/, skipped 4; 6 already there."
    )


def test_existing_files_are_never_overwritten(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: writing over a hand-written file that has the slug (it gets the next free
    one), over a file that does not load (skipped, named), or a slug another file claims
    with its `slug:` field (a clash `check` would refuse)."""
    mine = site.write("will-it-rain-in-oslo-tomorrow.md", prediction_text("Oslo", author="bo"))
    claimed = site.write(
        "elsewhere.md",
        prediction_text("Elsewhere", extra="slug: will-it-rain-in-oslo-tomorrow-2\n"),
    )
    broken = site.write("ganara-el-cruz-azul-el-clausura-2026.md", "not a prediction\n")
    before = {path: path.read_bytes() for path in (mine, claimed, broken)}
    assert _import(site, "fatebook", FATEBOOK) == 1
    lines = _lines(capsys)
    assert {path: path.read_bytes() for path in before} == before
    names = set(_files(site))
    assert {"will-it-rain-in-oslo-tomorrow-3.md", "will-it-rain-in-oslo-tomorrow-4.md"} <= names
    assert (
        f"{FATEBOOK}:11: content/predictions/ganara-el-cruz-azul-el-clausura-2026.md "
        "exists and does not load (run foretell check); not overwritten" in lines
    )
    assert lines[-1] == "Imported 5 predictions into content/predictions/, skipped 5."
    broken.unlink()  # the one file in the way of `foretell check`, and not ours
    assert site.check() == 0


def test_a_file_made_while_importing_is_not_overwritten(
    site: SiteFolder, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches: opening the file for writing with "w" (which would replace a file an editor
    saved between the importer's look at the folder and its write) instead of "x"."""
    parse = writer.parse_prediction
    oslo = site.root / "content/predictions/will-it-rain-in-oslo-tomorrow.md"

    def someone_saves_meanwhile(source: str, text: str, authors: object) -> object:
        if source.endswith("/will-it-rain-in-oslo-tomorrow.md") and not oslo.exists():
            oslo.write_text("an editor's file\n", encoding="utf-8")
        return parse(source, text, authors)  # type: ignore[arg-type]

    monkeypatch.setattr(writer, "parse_prediction", someone_saves_meanwhile)
    assert _import(site, "fatebook", FATEBOOK) == 1
    assert oslo.read_text(encoding="utf-8") == "an editor's file\n"
    message = "content/predictions/will-it-rain-in-oslo-tomorrow.md appeared meanwhile; not"
    assert f"{FATEBOOK}:14: {message} overwritten" in _lines(capsys)


def test_a_file_the_loader_refuses_is_a_skipped_row(
    site: SiteFolder, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches: writing a file without reading it back through the build's loader (here a
    confidence the loader refuses): it is reported with the loader's own message instead."""
    render = writer.render

    def percent_for_oslo(question: writer.Question, author: str) -> str:
        text = render(question, author)
        return text.replace("confidence: 0.8\n", "confidence: 80\n")

    monkeypatch.setattr(writer, "render", percent_for_oslo)
    assert _import(site, "fatebook", FATEBOOK) == 1
    lines = _lines(capsys)
    assert (
        f"{FATEBOOK}:14: prediction.confidence: must be between 0 and 1, got 80 (did you "
        "mean 0.8?) (as content/predictions/will-it-rain-in-oslo-tomorrow.md)" in lines
    )
    assert not any(b"confidence: 80" in data for data in _files(site).values())
    assert lines[-1] == "Imported 5 predictions into content/predictions/, skipped 5."
    assert site.check() == 0


# --- Exit codes and refusals ---------------------------------------------------------------


def test_a_clean_export_exits_0_and_author_option_is_used(
    site: SiteFolder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: a non-zero exit when every row was imported; --author ignored."""
    clean = tmp_path / "clean.csv"
    clean.write_text("".join(FATEBOOK.read_text(encoding="utf-8").splitlines(True)[:15]), "utf-8")
    assert _import(site, "fatebook", clean, "--author", "bo") == 0
    assert _lines(capsys) == ["Imported 6 predictions into content/predictions/, skipped 0."]
    texts = [
        path.read_text(encoding="utf-8") for path in (site.root / "content/predictions").iterdir()
    ]
    assert len(texts) == 6 and all("\nauthor: bo\n" in text for text in texts)


@pytest.mark.parametrize(
    ("tracker", "path", "args", "message"),
    [
        ("fatebook", SAMPLES / "missing.csv", (), "missing.csv: cannot be read"),
        ("fatebook", PB_CSV, (), ":1: header: no column 'Question title', "),
        ("predictionbook", FATEBOOK, (), ":1: header: no column 'created_at', "),
        ("fatebook", FATEBOOK, ("--author", "zed"), "unknown author 'zed'"),
    ],
)
def test_nothing_is_written_when_the_file_or_the_author_is_wrong(
    site: SiteFolder,
    capsys: pytest.CaptureFixture[str],
    tracker: str,
    path: Path,
    args: tuple[str, ...],
    message: str,
) -> None:
    """Catches: a traceback, or rows "imported" from the wrong tracker's file, or an author
    the site does not have written into every file."""
    assert _import(site, tracker, path, *args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err, err
    assert not (site.root / "content" / "predictions").exists()
