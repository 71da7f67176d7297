"""Questions into content/predictions/<slug>.md, never over an existing file.

Each file's text is read back by the build's own loader before it is written, as
`foretell resolve` does, so every file written passes `foretell check`; one that would not
load is a skipped row with the loader's message. A question already on the site (the same
statement and publication date, whatever its file is called now) is not written again, so
importing the same export twice writes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from builder.content.importers.question import Question
from builder.content.loader import PREDICTIONS_DIR, parse_prediction, read_every_file
from builder.content.model import Prediction
from builder.content.slugs import slugify
from builder.errors import Problem

SLUG_LENGTH = 60  # a question can be a paragraph long; its file name need not be
FOLDER = PREDICTIONS_DIR.as_posix()


@dataclass
class Result:
    written: list[str] = field(default_factory=list)  # sources, "content/predictions/x.md"
    problems: list[Problem] = field(default_factory=list)
    present: int = 0  # questions already on the site
    skipped: int = 0  # questions that could not be written (present ones not counted)


@dataclass
class ExistingFiles:
    """The prediction files as they are before (and while) importing."""

    files: set[str]  # every source, whether it loads or not
    broken: set[str]  # the sources that do not load
    slugs: set[str]
    questions: dict[tuple[str, dt.date], str]  # (statement, date) -> source

    @classmethod
    def read(cls, root: Path, authors: Collection[str]) -> ExistingFiles:
        entries = read_every_file(root, authors)
        loaded = [e.result.prediction for e in entries.values() if e.result.prediction]
        return cls(
            files=set(entries),
            broken={source for source, e in entries.items() if e.result.prediction is None},
            slugs={p.slug for p in loaded},
            questions={(p.statement, p.date): p.source for p in loaded},
        )

    def add(self, source: str, prediction: Prediction) -> None:
        self.files.add(source)
        self.slugs.add(prediction.slug)
        self.questions[(prediction.statement, prediction.date)] = source


def write_all(
    root: Path, questions: list[Question], author: str, authors: Collection[str]
) -> Result:
    existing, result = ExistingFiles.read(root, authors), Result()
    for question in questions:
        known = existing.questions.get((question.statement, question.created))
        if known is not None:
            result.present += 1
            message = f"already on the site as {known}; left as it is"
            result.problems.append(question.row.problem(None, message))
            continue
        done = _write_one(root, existing, question, author, authors)
        if isinstance(done, Problem):
            result.skipped += 1
            result.problems.append(done)
        else:
            result.written.append(done)
    return result


def _write_one(
    root: Path, existing: ExistingFiles, question: Question, author: str, authors: Collection[str]
) -> str | Problem:
    """The source written, or why not."""
    source = _free_source(existing, question.title)
    if source in existing.broken:
        message = f"{source} exists and does not load (run foretell check); not overwritten"
        return question.row.problem(None, message)
    text = render(question, author)
    loaded = parse_prediction(source, text, authors)
    errors = [p for p in loaded.problems if p.is_error]
    if errors or loaded.prediction is None:
        first = errors[0] if errors else Problem(source, None, None, "does not load")
        return question.row.problem(first.field, f"{first.message} (as {source})")
    if not _reads_back(loaded.prediction, question, author):
        # A bug, not the export's fault: refuse rather than write a file we cannot vouch for.
        return question.row.problem(None, f"{source} would not read back as imported (a bug)")
    (root / FOLDER).mkdir(parents=True, exist_ok=True)
    try:
        with (root / source).open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)  # "x": never over a file, even one made since we looked
    except FileExistsError:
        return question.row.problem(None, f"{source} appeared meanwhile; not overwritten")
    existing.add(source, loaded.prediction)
    return source


def _free_source(existing: ExistingFiles, title: str) -> str:
    """content/predictions/<slug>.md for the first of slug, slug-2, slug-3... that no file
    and no `slug:` field has taken, or the broken file in the way (not to be overwritten)."""
    base = _slug(title)
    for number in itertools.count(1):
        slug = base if number == 1 else f"{base}-{number}"
        source = f"{FOLDER}/{slug}.md"
        if source in existing.broken or (
            source not in existing.files and slug not in existing.slugs
        ):
            return source
    raise AssertionError("unreachable")


def _slug(title: str) -> str:
    slug = slugify(title)
    if len(slug) <= SLUG_LENGTH:
        return slug
    cut = slug[: SLUG_LENGTH + 1].rsplit("-", 1)[0]  # at a word boundary when there is one
    return (cut if len(cut) > SLUG_LENGTH // 2 else slug[:SLUG_LENGTH]).strip("-")


def render(question: Question, author: str) -> str:
    """The file's text: front matter written by PyYAML (quotes, colons and other scripts
    are its business, not ours), then the body."""
    prediction: dict[str, object] = {
        "statement": question.statement,
        "target_date": question.target,
    }
    if question.confidence is not None:
        prediction["confidence"] = question.confidence
    if question.outcome is not None:
        prediction["resolution"] = {"outcome": question.outcome, "date": question.resolved}
    front = {
        "title": question.title,
        "date": question.created,
        "author": author,
        "prediction": prediction,
    }
    # A wide line: a long statement stays on one line instead of being folded.
    text = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1_000_000)
    return f"---\n{text}---\n{question.body}\n"


def _reads_back(p: Prediction, q: Question, author: str) -> bool:
    resolution = None if p.resolution is None else (p.resolution.outcome, p.resolution.date)
    return (p.title, p.statement, p.date, p.target_date, p.author, p.confidence, p.draft) == (
        q.title, q.statement, q.created, q.target, author, q.confidence, False,
    ) and resolution == (None if q.outcome is None else (q.outcome, q.resolved))  # fmt: skip
