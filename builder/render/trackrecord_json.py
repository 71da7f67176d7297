"""`track-record.json`, the audit file: the same figures as the pages, plus each prediction's
own, in a form a diff can read."""

from __future__ import annotations

import json
from typing import Any

from builder.content.model import Prediction
from builder.render.outputs import Memo, Output
from builder.render.templates import PageSpec
from builder.site.model import Site
from builder.trackrecord.records import forecast
from builder.trackrecord.scoring import (
    POINTS_DECIMALS,
    SCORE_DECIMALS,
    first_brier,
    forecast_brier,
    forecast_points,
    rounded,
)
from builder.trackrecord.slices import SliceGroup
from builder.trackrecord.stamps.verdict import Stamp

JSON_FILE = "track-record.json"


def track_record_json(site: Site, memo: Memo) -> bytes:
    """The audit file: the same figures as the pages, plus each prediction's own.

    Sorted keys, fixed rounding (scoring.Scores.as_dict) and no clock: the same input
    gives the same bytes. One entry (an author, a prediction, a site figure) per line, so a
    diff of two builds shows exactly which entries changed; a prediction's line is kept in
    `memo` between builds, so one edit does not re-encode the other 9,999.
    """
    site_figures = {
        "title": site.config.title,
        "url": site.config.url,
        **site.site_scores.as_dict(),
        # Recorded after the fact (trackrecord/vouch.py), and whether the figures count them.
        "late": sum(stats.late for stats in site.stats.values()),
        "include_late": site.includes_late,
        # Timestamped on or before the date that settled them (trackrecord/stamps/).
        "stamped": sum(stats.stamped for stats in site.stats.values()),
        "stamped_only": site.config.track_record.stamped_only,
        # Past the target date without an outcome, on the build's today (overdue.py).
        **site.overdue.as_dict(),
        "slices": _slices_dict(site.slices()),
        # Every author against the readers, on the predictions both are scored on.
        "crowd": site.against_crowd().as_dict(),
    }
    overdue = site.overdue_by_author
    authors = {
        key: {
            "name": stats.name,
            "url": stats.url,
            **site.author_scores[key].as_dict(),
            "late": stats.late,
            "stamped": stats.stamped,
            **overdue[key].as_dict(),
            "slices": _slices_dict(site.slices(key)),
            "crowd": site.against_crowd(key).as_dict(),
        }
        for key, stats in site.stats.items()
    }
    predictions = sorted(
        (p.slug, memo.get(_line_key(p, site), lambda p=p: prediction_line(p, site)))
        for p in site.predictions
        if not p.draft
    )
    blocks = [
        _block("authors", [_line(key, value) for key, value in sorted(authors.items())]),
        _block("predictions", [line for _, line in predictions]),
        _block("site", [_line(key, value) for key, value in sorted(site_figures.items())]),
    ]
    return ("{\n" + ",\n".join(blocks) + "\n}\n").encode()


def _slices_dict(groups: tuple[SliceGroup, ...]) -> dict[str, Any]:
    # Every kind present, empty or not, so a reader of the file finds a fixed shape.
    return {
        g.kind: {s.key: {"name": s.name, **s.scores.as_dict()} for s in g.slices} for g in groups
    }


def _block(name: str, lines: list[str]) -> str:
    # Not json.dumps(indent=...): that uses json's pure-Python encoder, a noticeable share
    # of a build at 10,000 predictions.
    inner = "{\n" + ",\n".join(lines) + "\n  }" if lines else "{}"
    return f"  {_compact(name)}: {inner}"


def _line(key: str, value: Any) -> str:
    return f"    {_compact(key)}: {_compact(value)}"


def _line_key(p: Prediction, site: Site) -> str:
    # The slug, history and what the scores make of it are not in the file's bytes (the
    # digest), so they are in the key.
    rules = (site.includes_late, site.config.track_record.update_grace_days)
    # What a timestamp changes in the line: its "timestamp", and through it "late" and the
    # scores, as stamped_only decides.
    stamps = (site.stamps_of(p).first, site.config.track_record.stamped_only)
    crowd = (site.crowd.get(p.slug), site.config.crowd.min_votes)
    history = repr(site.history.get(p.slug))
    return Memo.key("track-record", p.digest, p.slug, history, rules, repr(stamps), crowd)


def prediction_line(p: Prediction, site: Site) -> str:
    """The file's line of `p` (in the predictions block, between ",\n" separators)."""
    return _line(p.slug, _prediction_entry(p, site))


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _prediction_entry(p: Prediction, site: Site) -> dict[str, Any]:
    # As the author's figures see it: a late one unscored, a backdated update from its commit.
    scored = forecast(site.scored(p))
    found = site.history.get(p.slug)
    return {
        "url": p.url,
        "author": p.author,
        "date": p.date.isoformat(),
        "statement": p.statement,
        "target_date": p.target_date.isoformat(),
        "confidence": p.confidence,
        "updates": [
            {"date": u.date.isoformat(), "confidence": u.confidence, "note": u.note}
            for u in p.updates
        ],
        "outcome": p.resolution.outcome if p.resolution else None,
        "resolution_date": p.resolution.date.isoformat() if p.resolution else None,
        "evidence": p.resolution.evidence if p.resolution else None,
        # Weighted by the time each forecast stood, as the author's figures are.
        "points": rounded(forecast_points(scored), POINTS_DECIMALS),
        "brier": rounded(forecast_brier(scored), SCORE_DECIMALS),
        "first_brier": rounded(first_brier([scored]), SCORE_DECIMALS),
        "history": found.as_dict() if found is not None else None,
        "late": site.vouched(p).late,
        "timestamp": _timestamp(site.stamps_of(p).first),
        # The readers' forecast from their final votes, once resolved (trackrecord/crowd.py).
        "crowd": crowd.as_dict() if (crowd := site.crowd_forecast(p)) is not None else None,
    }


def _timestamp(first: Stamp | None) -> dict[str, str] | None:
    """The first stamp of the claim as published: by whom, when (UTC), which token."""
    if first is None:
        return None
    when = first.time.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"authority": first.authority, "time": when, "token": first.token}


def track_record_files(site: Site, _specs: list[PageSpec], memo: Memo) -> list[Output]:
    """The pipeline extra: the JSON is made again only when what it holds may have changed
    (a prediction's file, its history, an author's name, the site's title or URL)."""
    inputs = {
        "predictions": site.export_digest,  # what they show of each
        "history": tuple(sorted(site.history.items())),
        "stamps": tuple((slug, s.first) for slug, s in sorted(site.stamps.items())),
        "authors": tuple(site.stats.values()),
        "site": (site.config.title, site.config.url),
        "tag_threshold": site.config.track_record.tag_threshold,  # which tags get a slice
        "crowd": tuple(sorted(site.crowd.items())),  # the readers' final votes
        # They change with the day, not with any file.
        "overdue": (site.overdue, site.overdue_by_author),
    }
    return [Output(JSON_FILE, inputs, lambda: track_record_json(site, memo))]
