"""A version's front matter and its values as history compares them
(builder/trackrecord/versions.py)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from builder.content.frontmatter import split_front_matter
from builder.trackrecord.versions import (
    confidence_text,
    date_text,
    front_matter,
    front_matter_on_disk,
    statement_text,
)

fence_texts = st.lists(
    st.sampled_from(["---", "--- ", "----", "\n", "\r\n", "\r", "\u2028", "\x85", "a", " ", "#"]),
    max_size=30,
).map("".join)


@given(fence_texts)
@example("---\na: 1\n----\nb: 2\n---\nbody\n")  # "----" is not a fence
@example("---\r\na: 1\r\n--- \r\nbody\n---\n")  # trailing space is
@example("---\na: 1\u2028---\nb\n---\n")  # a line break that is not "\n"
@example("---\na: 1\n")  # never closed
def test_front_matter_shortcut_agrees_with_split_front_matter(text: str) -> None:
    # front_matter hands split_front_matter only the text up to the closing fence;
    # the result must be what the whole text gives.
    split = split_front_matter(text)
    expected = None if split is None else split.yaml_text
    assert front_matter(text.encode("utf-8")) == expected


def test_front_matter_of_bytes_the_build_would_refuse_is_none(tmp_path: Path) -> None:
    # Catches: a byte-order mark kept (no fence found) or bad UTF-8 raising mid-build.
    assert front_matter("\ufeff---\na: 1\n---\n".encode()) == "a: 1\n"
    assert front_matter(b"---\na: \xff\n---\n") is None
    path = tmp_path / "p.md"
    path.write_text("---\na: 1\n---\nbody\n", encoding="utf-8")
    assert front_matter_on_disk(path) == "a: 1\n"
    assert front_matter_on_disk(tmp_path / "missing.md") is None


def test_reformatting_is_not_a_change() -> None:
    # Catches: values compared as written (whitespace, 0.70 against 0.7, a datetime
    # against its date).
    assert statement_text("  Rain\n in   Paris. ") == "Rain in Paris."
    assert date_text(datetime(2026, 5, 1, 23, 59)) == date_text(date(2026, 5, 1)) == "2026-05-01"
    assert date_text(" 2026-05-01 ") == "2026-05-01"
    assert confidence_text(0.70) == confidence_text("0.7") == confidence_text("7e-1") == "0.7"
    assert confidence_text(1) == "1"
    assert confidence_text(" likely ") == "likely"
    assert statement_text(None) == date_text(None) == confidence_text(None) == ""


@pytest.mark.parametrize(
    ("normalise", "value"),
    [
        (confidence_text, True),
        (confidence_text, [0.7]),
        (date_text, 20260501),
        (statement_text, {}),
    ],
)
def test_values_of_the_wrong_kind_are_refused(normalise: object, value: object) -> None:
    # Catches: `confidence: true` read as 1, or a list or mapping compared as its text:
    # such a version is not a published prediction.
    with pytest.raises(TypeError):
        normalise(value)  # type: ignore[operator]
