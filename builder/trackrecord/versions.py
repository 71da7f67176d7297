"""What history compares of each version of a prediction file, as text: its front matter,
found in the file's bytes, and its tracked values normalised so that reformatting the YAML is
not an edit (runs of whitespace count as one space, dates read YYYY-MM-DD, confidences as
numbers: 0.70 == 0.7; a missing value reads as ""). Pure functions of their input: turning a
version into its tracked fields and updates is history.py's.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from builder.content.frontmatter import split_front_matter


def front_matter(content: bytes) -> str | None:
    """The YAML text between the `---` fences, as `split_front_matter` finds it."""
    try:
        text = content.decode("utf-8-sig")  # a file the build would refuse is skipped
    except UnicodeDecodeError:
        return None
    # split_front_matter cuts the whole file into lines, body included; across every
    # version of a large site that is most of the time spent here. Giving it only the
    # text up to the first "---" line that follows a newline yields the same result:
    # its closing fence is that line or an earlier one.
    start = 0
    while (newline := text.find("\n---", start)) >= 0:
        end = text.find("\n", newline + 1)
        end = len(text) if end < 0 else end + 1
        if text[newline + 1 : end].rstrip() == "---":
            text = text[:end]
            break
        start = newline + 1
    split = split_front_matter(text)
    return None if split is None else split.yaml_text


def front_matter_on_disk(path: Path) -> str | None:
    try:
        return front_matter(path.read_bytes())
    except OSError:
        return None


def statement_text(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float | date):
        raise TypeError("statement is not text")
    return " ".join(str(value).split())


def date_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    raise TypeError("not a date")


def confidence_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise TypeError("confidence is not a number")
    if isinstance(value, int | float):
        return _number(float(value))
    if isinstance(value, str):
        try:
            return _number(float(value))
        except ValueError:
            return value.strip()
    raise TypeError("confidence is not a number")


def _number(value: float) -> str:
    return format(value, ".10g")  # 0.7 and 0.70 and 7e-1 all read "0.7"
