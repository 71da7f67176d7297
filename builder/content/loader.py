"""Read content/predictions/*.md into Predictions, collecting every problem on the way.

Each file is read, parsed, validated and its Markdown rendered exactly once, in a worker
process when there are enough files to make two cores worth it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from builder.config.fields import FieldReader
from builder.config.yamlpos import Located, YamlError
from builder.config.yamlpos import load as load_yaml
from builder.content import aliases, markdown, placeholders
from builder.content.aliases import AliasUse
from builder.content.frontmatter import split_front_matter, why_no_front_matter
from builder.content.model import Prediction
from builder.content.schema import read_front_matter
from builder.content.terms import TermUse, term_clashes
from builder.errors import Problem
from builder.system.digests import source_digest
from builder.system.files import Stat, stat_of, walk
from builder.system.workers import map_forked

PREDICTIONS_DIR = Path("content") / "predictions"
# Lower than system/workers.py's 200 items: a file costs more (read, YAML, checks, Markdown:
# ~2.4 ms), so two workers pay from ~30 files (measured: 64 files 150 -> 103 ms, 128: 314 -> 185).
PARALLEL_THRESHOLD = 64  # files


@dataclass(frozen=True)
class FileResult:
    source: str
    prediction: Prediction | None
    problems: tuple[Problem, ...]
    slug_line: int = 1  # where the slug comes from: its key, or the file's first line
    terms: tuple[TermUse, ...] = ()  # its category and tags, located for term_clashes
    aliases: tuple[AliasUse, ...] = ()  # its old addresses, located for aliases.clashes


def prediction_files(root: Path, inputs: Iterable[str] | None = None) -> list[str]:
    """The prediction files, as paths relative to `root` ("content/predictions/x.md"), from
    `inputs` when already scanned. Strings, not Paths: at 10,000 files, pathlib's parsing
    is a visible share of a one-edit rebuild."""
    folder = PREDICTIONS_DIR.as_posix() + "/"
    names = inputs if inputs is not None else (folder + name for name in walk(root / folder))
    return sorted(name for name in names if name.startswith(folder) and name.endswith(".md"))


@dataclass
class FileEntry:
    """A content file as last read: its stat, the hash of its bytes, and the parse result.

    Kept between builds (content/parsecache.py) so unchanged files are neither read nor
    parsed again.
    """

    stat: Stat | None
    digest: str
    authors: frozenset[str]  # validation depends on the set of author keys
    result: FileResult


def draft_count(entries: Iterable[FileEntry]) -> int:
    """The drafts among the files read: a build without --drafts leaves them out."""
    return sum(e.result.prediction is not None and e.result.prediction.draft for e in entries)


def hidden_terms(entries: Iterable[FileEntry], drafts: bool) -> frozenset[tuple[str, str]]:
    """(kind, name) of the categories and tags the files a build leaves out name: the
    drafts', unless `drafts`. Their names still clash with the others' (check_duplicates)."""
    if drafts:
        return frozenset()
    found = (e.result for e in entries if e.result.prediction and e.result.prediction.draft)
    return frozenset((use.kind, use.name) for result in found for use in result.terms)


def read_all(
    root: Path,
    files: list[str],
    authors: Collection[str],
    previous: Mapping[str, FileEntry] | None = None,
    stats: Mapping[str, Stat | None] | None = None,
) -> dict[str, FileEntry]:
    """Entries keyed by source path, in the order of `files`, reusing `previous` where the
    file's stat, or failing that its bytes, are unchanged."""
    keys = frozenset(authors)
    previous = previous or {}
    entries: dict[str, FileEntry | None] = {}
    todo: list[tuple[str, str | None]] = []
    for source in files:
        old = previous.get(source)
        usable = old is not None and old.authors == keys
        stat = stats.get(source) if stats is not None else stat_of(root / source)  # once a build
        if usable and old.stat is not None and old.stat == stat:  # type: ignore[union-attr]
            entries[source] = old
        else:
            entries[source] = None
            todo.append((source, old.digest if usable else None))  # type: ignore[union-attr]
    for entry in _read_many(root, todo, keys):
        old = previous.get(entry.result.source)
        same = old is not None and old.authors == keys and entry.digest == old.digest
        if same and entry.result.prediction is None:
            entry = FileEntry(entry.stat, entry.digest, keys, old.result)  # type: ignore[union-attr]
        entries[entry.result.source] = entry
    return {source: entry for source, entry in entries.items() if entry is not None}


def read_every_file(root: Path, authors: Collection[str]) -> dict[str, FileEntry]:
    """Every prediction file's entry, those unchanged since the last build as it parsed them
    (content/parsecache.py): what the commands that read the whole site outside a build
    (`resolve`, `due`, `stamp`, `import`) start from. 0.5 s at 10,000 predictions, against
    16 s to parse them all."""
    from builder.content import parsecache

    return read_all(root, prediction_files(root), authors, parsecache.load_files(root))


def _read_many(
    root: Path, todo: list[tuple[str, str | None]], authors: frozenset[str]
) -> list[FileEntry]:
    return map_forked(partial(read_entry, root, authors=authors), todo, PARALLEL_THRESHOLD)


