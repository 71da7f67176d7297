"""The canonical claim: the exact bytes a timestamp authority is asked to sign for a
prediction, so that anyone can check later that it existed, as it reads, at that time.

A claim holds the prediction's slug, statement, target date, first confidence and the
updates made so far (each its date, confidence and note): one claim per forecast, the first
as published and one more as of each update (`claims`). It is JSON with sorted keys, no
spaces between tokens, UTF-8 (not \\u escapes) and one final line break; text is NFC with
its runs of whitespace made single spaces, numbers are the shortest decimal that reads back
as the same double (0.70 and 0.7 are both 0.7), dates ISO 8601. Reformatting the YAML
(quotes, line breaks in a statement, 0.70 for 0.7) never changes it; editing a value does.
Its SHA-256 is the claim's hash; tokens are filed under the first 16 hex digits of it.

Built from plain values too (`claim_bytes`), so that `foretell verify` makes the same bytes
from a site's track-record.json as the build makes from the front matter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from builder.content.model import Prediction, Update

VERSION = 1  # the "foretell_claim" member: a later format gets a new number
PREFIX_DIGITS = 16  # of the SHA-256, in a token's file name


@dataclass(frozen=True)
class Claim:
    """One forecast's claim: `index` 0 as published, k as of the k-th update."""

    slug: str
    index: int
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def prefix(self) -> str:
        return self.sha256[:PREFIX_DIGITS]


def claims(prediction: Prediction) -> tuple[Claim, ...]:
    """The first claim and one more as of each update, oldest first."""
    p = prediction
    return tuple(
        Claim(
            p.slug, k, claim_bytes(p.slug, p.statement, p.target_date, p.confidence, p.updates[:k])
        )
        for k in range(len(p.updates) + 1)
    )


def claim_bytes(
    slug: str,
    statement: str,
    target_date: dt.date | str,
    confidence: float | None,
    updates: Sequence[Update],
) -> bytes:
    value = {
        "foretell_claim": VERSION,
        "slug": slug,
        "statement": _text(statement),
        "target_date": _date(target_date),
        "confidence": None if confidence is None else float(confidence),
        "updates": [
            {
                "date": _date(u.date),
                "confidence": float(u.confidence),
                "note": None if u.note is None else _text(u.note),
            }
            for u in updates
        ],
    }
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return (text + "\n").encode("utf-8")


def _text(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _date(day: dt.date | str) -> str:
    return day if isinstance(day, str) else day.isoformat()
