"""Share cards: a 1200x630 PNG per prediction, the image link previews show (Open Graph,
Twitter), made with Pillow: the site's name, the statement, the target date, the author's
confidence and the status or outcome, in the Noto Sans shipped with the theme (fonts/, under
the SIL Open Font License). No system font is ever looked up.

Each card is an `Output` whose inputs are exactly the values it shows, the font and the
drawing's version: editing a statement re-makes that card alone, editing anything a card does
not show (a body, a tag, a reference) re-makes none. Its bytes are made `Later`, in the worker
that writes the file, so a cold build makes them on every core.

Drawing: text is set as coverage masks from glyphs rasterised once per process (glyphs.py:
measuring and drawing text through Pillow's own calls was two thirds of a card's time), and
the card is a palette image whose palette holds, for each of its four inks, 64 steps from the
paper to that ink. Antialiased text maps to those steps exactly (text of different inks never
overlaps), and a palette PNG encodes in about half the time of an RGB one, with nothing in it
but the pixels: no date, no metadata, the same bytes from build to build. Encoding is now most
of a card's 3.5 ms.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

from builder.config.themes import installed_theme
from builder.content.model import Prediction
from builder.render.glyphs import Face, face
from builder.render.outputs import Later, Output
from builder.render.templates import longdate, percent
from builder.site.model import Site

WIDTH, HEIGHT = 1200, 630
CARD_FILE = "card.png"  # inside predictions/<slug>/
# The drawing's version: part of every card's inputs, so a change of layout re-makes them all.
CARD_FORMAT = 3
FONTS = "fonts"  # the theme's folder of font files
FONT = "NotoSans-Bold.ttf"  # Latin, Greek and Cyrillic; other scripts show as boxes

PAPER = (251, 250, 247)
INK, MUTED, ACCENT, STATUS = range(4)  # the palette's inks; STATUS is the card's status colour
COLOURS = {INK: (27, 27, 31), MUTED: (90, 91, 99), ACCENT: (155, 44, 31)}
STATUS_COLOURS = {  # the stylesheet's light colours: status-<key>
    "open": (27, 27, 31),
    "soon": (138, 90, 0),
    "awaiting": (138, 90, 0),
    "yes": (29, 107, 58),
    "no": (155, 44, 31),
    "void": (90, 91, 99),
}
STEPS = 64  # palette entries per ink: 4 x 64 = 256
# The outcome in words short enough for the card's pill ("Resolved: it did not happen" is not).
OUTCOME_LABELS = {"yes": "It happened", "no": "It did not happen", "void": "Void"}

MARGIN = 72
PILL_PADDING = 22
STATEMENT_TOP, STATEMENT_BOTTOM = 150, 470
STATEMENT_SIZES = (64, 56, 48, 42)  # the largest whose wrapped lines fit is used
LEADING = 1.25  # line height / font size
ELLIPSIS = "\u2026"


@dataclass(frozen=True)
class CardText:
    """Everything a card shows, as text: its Output's inputs."""

    site: str
    statement: str
    target: str  # "December 31, 2026"
    confidence: str | None  # "75%"
    status: str  # "Open", "Resolved: it happened"
    status_key: str  # open | soon | awaiting | yes | no | void: the status colour


def card_path(p: Prediction) -> str:
    return f"{p.url}{CARD_FILE}"


def card_text(site: Site, p: Prediction) -> CardText:
    st = site.status(p)
    confidence = None if p.current_confidence is None else percent(p.current_confidence)
    label = OUTCOME_LABELS.get(st.key, st.label)
    return CardText(
        site.config.title, p.statement, longdate(p.target_date), confidence, label, st.key
    )


def card_files(site: Site, p: Prediction) -> list[Output]:
    """The prediction's card, unless site.yaml says `share_cards: false`."""
    if not site.config.share_cards:
        return []
    fonts = font_files(site.config.theme)
    text = card_text(site, p)
    make = partial(Later, partial(card_png, text, fonts))
    return [Output(card_path(p), {"card": text, "font": fonts.digest, "format": CARD_FORMAT}, make)]


@dataclass(frozen=True)
class Fonts:
    bold: Path
    digest: str  # of the file: a new font re-makes every card


