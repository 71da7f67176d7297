"""`track-record.csv`, the export for a forecaster's spreadsheet: one row per published
prediction, in slug order, with the same figures as `track-record.json`.

Columns: the question (the prediction's statement), its author's name, when it was published
(`created`), its target date, its first forecast (`confidence`) and the one standing now
(`current_confidence`, the last update's), its resolution (yes, no or void; empty while open)
and resolution date, its Brier score and points (over its life, each confidence for the time it
stood, as the JSON's), its tags joined with ";", its page's absolute URL, and the readers'
forecast once resolved (`crowd_confidence`, `crowd_brier`, `crowd_points`: from their final votes
in content/crowd.json, trackrecord/crowd.py). Confidences are
fractions (0.8), dates ISO 8601, and a figure that does not apply (an open prediction's Brier
score) is an empty cell.
"""

from __future__ import annotations

import csv
import io

from builder.content.model import Prediction
from builder.render.outputs import Memo, Output
from builder.render.templates import PageSpec
from builder.site import urls
from builder.site.model import Site
from builder.trackrecord.records import forecast
from builder.trackrecord.scoring import (
    POINTS_DECIMALS,
    SCORE_DECIMALS,
    forecast_brier,
    forecast_points,
    rounded,
)

CSV_FILE = "track-record.csv"
COLUMNS = (
    "question", "author", "created", "target_date", "confidence", "current_confidence",
    "resolution", "resolution_date", "brier", "points", "tags", "url",
    "crowd_confidence", "crowd_brier", "crowd_points",
)  # fmt: skip
TAG_SEPARATOR = ";"
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection); text
# that starts so gets a leading apostrophe, which spreadsheets read as "this is text".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Row = tuple[str, ...]


def track_record_csv(site: Site, memo: Memo) -> bytes:
    """The whole file: a header, then a row per published prediction by slug. "\\n" line ends
    and the csv module's minimal quoting, so the same input gives the same bytes; a row's line
    is kept in `memo` between builds, so one edit does not format the other 9,999 again."""
    live = sorted((p for p in site.predictions if not p.draft), key=lambda p: p.slug)
    # What a row shows beyond its prediction's file and history, the same for every row but
    # its author's name: the scoring rules (a late prediction scored or not) and the site's URL.
    shared = (site.includes_late, site.config.track_record.update_grace_days, site.config.url)
    names = {key: site.author(key).name for key in {p.author for p in live}}
    lines = [
        memo.get(_line_key(p, site, (shared, names[p.author])), lambda p=p: row_line(p, site))
        for p in live
    ]
    return (_encode(COLUMNS) + "".join(lines)).encode("utf-8")


def _line_key(p: Prediction, site: Site, shown: object) -> str:
    crowd = (site.crowd.get(p.slug), site.config.crowd.min_votes)
    history = repr(site.history.get(p.slug))
    return Memo.key("track-record-csv", p.digest, p.slug, history, shown, crowd)


def row_line(p: Prediction, site: Site) -> str:
    """The file's line of `p`, line break included."""
    return _encode(_row(p, site))


def _encode(row: Row) -> str:
    """One row as a CSV line, quoted where a cell needs it (a comma, a quote, a line break)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(row)
    return out.getvalue()


def _row(p: Prediction, site: Site) -> Row:
    # As the author's figures see it: a late one unscored, a backdated update from its commit.
    scored = forecast(site.scored(p))
    resolution = p.resolution
    crowd = site.crowd_forecast(p)
    return (
        _text(p.statement),
        _text(site.author(p.author).name),
        p.date.isoformat(),
        p.target_date.isoformat(),
        _number(p.confidence),
        _number(p.current_confidence),
        resolution.outcome if resolution else "",
        resolution.date.isoformat() if resolution else "",
        _number(rounded(forecast_brier(scored), SCORE_DECIMALS)),
        _number(rounded(forecast_points(scored), POINTS_DECIMALS)),
        _text(TAG_SEPARATOR.join(p.tags)),
        urls.absolute(site.config.url, p.url),
        _number(rounded(crowd.probability, SCORE_DECIMALS) if crowd else None),
        _number(rounded(crowd.brier, SCORE_DECIMALS) if crowd else None),
        _number(rounded(crowd.points, POINTS_DECIMALS) if crowd else None),
    )


def _number(value: float | None) -> str:
    # str() of a float is its shortest round-trip form, as json writes it: 0.8, 58.5, -232.19.
    return "" if value is None else str(value)


def _text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def track_record_csv_files(site: Site, _specs: list[PageSpec], memo: Memo) -> list[Output]:
    """The pipeline extra: made again only when what it holds may have changed, a prediction's
    file or its history. (Authors' names, the site's URL and the scoring rules are in
    site.yaml, which is in every output's key.)"""
    inputs = {
        "predictions": site.export_digest,  # what they show of each
        "history": tuple(sorted(site.history.items())),
        "crowd": tuple(sorted(site.crowd.items())),  # the readers' final votes
    }
    return [Output(CSV_FILE, inputs, lambda: track_record_csv(site, memo))]
