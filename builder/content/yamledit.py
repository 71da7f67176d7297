"""Add a block to a prediction file's text (a `resolution:`, an update), changing nothing else.

The file is never re-dumped: that would lose comments, key order, quoting and formatting. We
compose the front matter with PyYAML's pure-Python loader, whose marks give the character
offset of every node in the text, find the `prediction:` mapping, and splice the block in at
the right offset, in the file's own indentation, style (block or flow) and line endings. A
`resolution:` key already there (only replaced when asked) is swapped for the new block, and
only it; an update goes after the last item of `updates:`, which is made when missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import yaml

from builder.content.frontmatter import FENCE
from builder.content.model import Update

# YAML's line breaks: where a line of a YAML document ends.
_BREAKS = ("\r\n", "\r", "\n", "\x85", "\u2028", "\u2029")


class EditError(Exception):
    """The text cannot be edited safely; the message says why, for the author."""


@dataclass(frozen=True)
class Block:
    """The resolution to write, already validated."""

    outcome: str  # yes | no | void
    date: dt.date
    evidence: str | None = None
    note: str | None = None

    def pairs(self, *, flow: bool = False) -> list[tuple[str, str]]:
        # `outcome: yes` unquoted, as authors write it (the loader reads YAML's yes/no
        # booleans back as the words).
        pairs = [("outcome", self.outcome), ("date", self.date.isoformat())]
        if self.evidence is not None:
            pairs.append(("evidence", scalar(self.evidence, flow=flow)))
        if self.note is not None:
            pairs.append(("note", scalar(self.note, flow=flow)))
        return pairs


# An edit of the front matter's YAML text, given the `prediction` key and its mapping.
_Edit = Callable[[str, yaml.Node, yaml.MappingNode], str]


def add_resolution(text: str, block: Block, *, replace: bool = False) -> str:
    """`text` (a whole prediction file) with `block` as `prediction.resolution`.

    An existing `resolution` key is an error unless `replace`, which swaps it (its value and
    any comment on its last line) for `block`.
    """

    def edit(yaml_text: str, key: yaml.Node, mapping: yaml.MappingNode) -> str:
        old_key, old_value = _find(mapping, "resolution")
        if old_key is not None and not replace:
            raise EditError("'prediction' already has a 'resolution' (use --force to replace it)")
        if mapping.flow_style:
            return _edit_flow(yaml_text, mapping, block, old_key, old_value)
        return _edit_block(yaml_text, key, mapping, block, old_key, old_value)

    return _edit_prediction(text, edit)


def add_update(text: str, update: Update) -> str:
    """`text` (a whole prediction file) with `update` after the last of `prediction.updates`
    (a list made, in the mapping's style, when there is none)."""

    def edit(yaml_text: str, key: yaml.Node, mapping: yaml.MappingNode) -> str:
        return _append_update(yaml_text, key, mapping, update)

    return _edit_prediction(text, edit)


def _edit_prediction(text: str, edit: _Edit) -> str:
    """`text` with `edit` applied to its front matter, the rest of the file as it was."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom) :]
    start, end = _front_matter_span(body)
    yaml_text = body[start:end]
    key, mapping = _prediction(yaml_text)
    return bom + body[:start] + edit(yaml_text, key, mapping) + body[end:]


def _front_matter_span(text: str) -> tuple[int, int]:
    """Offsets of the YAML between the `---` fences, found as split_front_matter finds it."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n").rstrip() != FENCE:
        raise EditError("the file has no front matter (no '---' line at the top)")
    offset = len(lines[0])
    start = offset
    for line in lines[1:]:
        if line.rstrip("\r\n").rstrip() == FENCE:
            return start, offset
        offset += len(line)
    raise EditError("the front matter has no closing '---' line")


def _prediction(yaml_text: str) -> tuple[yaml.Node, yaml.MappingNode]:
    """The `prediction` key and its (non-empty) mapping."""
    try:
        # The pure-Python loader: its marks count characters of this very string.
        root = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise EditError(f"the front matter is not valid YAML ({exc})") from None
    if not isinstance(root, yaml.MappingNode):
        raise EditError("the front matter is not a mapping of fields")
    key, mapping = _find(root, "prediction")
    if key is None or not isinstance(mapping, yaml.MappingNode) or not mapping.value:
        raise EditError("the front matter has no 'prediction:' mapping")
    return key, mapping


def _find(mapping: yaml.MappingNode, name: str) -> tuple[yaml.Node | None, yaml.Node | None]:
    # The last one wins, as when the loader builds the dict.
    found: tuple[yaml.Node | None, yaml.Node | None] = (None, None)
    for key, value in mapping.value:
        if isinstance(key, yaml.ScalarNode) and key.value == name:
            found = (key, value)
    return found


