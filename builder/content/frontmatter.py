"""Split a Markdown file into its YAML front matter and body, keeping line numbers."""

from __future__ import annotations

from dataclasses import dataclass

FENCE = "---"


@dataclass(frozen=True)
class Split:
    yaml_text: str
    body: str
    yaml_first_line: int  # 1-based file line of the first YAML line
    body_first_line: int  # 1-based file line of the first body line


def split_front_matter(text: str) -> Split | None:
    """Return the front matter and body of `text`, or None when it has no `---` fences."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n").rstrip() != FENCE:
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r\n").rstrip() == FENCE:
            return Split(
                yaml_text="".join(lines[1:index]),
                body="".join(lines[index + 1 :]),
                yaml_first_line=2,
                body_first_line=index + 2,
            )
    return None


# What an author starting a file needs to be told, whatever went wrong with its fences.
_HOW = "start the file with a '---' line, the YAML fields, and another '---' line"


def why_no_front_matter(text: str) -> tuple[int | None, str]:
    """The line and the message for a `text` in which split_front_matter found no front
    matter: an empty file, an opening fence never closed, or no fence at all."""
    if not text.strip():
        return None, f"is empty: {_HOW}"
    if text.splitlines()[0].rstrip() == FENCE:
        return 1, "the front matter is never closed: add a '---' line after its last field"
    return 1, f"no front matter: {_HOW}"
