"""Track records: every author's scores and the site's, computed once per build, and
`track-record.json`, the audit file. Pure functions over the model; no I/O.

Only published predictions count: a draft is never part of anyone's record, not even in a
`--drafts` preview, so a preview shows the record readers will see.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from builder.config import SiteConfig
from builder.model import AuthorStats, Prediction, Site
from builder.render import PageSpec
from builder.scoring import POINTS_DECIMALS, Forecast, Scores, points, score

JSON_FILE = "track-record.json"


def forecast(prediction: Prediction) -> Forecast:
    resolution = prediction.resolution
    return Forecast(prediction.confidence, resolution.outcome if resolution else None)


def author_records(
    config: SiteConfig, predictions: Iterable[Prediction]
) -> tuple[dict[str, AuthorStats], Scores]:
    """Each author's record (every author of site.yaml, in its order) and the site's.

    One pass over the predictions: pages then look records up by key, so the cost stays
    O(predictions) per build rather than O(predictions) per page.
    """
    names = {a.key: a.name for a in config.authors}
    groups: dict[str, list[Forecast]] = {key: [] for key in names}
    everyone: list[Forecast] = []
    for prediction in predictions:
        if prediction.draft:
            continue
        item = forecast(prediction)
        groups.setdefault(prediction.author, []).append(item)
        everyone.append(item)
    records = {
        key: AuthorStats(key=key, name=names.get(key, key), scores=score(items))
        for key, items in groups.items()
    }
    return records, score(everyone)


def prediction_points(prediction: Prediction) -> float | None:
    """Points a resolved yes/no prediction with a confidence earned; None otherwise."""
    item = forecast(prediction)
    if not item.is_scored:
        return None
    return points(item.confidence, item.outcome)  # type: ignore[arg-type]


def track_record_json(site: Site) -> bytes:
    """The audit file: the same figures as the pages, plus each prediction's own.

    Sorted keys, fixed rounding (scoring.Scores.as_dict) and no clock: the same input
    gives the same bytes.
    """
    data = {
        "site": {"title": site.config.title, "url": site.config.url, **site.record.as_dict()},
        "authors": {
            key: {"name": stats.name, "url": stats.url, **stats.scores.as_dict()}
            for key, stats in site.records.items()
        },
        "predictions": {
            p.slug: _prediction_entry(p, site.history) for p in site.predictions if not p.draft
        },
    }
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _prediction_entry(p: Prediction, history: Mapping[str, Any]) -> dict[str, Any]:
    earned = prediction_points(p)
    found = history.get(p.slug)
    return {
        "url": p.url,
        "author": p.author,
        "date": p.date.isoformat(),
        "statement": p.statement,
        "target_date": p.target_date.isoformat(),
        "confidence": p.confidence,
        "outcome": p.resolution.outcome if p.resolution else None,
        "resolution_date": p.resolution.date.isoformat() if p.resolution else None,
        "evidence": p.resolution.evidence if p.resolution else None,
        # `+ 0.0` turns a rounded -0.0 into 0.0, as Scores.as_dict does.
        "points": None if earned is None else round(earned, POINTS_DECIMALS) + 0.0,
        "history": found.as_dict() if found is not None else None,
    }


def track_record_files(site: Site, _specs: list[PageSpec]) -> dict[str, bytes]:
    """The pipeline extra."""
    return {JSON_FILE: track_record_json(site)}
