"""YAML with positions: every value comes with the line of its key, so messages can say where.

We compose the document (libyaml when available) and construct plain Python values ourselves,
node by node, so that one impossible date or an alias bomb becomes a located problem instead of
an exception that loses every other finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Front matter is small; a document that expands past this many nodes is an alias bomb.
MAX_NODES = 20_000
# Front matter and site.yaml need a few levels of lists and mappings. Deeper, our recursive
# reading would hit Python's recursion limit, and libyaml takes quadratic time to compose
# nesting and overflows the C stack (a crash, not an exception) somewhere past 20,000 levels.
MAX_DEPTH = 100
# A document shorter than this cannot nest deeply enough to make libyaml slow or crash it, so
# only longer ones pay for a first pass that counts the depth before composing.
SCAN_ABOVE = 2_000


class YamlError(Exception):
    """A YAML document we cannot use, with the 1-based line in the document (if known)."""

    def __init__(self, message: str, line: int | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.field = field


@dataclass
class Located:
    """A constructed document plus the line (1-based, in the document) of every dotted key."""

    data: Any
    lines: dict[str, int] = field(default_factory=dict)
    bad_values: list[YamlError] = field(default_factory=list)

    def line(self, path: str) -> int | None:
        """Line of `path`, falling back to its nearest located parent."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path.rpartition(".")[0]
        return None


def load(text: str) -> Located:
    """Parse one YAML document; raise YamlError for syntax errors, alias bombs and nesting
    deeper than MAX_DEPTH."""
    try:
        if len(text) > SCAN_ABOVE:
            _refuse_deep(text)
        node = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        if "maximum nesting depth" in str(exc.problem):  # PyYAML >= 6.0.4's own limit
            raise YamlError(_too_deep(), line) from None
        line, problem = _problem(exc, text, line)
        raise YamlError(f"YAML syntax error: {problem}", line) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML error: {exc}") from None
    except RecursionError:  # the pure-Python composer, when libyaml is missing
        raise YamlError(_too_deep()) from None
    located = Located(data=None)
    if node is None:
        return located
    builder = _Builder(located)
    located.data = builder.build(node, "", 0)
    return located


def _problem(exc: yaml.MarkedYAMLError, text: str, line: int | None) -> tuple[int | None, str]:
    """What went wrong, in words an author can act on, and the line to look at (`line`, where
    the parser stopped, unless told otherwise). A tab is the commonest mistake, and
    invisible: libyaml calls it "a character that cannot start any token", or stumbles on
    what follows it, so it is named, with its column (the message says the line)."""
    column = _tab_column(text, exc.problem_mark) if exc.problem_mark is not None else None
    if column is not None:
        return line, f"a tab character at column {column}: YAML needs spaces there, not tabs"
    return _unclosed(exc, text) or (line, str(exc.problem or exc))


# What the parser was in when the text ran out (its `context`), as an author would name it,
# and the characters that open it.
_OPENED = {
    "while scanning a quoted scalar": ("a quoted value", ('"', "'")),
    "while parsing a flow sequence": ("a list", ("[",)),
    "while parsing a flow mapping": ("a mapping", ("{",)),
}
_CLOSERS = {"[": "]", "{": "}"}


def _unclosed(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, str] | None:
    """The line and the words for a document that ends inside a quote, a `[` or a `{`: the
    parser stops at the end (in front matter, on the closing `---`), where there is nothing
    to fix; the author must look where it was opened. None for every other error, which
    keeps the line the parser stopped on."""
    start, stop = exc.context_mark, exc.problem_mark
    if start is None or stop is None or exc.context not in _OPENED:
        return None
    problem = str(exc.problem)
    # libyaml says "did not find expected ']'" where the text ends, not "end of stream".
    ended = not text[stop.index :].strip()
    if not (ended or "end of stream" in problem or "unexpected document" in problem):
        return None
    what, openers = _OPENED[exc.context]
    opener = text[start.index : start.index + 1]
    if opener not in openers and text.startswith("\ufeff"):
        # libyaml does not count a byte order mark in `index`; the pure-Python parser does.
        opener = text[start.index + 1 : start.index + 2]
    if opener not in openers:
        return None
    return start.line + 1, (
        f"{what} opened by the {opener} at column {start.column + 1} is never closed: "
        f"add the closing {_CLOSERS.get(opener, opener)}"
    )


def _tab_column(text: str, mark: yaml.Mark) -> int | None:
    """The 1-based column of the tab the parser stopped at, or else of a tab in the
    indentation of the line it stopped on; None when neither is a tab."""
    index = mark.index
    if 0 <= index < len(text) and text[index] == "\t":
        return mark.column + 1
    start = max(text.rfind("\n", 0, index), text.rfind("\r", 0, index)) + 1
    indent = _INDENT.match(text, start)
    return None if indent is None or "\t" not in indent[0] else indent[0].index("\t") + 1


_INDENT = re.compile(r"[ \t]*")


def _refuse_deep(text: str) -> None:
    """Count the nesting from the parser's events, which stream: a deep document is refused
    at its MAX_DEPTH-th level, without reading the rest."""
    depth = 0
    for event in yaml.parse(text, Loader=Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlError(_too_deep(), event.start_mark.line + 1)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _too_deep() -> str:
    return f"nested too deeply (more than {MAX_DEPTH} levels of lists and mappings)"


class _Builder:
    def __init__(self, located: Located) -> None:
        self.located = located
        self.constructor = yaml.SafeLoader("")
        self.visits = 0

    def build(self, node: yaml.Node, path: str, depth: int) -> Any:
        self.visits += 1
        if self.visits > MAX_NODES:
            raise YamlError(
                f"document expands to more than {MAX_NODES} values "
                "(a YAML alias bomb?); refusing to read it",
                node.start_mark.line + 1,
            )
        if isinstance(node, yaml.CollectionNode) and depth >= MAX_DEPTH:
            # Aliases can nest deeper than the text does (a0: [x], a1: [*a0], a2: [*a1]...).
            raise YamlError(_too_deep(), node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth + 1)
        if isinstance(node, yaml.SequenceNode):
            return [
                self._item(item, _join(path, str(i)), depth + 1)
                for i, item in enumerate(node.value)
            ]
        return self._scalar(node, path)

    def _item(self, node: yaml.Node, path: str, depth: int) -> Any:
        self.located.lines.setdefault(path, node.start_mark.line + 1)
        return self.build(node, path, depth)

    def _mapping(self, node: yaml.MappingNode, path: str, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            key_path = _join(path, key)
            self.located.lines.setdefault(key_path, key_node.start_mark.line + 1)
            if key in result:
                self.located.bad_values.append(
                    YamlError("duplicate key", key_node.start_mark.line + 1, key_path)
                )
            result[key] = self.build(value_node, key_path, depth)
        return result

    def _scalar(self, node: yaml.Node, path: str) -> Any:
        try:
            return self.constructor.construct_object(node, deep=True)
        except (ValueError, yaml.YAMLError) as exc:
            message = f"invalid value {node.value!r} ({exc})"
            if node.tag.endswith(":timestamp"):
                message = f"impossible date {node.value!r} ({exc})"
            self.located.bad_values.append(YamlError(message, node.start_mark.line + 1, path))
            return _INVALID


class _Invalid:
    """Placeholder for a value that failed to construct; its problem is already recorded."""

    def __repr__(self) -> str:
        return "<invalid>"


_INVALID = _Invalid()


def is_invalid(value: Any) -> bool:
    return value is _INVALID


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