def read_entry(root: Path, item: tuple[str, str | None], authors: frozenset[str]) -> FileEntry:
    """Read one file; when its bytes hash to `known_digest`, skip parsing (result is a stub)."""
    source, known_digest = item
    if _unprintable(source):
        return FileEntry(stat_of(root / source), "", authors, _bad_name(source))
    path = root / source
    stat = stat_of(path)  # before reading: if the file changes meanwhile, the next build rereads
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return FileEntry(
            None, "", authors, _failed(source, None, f"cannot be read: {exc.strerror}")
        )
    digest = source_digest(raw)
    if digest == known_digest:
        return FileEntry(stat, digest, authors, FileResult(source, None, ()))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        message = f"is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        return FileEntry(stat, digest, authors, _failed(source, line, message))
    return FileEntry(stat, digest, authors, parse_prediction(source, text, authors, digest))


def parse_prediction(
    source: str, text: str, authors: Collection[str], digest: str = ""
) -> FileResult:
    text = text.removeprefix("\ufeff")
    split = split_front_matter(text)
    if split is None:
        return _failed(source, *why_no_front_matter(text))
    try:
        located = load_yaml(split.yaml_text)
    except YamlError as exc:
        line = None if exc.line is None else exc.line + split.yaml_first_line - 1
        return _failed(source, line, exc.message)
    if not isinstance(located.data, dict):
        return _not_fields(source, located, split.yaml_first_line)
    reader = FieldReader(located, source, line_offset=split.yaml_first_line - 1)
    values = read_front_matter(reader, Path(source).stem, authors)
    rendered = markdown.render(split.body)
    if values is not None:
        _check_citations(
            reader, rendered.citations, len(values["references"]), split.body_first_line
        )
        placeholders.warn_left(reader, values, split.body, split.body_first_line)
    if values is None or any(p.is_error for p in reader.problems):
        return FileResult(source, None, tuple(reader.problems))
    prediction = Prediction(
        source=source,
        body_html=rendered.html,
        summary=rendered.summary,
        digest=digest,
        **values,
    )
    terms = _term_uses(reader, prediction)
    return FileResult(
        source,
        prediction,
        tuple(reader.problems),
        reader.line_of("slug") or 1,
        terms,
        _alias_uses(reader, prediction),
    )


def _alias_uses(reader: FieldReader, p: Prediction) -> tuple[AliasUse, ...]:
    """Where the file lists each of its aliases (the first time)."""
    raw = reader.raw(aliases.FIELD)
    lines: dict[str, int | None] = {}
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        alias, _ = aliases.normalise(str(item))
        if alias is not None:
            lines.setdefault(alias, reader.line_of(f"{aliases.FIELD}.{index}"))
    return tuple(AliasUse(alias, p.source, lines.get(alias)) for alias in p.aliases)


def _term_uses(reader: FieldReader, p: Prediction) -> tuple[TermUse, ...]:
    """Where the file names its category and each of its tags (the first time)."""
    fields = {("categories", p.category): "category"} if p.category else {}
    raw = reader.raw("tags")
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        name = str(item).strip()  # as the schema read it
        if name in p.tags:
            fields.setdefault(("tags", name), f"tags.{index}")
    return tuple(
        TermUse(kind, name, p.source, field, reader.line_of(field))
        for (kind, name), field in fields.items()
    )


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


def _not_fields(source: str, located: Located, first_line: int) -> FileResult:
    """Front matter that is empty, a list or a lone value: the fields are `key: value`."""
    if located.data is None:
        return _failed(source, 1, "the front matter is empty: write its fields (title: ...)")
    if isinstance(located.data, list):
        line = located.line("0")  # the first item's
        return _failed(
            source,
            first_line if line is None else line + first_line - 1,
            "front matter must be a mapping of fields (key: value), not a list of '- ' items",
        )
    return _failed(
        source, first_line, "front matter must be a mapping of fields (key: value), not one value"
    )


def _failed(source: str, line: int | None, message: str) -> FileResult:
    return FileResult(source, None, (Problem(source, line, None, message),))


# Control characters and line breaks (str.splitlines breaks at U+2028 and U+2029 too): in a
# file name they would split every `path:line: message` and a terminal would act on them.
_UNPRINTABLE = frozenset(("Cc", "Zl", "Zp"))


def _unprintable(name: str) -> list[str]:
    return [char for char in name if unicodedata.category(char) in _UNPRINTABLE]


def _bad_name(source: str) -> FileResult:
    """Refused before it is read, whatever its slug: the name is shown escaped ('\\n')."""
    shown = "".join(repr(char)[1:-1] if _unprintable(char) else char for char in source)
    chars = ", ".join(dict.fromkeys(repr(char) for char in _unprintable(source)))
    message = f"contains a control character or line break ({chars}): rename the file"
    return FileResult(source, None, (Problem(shown, None, "file name", message),))


def check_duplicates(results: Iterable[FileResult]) -> list[Problem]:
    """Two files claiming one slug would overwrite each other's page, and two names claiming
    one category or tag page would be merged into it: name both."""
    results = list(results)
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
    # Drafts too, as for slugs: a preview build (--drafts) must not merge them either.
    problems += term_clashes(use for r in results if r.prediction for use in r.terms)
    # An alias may not be a prediction's address, nor another file's alias (the build checks
    # it against the other pages too: pipeline.load).
    uses = [use for r in results for use in r.aliases]
    if not uses:  # most sites: no need to list every page
        return problems
    pages = {
        aliases.output_path(r.prediction.url): f"the prediction in {r.source}"
        for r in results
        if r.prediction is not None
    }
    return problems + aliases.clashes(uses, pages)