def _edit_block(
    text: str,
    parent_key: yaml.Node,
    mapping: yaml.MappingNode,
    block: Block,
    old_key: yaml.Node | None,
    old_value: yaml.Node | None,
) -> str:
    indent, step = _indents(parent_key, mapping)
    if old_key is not None and old_value is not None:
        # From the start of the key's line (block keys start their line) to the end of the
        # line where its value ends.
        cut_from = old_key.start_mark.index - old_key.start_mark.column
        cut_to = _line_end(text, _content_end(old_value))
    else:
        cut_from = cut_to = _after_mapping(text, mapping)
    lines = [f"{' ' * indent}resolution:"]
    lines += [f"{' ' * (indent + step)}{name}: {value}" for name, value in block.pairs()]
    return _put_lines(text, cut_from, cut_to, lines)


def _edit_flow(
    text: str,
    mapping: yaml.MappingNode,
    block: Block,
    old_key: yaml.Node | None,
    old_value: yaml.Node | None,
) -> str:
    """`prediction: {statement: ..., target_date: ...}`: stay in flow style."""
    flow = "resolution: " + _flow_mapping(block.pairs(flow=True))
    if old_key is not None and old_value is not None:
        return text[: old_key.start_mark.index] + flow + text[old_value.end_mark.index :]
    return _flow_append(text, mapping, flow)


def _indents(parent_key: yaml.Node, mapping: yaml.MappingNode) -> tuple[int, int]:
    """The column of a block mapping's keys, and how far it is indented from its parent."""
    indent = mapping.value[0][0].start_mark.column
    step = indent - parent_key.start_mark.column
    if step <= 0:  # e.g. `? prediction` complex keys: not worth guessing
        raise EditError("cannot tell the indentation of the 'prediction:' mapping")
    return indent, step


def _after_mapping(text: str, mapping: yaml.MappingNode) -> int:
    """After the line where a block mapping's last value ends: comments and blank lines
    below it stay where they are, below what is added."""
    return _line_end(text, _content_end(mapping.value[-1][1]))


def _put_lines(text: str, cut_from: int, cut_to: int, lines: list[str]) -> str:
    """`text` with `lines` in place of text[cut_from:cut_to], in the file's line endings."""
    newline = _newline_before(text, cut_to)
    return text[:cut_from] + "".join(line + newline for line in lines) + text[cut_to:]


def _flow_append(text: str, mapping: yaml.MappingNode, entry: str) -> str:
    """A flow mapping with `entry` ("key: value") after its last entry."""
    at = mapping.value[-1][1].end_mark.index
    return text[:at] + ", " + entry + text[at:]


