"""Read content/predictions/*.md into Predictions, collecting every problem on the way.

Each file is read, parsed, validated and its Markdown rendered exactly once, in a worker
process when there are enough files to make two cores worth it.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from multiprocessing import get_context
from pathlib import Path

from builder import markdown
from builder.content.frontmatter import split_front_matter
from builder.content.schema import read_front_matter
from builder.errors import Problem
from builder.fields import FieldReader
from builder.model import Prediction
from builder.yamlpos import YamlError
from builder.yamlpos import load as load_yaml

PREDICTIONS_DIR = Path("content") / "predictions"
PARALLEL_THRESHOLD = 64  # below this, starting workers costs more than it saves


@dataclass(frozen=True)
class FileResult:
    source: str
    prediction: Prediction | None
    problems: tuple[Problem, ...]
    slug_line: int = 1  # where the slug comes from: its key, or the file's first line


def prediction_files(root: Path) -> list[Path]:
    folder = root / PREDICTIONS_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*.md") if p.is_file())


def read_all(root: Path, files: list[Path], authors: Collection[str]) -> list[FileResult]:
    """Results in the order of `files`, whatever the number of workers."""
    work = partial(read_prediction, root, authors=frozenset(authors))
    if len(files) < PARALLEL_THRESHOLD or (os.cpu_count() or 1) < 2:
        return [work(path) for path in files]
    workers = min(os.cpu_count() or 2, 8)
    chunk = max(1, len(files) // (workers * 8))
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        return list(pool.map(work, files, chunksize=chunk))


def read_prediction(root: Path, path: Path, authors: Collection[str]) -> FileResult:
    source = path.relative_to(root).as_posix()
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raw = path.read_bytes()
        line = raw[: exc.start].count(b"\n") + 1
        return _failed(
            source, line, f"is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        )
    except OSError as exc:
        return _failed(source, None, f"cannot be read: {exc.strerror}")
    return parse_prediction(source, text, authors)


def parse_prediction(source: str, text: str, authors: Collection[str]) -> FileResult:
    split = split_front_matter(text.removeprefix("\ufeff"))
    if split is None:
        return _failed(
            source,
            1,
            "no front matter: start the file with a '---' line, the YAML "
            "fields, and another '---' line",
        )
    try:
        located = load_yaml(split.yaml_text)
    except YamlError as exc:
        line = None if exc.line is None else exc.line + split.yaml_first_line - 1
        return _failed(source, line, exc.message)
    reader = FieldReader(located, source, line_offset=split.yaml_first_line - 1)
    values = read_front_matter(reader, Path(source).stem, authors)
    rendered = markdown.render(split.body)
    if values is not None:
        _check_citations(
            reader, rendered.citations, len(values["references"]), split.body_first_line
        )
    if values is None or any(p.is_error for p in reader.problems):
        return FileResult(source, None, tuple(reader.problems))
    prediction = Prediction(
        source=source, body_html=rendered.html, summary=rendered.summary, **values
    )
    return FileResult(source, prediction, tuple(reader.problems), reader.line_of("slug") or 1)


def _check_citations(
    reader: FieldReader, citations: Iterable[markdown.Citation], count: int, body_line: int
) -> None:
    cited = set()
    for citation in citations:
        cited.add(citation.number)
        if not 1 <= citation.number <= count:
            have = f"only {count} reference(s)" if count else "no references"
            reader.report(
                "body",
                f"citation [{citation.number}] has no reference {citation.number} ({have})",
                line=body_line + citation.line,
            )
    for number in range(1, count + 1):
        if number not in cited:
            reader.warn(
                f"references.{number - 1}", f"reference {number} is never cited in the text"
            )


def _failed(source: str, line: int | None, message: str) -> FileResult:
    return FileResult(source, None, (Problem(source, line, None, message),))


def check_duplicates(results: Iterable[FileResult]) -> list[Problem]:
    """Two files claiming one slug would overwrite each other's page: name both."""
    owners: dict[str, list[FileResult]] = {}
    for result in results:
        if result.prediction is not None:
            owners.setdefault(result.prediction.slug, []).append(result)
    problems = []
    for slug, claimants in sorted(owners.items()):
        if len(claimants) > 1:
            names = " and ".join(r.source for r in claimants)
            for r in claimants:
                problems.append(
                    Problem(r.source, r.slug_line, "slug", f"slug {slug!r} is used by {names}")
                )
    return problems
