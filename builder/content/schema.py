"""The front-matter contract of a prediction file: fields, types and rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from builder.config.fields import FieldReader
from builder.content import aliases
from builder.content.model import OUTCOMES, Reference, Resolution, Update
from builder.content.slugs import is_safe_slug

TOP_KEYS = (
    "title", "date", "author", "category", "tags", "draft", "slug", "prediction", "references",
    "aliases",
)  # fmt: skip
PREDICTION_KEYS = ("statement", "target_date", "confidence", "resolution", "updates")
RESOLUTION_KEYS = ("outcome", "date", "evidence", "note")
UPDATE_KEYS = ("date", "confidence", "note")
REFERENCE_KEYS = ("title", "url", "publisher", "date")


def read_front_matter(r: FieldReader, default_slug: str, authors: Collection[str]) -> dict | None:
    """Check every field and return the keyword arguments of a Prediction (minus the body)."""
    if r.mapping("") is None:
        r.report("", "front matter must be a mapping of fields (key: value)")
        return None
    r.unknown_keys("", TOP_KEYS)
    r.unknown_keys("prediction", PREDICTION_KEYS)
    r.unknown_keys("prediction.resolution", RESOLUTION_KEYS)
    values = {
        "title": r.string("title", required=True),
        "date": r.date("date", required=True),
        "author": _author(r, authors),
        "category": r.string("category"),
        "tags": _tags(r),
        "draft": r.boolean("draft"),
        "slug": _slug(r, default_slug),
        "references": _references(r),
        "aliases": _aliases(r),
    }
    # Without the claim, its statement and date are not reported missing too: one error.
    if r.mapping("prediction", required=True) is None:
        return None
    values |= {
        "statement": r.string("prediction.statement", required=True),
        "target_date": r.date("prediction.target_date", required=True),
        "confidence": _confidence(r, "prediction.confidence"),
        "resolution": _resolution(r),
    }
    updates, dated = _updates(r)
    values["updates"] = updates
    required = ("title", "date", "author", "slug", "statement", "target_date")
    if any(values[name] is None for name in required):
        return None
    _date_warnings(r, values)
    _update_dates(r, values, dated)
    return values


def _author(r: FieldReader, authors: Collection[str]) -> str | None:
    key = r.string("author", required=True)
    if key is not None and key not in authors:
        known = ", ".join(sorted(authors)) or "none: add them under authors: in site.yaml"
        r.report("author", f"unknown author {key!r} (authors in site.yaml: {known})")
        return None
    return key


def _tags(r: FieldReader) -> tuple[str, ...]:
    tags = []
    for index, _ in enumerate(r.sequence("tags")):
        tag = r.string(f"tags.{index}")
        if tag:
            tags.append(tag)
    return tuple(dict.fromkeys(tags))


def _aliases(r: FieldReader) -> tuple[str, ...]:
    """Old addresses of the prediction, normalised ("old/path/"), each once."""
    found = []
    for index, _ in enumerate(r.sequence("aliases")):
        text = r.string(f"aliases.{index}")
        if text is None:
            continue
        alias, problem = aliases.normalise(text)
        if problem is not None:
            r.report(f"aliases.{index}", problem)
        elif alias is not None:
            found.append(alias)
    return tuple(dict.fromkeys(found))


def _slug(r: FieldReader, default: str) -> str | None:
    explicit = r.string("slug")
    slug = explicit or default
    if not is_safe_slug(slug):
        where = "" if explicit else " (taken from the file name)"
        r.report(
            "slug",
            f"unsafe slug {slug!r}{where}: use lower-case letters, digits, '-' and '_' "
            "(no spaces, dots or slashes)",
            line=r.line_of("slug") if explicit else 1,
        )
        return None
    return slug


def confidence_problem(value: float) -> str | None:
    """Why `value` cannot be a confidence, or None. Shared with `foretell update`, so that
    the command refuses what `check` would."""
    if 2 <= value <= 100:  # most likely a percentage: say so instead of just "out of range"
        return f"must be between 0 and 1, got {value:g} (did you mean {value / 100:g}?)"
    if not 0 <= value <= 1:  # also refuses NaN
        return f"must be between 0 and 1, got {value:g}"
    return None


def _confidence(r: FieldReader, field: str) -> float | None:
    raw = r.raw(field)
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        problem = confidence_problem(raw)
        if problem is not None:
            r.report(field, problem)
            return None
    return r.number(field, low=0.0, high=1.0)


def _resolution(r: FieldReader) -> Resolution | None:
    if r.mapping("prediction.resolution") is None:
        return None
    outcome = r.choice("prediction.resolution.outcome", OUTCOMES, required=True)
    date = r.date("prediction.resolution.date", required=True)
    evidence = r.url("prediction.resolution.evidence")
    note = r.string("prediction.resolution.note")
    if outcome is None or date is None:
        return None
    return Resolution(outcome=outcome, date=date, evidence=evidence, note=note)  # type: ignore[arg-type]


def _references(r: FieldReader) -> tuple[Reference, ...]:
    references = []
    shape = "each reference is a mapping with title, url, publisher, date"
    for index, field, _ in r.mappings("references", REFERENCE_KEYS, shape):
        title = r.string(f"{field}.title", required=True)
        references.append(
            Reference(
                number=index + 1,
                title=title or "",
                url=r.url(f"{field}.url"),
                publisher=r.string(f"{field}.publisher"),
                date=r.date(f"{field}.date"),
            )
        )
    return tuple(references)


def _updates(r: FieldReader) -> tuple[tuple[Update, ...], list[tuple[str, dt.date]]]:
    """The updates as read, and (field, date) of every readable update date, for
    _update_dates (an update with a bad confidence still has its date checked)."""
    updates, dated = [], []
    shape = "each update is a mapping with date, confidence and an optional note"
    for _, field, item in r.mappings("prediction.updates", UPDATE_KEYS, shape):
        date = r.date(f"{field}.date", required=True)
        if item.get("confidence") is None:
            r.report(f"{field}.confidence", "is required (a number from 0 to 1)")
        confidence = _confidence(r, f"{field}.confidence")
        note = r.string(f"{field}.note") or None
        if date is not None:
            dated.append((f"{field}.date", date))
            if confidence is not None:
                updates.append(Update(date, confidence, note))
    return tuple(updates), dated


def update_date_problem(
    date: dt.date,
    *,
    published: dt.date,
    target: dt.date,
    resolved: dt.date | None,
    previous: dt.date | None,
) -> str | None:
    """Why an update cannot carry `date`, or None. Shared with `foretell update`."""
    if date <= published:
        return f"must be after the publication date {published.isoformat()}"
    if previous is not None and date <= previous:
        return (
            f"must be after the previous update's date {previous.isoformat()} "
            "(updates are listed oldest first, at most one a day)"
        )
    if date > target:
        return f"must not be after the target date {target.isoformat()}"
    if resolved is not None and date > resolved:
        return f"must not be after the resolution date {resolved.isoformat()}"
    return None


def _update_dates(r: FieldReader, values: dict, dated: list[tuple[str, dt.date]]) -> None:
    """Each update between publication and the target (and resolution) date, in order."""
    if dated and r.raw("prediction").get("confidence") is None:
        # An update revises the first forecast: without one, what stood before it is unknown.
        r.report(
            "prediction.updates",
            "updates revise prediction.confidence, which is missing: give the confidence "
            "you first published",
        )
    resolution = values["resolution"]
    previous = None
    for field, date in dated:
        problem = update_date_problem(
            date,
            published=values["date"],
            target=values["target_date"],
            resolved=resolution.date if resolution is not None else None,
            previous=previous,
        )
        if problem is not None:
            r.report(field, f"{problem}, got {date.isoformat()}")
        previous = date


def _date_warnings(r: FieldReader, values: dict) -> None:
    published, target = values["date"], values["target_date"]
    if target < published:
        r.warn(
            "prediction.target_date",
            f"target date {target} is before the publication date {published}",
        )
    resolution = values["resolution"]
    if resolution is not None and resolution.date < published:
        r.warn(
            "prediction.resolution.date",
            f"resolution date {resolution.date} is before the publication date {published}",
        )