@cache
def font_files(theme: str) -> Fonts:
    """The theme's font: the one installed with foretell for a theme of that name, else the
    default theme's (a site's own themes/ override templates and static files, not fonts)."""
    folder = installed_theme(theme) or installed_theme("default")
    assert folder is not None, "foretell is installed with its default theme"
    bold = folder / FONTS / FONT
    return Fonts(bold, hashlib.blake2b(bold.read_bytes(), digest_size=16).hexdigest())


def card_png(text: CardText, fonts: Fonts) -> bytes:
    card = _Card(text.status_key)
    bold = partial(face, fonts.bold)
    card.bar(0, 0, WIDTH, 14, ACCENT)
    card.text((MARGIN, 56), _fit(text.site, bold(34), WIDTH - 2 * MARGIN), bold(34), MUTED)
    _statement(card, text.statement, fonts)
    card.bar(MARGIN, 492, WIDTH - MARGIN, 494, MUTED, step=16)
    x = MARGIN
    for label, value in _facts(text):
        card.text((x, 516), label, bold(22), MUTED)
        card.text((x, 546), value, bold(36), INK)
        x += _fact_width(label, value, fonts)
    _status_pill(card, status_label(text, fonts), bold(30))
    return card.png()


def _statement(card: _Card, statement: str, fonts: Fonts) -> None:
    size, lines = statement_lines(statement, fonts)
    font, line_height = face(fonts.bold, size), round(size * LEADING)
    top = STATEMENT_TOP + (STATEMENT_BOTTOM - STATEMENT_TOP - len(lines) * line_height) // 2
    for n, line in enumerate(lines):
        card.text((MARGIN, top + n * line_height), line, font, INK)


def statement_lines(statement: str, fonts: Fonts) -> tuple[int, list[str]]:
    """The statement's size and lines: as large as it fits in the middle band; past the
    smallest size, cut short with an ellipsis."""
    width = WIDTH - 2 * MARGIN
    for size in STATEMENT_SIZES:
        font = face(fonts.bold, size)
        most = (STATEMENT_BOTTOM - STATEMENT_TOP) // round(size * LEADING)
        lines = wrap(statement.split(), width, font)
        if len(lines) <= most:
            return size, lines
    # The last line that fits, and the next one, cut short with an ellipsis.
    last = _fit(" ".join(lines[most - 1 : most + 1]), font, width, cut=True)
    return size, [*lines[: most - 1], last]


def _facts(text: CardText) -> list[tuple[str, str]]:
    facts = [("TARGET DATE", text.target), ("AUTHOR\u2019S CONFIDENCE", text.confidence)]
    return [(label, value) for label, value in facts if value is not None]


def _fact_width(label: str, value: str, fonts: Fonts) -> float:
    return max(face(fonts.bold, 36).length(value), face(fonts.bold, 22).length(label)) + 48


def status_label(text: CardText, fonts: Fonts) -> str:
    """The status as the pill shows it: cut short only if the facts leave it no room."""
    left = MARGIN + sum(_fact_width(label, value, fonts) for label, value in _facts(text))
    return _fit(text.status, face(fonts.bold, 30), WIDTH - MARGIN - left - PILL_PADDING * 2)


def _status_pill(card: _Card, label: str, font: Face) -> None:
    """The status, right-aligned on the facts' row, in a pill of its colour."""
    right = WIDTH - MARGIN
    box = (int(right - font.length(label) - PILL_PADDING * 2), 516, right, 578)
    card.pill(box, STATUS)
    card.text((box[0] + PILL_PADDING, 528), label, font, STATUS, reverse=True)


def wrap(words: Sequence[str], width: float, font: Face) -> list[str]:
    """Greedy word wrap of `words` in `font` to `width`; a word wider than a line (a long
    URL, a script without spaces) is broken between characters."""
    lines: list[str] = []
    line, used, space = "", 0.0, font.length(" ")
    for word in words:
        size = font.length(word)
        if line and used + space + size <= width:
            line, used = f"{line} {word}", used + space + size
            continue
        if line:
            lines.append(line)
        while size > width:  # break it: as many characters as fit, then the rest
            head = _fit(word, font, width, ellipsis="")
            lines.append(head)
            word = word[len(head) :]
            size = font.length(word)
        line, used = word, size
    if line:
        lines.append(line)
    return lines or [""]