def _flow_mapping(pairs: list[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"


# --- Updates -----------------------------------------------------------------------------

_NULL = "tag:yaml.org,2002:null"


def _update_pairs(update: Update, *, flow: bool) -> list[tuple[str, str]]:
    pairs = [("date", update.date.isoformat()), ("confidence", number(update.confidence))]
    if update.note is not None:
        pairs.append(("note", scalar(update.note, flow=flow)))
    return pairs


def _append_update(
    text: str, parent_key: yaml.Node, mapping: yaml.MappingNode, update: Update
) -> str:
    item = _flow_mapping(_update_pairs(update, flow=True))
    key, items = _find(mapping, "updates")
    if key is None:  # a new list, in the mapping's style
        if mapping.flow_style:
            return _flow_append(text, mapping, f"updates: [{item}]")
        indent, step = _indents(parent_key, mapping)
        at = _after_mapping(text, mapping)
        return _put_lines(
            text, at, at, [f"{' ' * indent}updates:", f"{' ' * (indent + step)}- {item}"]
        )
    if isinstance(items, yaml.SequenceNode):
        if items.flow_style:
            return _into_flow_list(text, items, item)
        return _after_last_item(text, items, update)
    if isinstance(items, yaml.ScalarNode) and items.tag == _NULL:
        return _replace_null(text, parent_key, mapping, key, items, item)
    raise EditError("'prediction.updates' is not a list")


def _replace_null(
    text: str,
    parent_key: yaml.Node,
    mapping: yaml.MappingNode,
    key: yaml.Node,
    value: yaml.ScalarNode,
    item: str,
) -> str:
    """`updates:` with nothing after it (a block list follows the key's line, and its
    comment stays), or with an explicit `~` or `null` (a flow list takes its place)."""
    start, end = value.start_mark.index, value.end_mark.index
    if start == end and not mapping.flow_style:
        _, step = _indents(parent_key, mapping)
        at = _line_end(text, key.end_mark.index)
        return _put_lines(text, at, at, [f"{' ' * (key.start_mark.column + step)}- {item}"])
    space = " " if start == end else ""  # `{updates:}`
    return text[:start] + f"{space}[{item}]" + text[end:]


def _into_flow_list(text: str, items: yaml.SequenceNode, item: str) -> str:
    """`updates: [...]`: the item goes last inside the brackets, on a line of its own when
    the items are on lines of their own."""
    if not items.value:
        at = items.end_mark.index - 1
        if text[at] != "]":
            raise EditError("cannot find the end of the 'updates: [...]' list")
        return text[:at] + item + text[at:]
    last = items.value[-1]
    at = last.end_mark.index
    if last.start_mark.line == items.start_mark.line:
        return text[:at] + ", " + item + text[at:]
    newline = _newline_before(text, _line_end(text, at))
    return text[:at] + "," + newline + " " * last.start_mark.column + item + text[at:]


def _after_last_item(text: str, items: yaml.SequenceNode, update: Update) -> str:
    """A block list: a new `- ` item below the last one, its dash and its content at the
    same columns, a `key: value` mapping if the last one is one, else a `{...}`."""
    last = items.value[-1]
    dash = _dash_column(text, last)
    column = last.start_mark.column
    lead = " " * dash + "-" + " " * (column - dash - 1)
    if isinstance(last, yaml.MappingNode) and not last.flow_style:
        pairs = [f"{k}: {v}" for k, v in _update_pairs(update, flow=False)]
        lines = [lead + pairs[0]] + [" " * column + pair for pair in pairs[1:]]
    else:
        lines = [lead + _flow_mapping(_update_pairs(update, flow=True))]
    at = _line_end(text, _content_end(items))
    return _put_lines(text, at, at, lines)


def _dash_column(text: str, item: yaml.Node) -> int:
    """The column of the `-` that starts a block list's item."""
    at = item.start_mark.index - 1
    while at >= 0 and text[at] in " \t\r\n\x85\u2028\u2029":
        at -= 1
    if at < 0 or text[at] != "-":  # e.g. a comment between the dash and the item
        raise EditError("cannot tell the indentation of the 'updates:' list")
    return at - _line_start(text, at)


def _line_start(text: str, index: int) -> int:
    """Offset of the first character of the line holding `index`."""
    return max(text.rfind(brk, 0, index) + 1 for brk in _BREAKS[1:])  # one-character breaks


def _content_end(node: yaml.Node) -> int:
    """Offset just past a value's last character. A block collection's own end mark lies at
    the next token, past any comments and blank lines, so look at its last item instead."""
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return _content_end(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _content_end(node.value[-1])
    return node.end_mark.index


def _line_end(text: str, index: int) -> int:
    """Offset of the start of the next line after `index` (or `index` if it starts a line)."""
    if index > 0 and text[index - 1] in "\r\n\x85\u2028\u2029":
        return index  # e.g. block scalars end after their line break
    for position in range(index, len(text)):
        char = text[position]
        if char == "\r":
            return position + 2 if text.startswith("\r\n", position) else position + 1
        if char in "\n\x85\u2028\u2029":
            return position + 1
    return len(text)


def _newline_before(text: str, index: int) -> str:
    """The line break that ends the line before `index`: new lines use the file's own."""
    for brk in _BREAKS:
        if text[:index].endswith(brk):
            return brk
    return "\n"


# --- Scalars ---------------------------------------------------------------------------


def number(value: float) -> str:
    """`value` as a YAML 1.1 float that reads back exactly: `repr` would write 1e-05, which
    YAML 1.1 reads as text (its floats need a dot)."""
    text = format(Decimal(repr(value)), "f")
    return text if "." in text else text + ".0"


def scalar(value: str, *, flow: bool = False) -> str:
    """`value` as a YAML scalar that reads back as exactly this string: plain when that is
    safe (a typical URL in block context), double-quoted otherwise."""
    single_line = not any(brk in value for brk in _BREAKS)
    if value and value == value.strip() and single_line and _reads_back(value, flow=flow):
        return value
    return _double_quoted(value)


def _reads_back(value: str, *, flow: bool) -> bool:
    document = f"{{k: {value}}}\n" if flow else f"k: {value}\n"
    try:
        return yaml.safe_load(document) == {"k": value}
    except yaml.YAMLError:
        return False


def _double_quoted(value: str) -> str:
    out = []
    for char in value:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif (
            0x20 <= code <= 0x7E
            or (0xA0 <= code <= 0xD7FF and char not in "\u2028\u2029")
            or (0xE000 <= code <= 0xFFFD and code != 0xFEFF)
            or code >= 0x10000
        ):
            out.append(char)  # printable in YAML, and not a line break
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:  # pragma: no cover - every code point above is printable
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'
