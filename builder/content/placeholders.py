"""The placeholder text `foretell new` writes, and the warning for a published prediction that
still holds some: an author who removes `draft: true` before writing everything is told which
field still says what the template said."""

from __future__ import annotations

from typing import Any

from builder.config.fields import FieldReader

STATEMENT = "Write the claim here, as one sentence that will be clearly true or false."
REFERENCE = {
    "title": ("Title of a source", "write the source's title"),
    "url": ("https://example.org/source", "give the source's address"),
    "publisher": ("Publisher", "name the source's publisher"),
}
BODY = "Why you expect this, with citations like this one [1]."

_LEFT = "still the placeholder from `foretell new`"


def warn_left(reader: FieldReader, values: dict[str, Any], body: str, body_line: int) -> None:
    """Warn for each placeholder left in a published prediction (`values` as the schema read
    them; `body` starts on file line `body_line`). A draft may hold them: it is not built."""
    if values["draft"]:
        return
    if values["statement"] == STATEMENT:
        reader.warn("prediction.statement", f"{_LEFT}: write your claim")
    for reference in values["references"]:
        for name, (placeholder, what) in REFERENCE.items():
            if getattr(reference, name) == placeholder:
                reader.warn(f"references.{reference.number - 1}.{name}", f"{_LEFT}: {what}")
    for index, line in enumerate(body.splitlines()):
        if line.strip() == BODY:
            message = f"{_LEFT}: write why you expect it"
            reader.report("body", message, line=body_line + index, severity="warning")
