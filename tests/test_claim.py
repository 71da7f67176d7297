"""The canonical claim (builder/content/claim.py): the bytes a timestamp authority signs."""

from __future__ import annotations

import hashlib
import json

from conftest import SiteFolder, prediction_text

from builder.content.claim import claim_bytes, claims
from builder.content.loader import parse_prediction


def _claims_of(text: str) -> list[bytes]:
    result = parse_prediction("content/predictions/x.md", text, ["ada"])
    assert result.prediction is not None, result.problems
    return [c.data for c in claims(result.prediction)]


PLAIN = """\
---
title: "A prediction"
date: 2026-01-10
author: ada
prediction:
  statement: "The line opens before the end of 2027."
  target_date: 2027-12-31
  confidence: 0.7
  updates:
    - {date: 2026-03-02, confidence: 0.55, note: "The tender was delayed."}
---
Body.
"""

# The same claim, written otherwise: other quotes, 0.70 for 0.7, the statement folded over
# lines with extra spaces, block-style updates, a different body and title.
REFORMATTED = """\
---
title: 'Another title'
date: 2026-01-10
author: ada
prediction:
  statement: >-
    The line   opens before
    the end of 2027.
  target_date: 2027-12-31    # a comment
  confidence: 0.70
  updates:
    - date: 2026-03-02
      confidence: .550
      note: 'The tender   was delayed.'
---
Another body entirely.
"""


def test_reformatting_the_yaml_keeps_every_claim_and_its_hash() -> None:
    """Catches: a claim made from the raw text (quotes, 0.70, line breaks), from the title or
    body, or with the statement's whitespace kept."""
    assert _claims_of(REFORMATTED) == _claims_of(PLAIN)


def test_editing_the_claim_changes_its_hash() -> None:
    """Catches: a claim that leaves out the statement, target date, confidence or update."""
    plain = _claims_of(PLAIN)
    for old, new in [
        ("opens before", "opens after"),
        ("2027-12-31", "2028-12-31"),
        ("confidence: 0.7\n", "confidence: 0.71\n"),
        ("confidence: 0.55", "confidence: 0.56"),
        ("was delayed", "was cancelled"),
    ]:
        edited = _claims_of(PLAIN.replace(old, new))
        assert edited[-1] != plain[-1], old
        assert hashlib.sha256(edited[-1]).digest() != hashlib.sha256(plain[-1]).digest()


def test_one_claim_per_forecast_in_the_documented_form() -> None:
    """Catches: updates folded into the first claim (its hash would change at each update),
    unsorted keys, spaces, \\u escapes, a missing final line break."""
    first, updated = _claims_of(PLAIN.replace("The line", "Die Línea"))
    assert (
        first
        == (
            '{"confidence":0.7,"foretell_claim":1,"slug":"x","statement":"Die Línea opens before '
            'the end of 2027.","target_date":"2027-12-31","updates":[]}\n'
        ).encode()
    )
    assert json.loads(updated)["updates"] == [
        {"confidence": 0.55, "date": "2026-03-02", "note": "The tender was delayed."}
    ]
    # What `foretell verify` makes from track-record.json's values is the same bytes.
    statement = "Die Línea opens before the end of 2027."
    assert claim_bytes("x", statement, "2027-12-31", 0.7, ()) == first


def test_a_site_without_timestamps_builds_as_before(site: SiteFolder) -> None:
    """Catches: a build that publishes stamp files, or fails, when nothing is stamped."""
    site.write("a.md", prediction_text("A"))
    assert site.build() == 0
    assert not (site.output / "stamps.json").exists()
    assert not list(site.output.rglob("*.tsr"))