def _fit(
    text: str,
    font: Face,
    width: float,
    *,
    cut: bool = False,
    ellipsis: str = ELLIPSIS,
) -> str:
    """`text` if it fits in `width` (and is not `cut`), else its longest head that fits with
    `ellipsis` after it (at least one character), ending at a word's end when an ellipsis
    follows and any word fits whole."""
    if not cut and font.length(text) <= width:
        return text
    low, high = 1, len(text)  # binary search on the head's length
    while low < high:
        middle = (low + high + 1) // 2
        if font.length(text[:middle].rstrip() + ellipsis) <= width:
            low = middle
        else:
            high = middle - 1
    head = text[:low]
    mid_word = low < len(text) and not text[low].isspace() and not head[-1].isspace()
    if ellipsis and mid_word and " " in head.strip():
        head = head.rstrip().rsplit(" ", 1)[0]  # the word cut short goes altogether
    return head.rstrip() + ellipsis


class _Card:
    """A palette canvas: index `ink * STEPS + step` is `step / (STEPS - 1)` of the way from
    the paper to that ink."""

    def __init__(self, status_key: str) -> None:
        from PIL import Image, ImageDraw

        self.image = Image.new("P", (WIDTH, HEIGHT), 0)
        colours = {**COLOURS, STATUS: STATUS_COLOURS.get(status_key, COLOURS[INK])}
        self.image.putpalette(_palette(tuple(colours[ink] for ink in range(4))))
        self.draw = ImageDraw.Draw(self.image)

    def bar(self, x0: int, y0: int, x1: int, y1: int, ink: int, step: int = STEPS - 1) -> None:
        self.draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=ink * STEPS + step)

    def pill(self, box: tuple[int, int, int, int], ink: int) -> None:
        radius = (box[3] - box[1]) // 2
        self.draw.rounded_rectangle(box, radius=radius, fill=ink * STEPS + STEPS - 1)

    def text(
        self,
        xy: tuple[float, float],
        text: str,
        font: Face,
        ink: int,
        *,
        reverse: bool = False,
    ) -> None:
        """Draw `text` in `ink` on the paper, or (`reverse`) in paper on a shape of `ink`."""
        from PIL import Image

        if not text.strip():
            return
        mask = font.mask(text)
        # The mask's coverage as palette indices, pasted where there is any coverage at all
        # (a paste through the mask itself would blend indices, not colours). bytes.translate
        # maps them: Image.point rounds its table's 256 entries in Python on every call.
        coverage = mask.tobytes()
        inked = Image.frombytes("P", mask.size, coverage.translate(_steps(ink, reverse)))
        where = Image.frombytes("L", mask.size, coverage.translate(_ANY))
        self.image.paste(inked, (int(xy[0]), int(xy[1])), where)

    def png(self) -> bytes:
        out = io.BytesIO()
        # Level 3: half the time of the default 6, for files about a sixth larger.
        self.image.save(out, "PNG", compress_level=3)
        return out.getvalue()


_ANY = bytes([0] + [255] * 255)  # a mask's coverage -> paste here or not


@cache
def _steps(ink: int, reverse: bool) -> bytes:
    """A mask's coverage -> the palette index of that much `ink` on the paper, or (`reverse`)
    of that much paper on the ink."""
    base = ink * STEPS
    if reverse:
        return bytes(base + STEPS - 1 - v * (STEPS - 1) // 255 for v in range(256))
    return bytes(base + v * (STEPS - 1) // 255 for v in range(256))


@cache
def _palette(inks: tuple[tuple[int, int, int], ...]) -> tuple[int, ...]:
    palette: list[int] = []
    for colour in inks:
        for step in range(STEPS):
            t = step / (STEPS - 1)
            palette += [round(p + (c - p) * t) for p, c in zip(PAPER, colour, strict=True)]
    return tuple(palette)  # cached: shared by every card, so not a list anyone could change
