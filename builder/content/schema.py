"""The front-matter contract of a prediction file: fields, types and rules."""

from __future__ import annotations

from collections.abc import Collection

from builder.config.fields import FieldReader
from builder.content.model import OUTCOMES, Reference, Resolution
from builder.content.slugs import is_safe_slug

TOP_KEYS = (
    "title", "date", "author", "category", "tags", "draft", "slug", "prediction", "references",
)  # fmt: skip
PREDICTION_KEYS = ("statement", "target_date", "confidence", "resolution")
RESOLUTION_KEYS = ("outcome", "date", "evidence", "note")
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
        "statement": r.string("prediction.statement", required=True),
        "target_date": r.date("prediction.target_date", required=True),
        "confidence": _confidence(r),
        "resolution": _resolution(r),
        "references": _references(r),
    }
    if r.mapping("prediction", required=True) is None:
        return None
    required = ("title", "date", "author", "slug", "statement", "target_date")
    if any(values[name] is None for name in required):
        return None
    _date_warnings(r, values)
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


def _confidence(r: FieldReader) -> float | None:
    raw = r.raw("prediction.confidence")
    if isinstance(raw, int | float) and not isinstance(raw, bool) and 2 <= raw <= 100:
        # Most likely a percentage: say so instead of just "out of range".
        r.report(
            "prediction.confidence",
            f"must be between 0 and 1, got {raw:g} (did you mean {raw / 100:g}?)",
        )
        return None
    return r.number("prediction.confidence", low=0.0, high=1.0)


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
    for index, item in enumerate(r.sequence("references")):
        field = f"references.{index}"
        if not isinstance(item, dict):
            r.report(field, "each reference is a mapping with title, url, publisher, date")
            continue
        r.unknown_keys(field, REFERENCE_KEYS)
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
