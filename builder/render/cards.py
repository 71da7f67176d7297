"""Share cards: a 1200x630 PNG per prediction, the image link previews show (Open Graph,
Twitter), made with Pillow: the site's name, the statement, the target date, the author's
confidence and the status or outcome, in the Noto Sans shipped with the theme (fonts/, under
the SIL Open Font License). No system font is ever looked up.

Each card is an `Output` whose inputs are exactly the values it shows, the font and the
drawing's version: editing a statement re-makes that card alone, editing anything a card does
not show (a body, a tag, a reference) re-makes none. Its bytes are made `Later`, in the worker
that writes the file, so a cold build makes them on every core.

Drawing: text is rasterised as coverage masks and the card is a palette image whose palette
holds, for each of its four inks, 64 steps from the paper to that ink. Antialiased text maps to
those steps exactly (text of different inks never overlaps), and a palette PNG encodes in
about half the time of an RGB one, with nothing in it but the pixels: no date, no metadata,
the same bytes from build to build.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

from builder.config.themes import installed_theme
from builder.content.model import Prediction
from builder.render.outputs import Later, Output
from builder.render.templates import longdate, percent
from builder.site.model import Site

if TYPE_CHECKING:  # Pillow is imported where a card is drawn: most builds draw none
    from PIL import ImageFont

WIDTH, HEIGHT = 1200, 630
CARD_FILE = "card.png"  # inside predictions/<slug>/
# The drawing's version: part of every card's inputs, so a change of layout re-makes them all.
CARD_FORMAT = 2
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
WRAP_SLACK = 8  # pixels a wrapped line keeps free: words are measured at another size


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


@cache
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    # BASIC layout: the same glyph positions with or without libraqm on the machine.
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


def card_png(text: CardText, fonts: Fonts) -> bytes:
    card = _Card(text.status_key)
    bold = partial(_font, fonts.bold)
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
    font, line_height = _font(fonts.bold, size), round(size * LEADING)
    top = STATEMENT_TOP + (STATEMENT_BOTTOM - STATEMENT_TOP - len(lines) * line_height) // 2
    for n, line in enumerate(lines):
        card.text((MARGIN, top + n * line_height), line, font, INK)


def statement_lines(statement: str, fonts: Fonts) -> tuple[int, list[str]]:
    """The statement's size and lines: as large as it fits in the middle band; past the
    smallest size, cut short with an ellipsis."""
    width = WIDTH - 2 * MARGIN
    # Words are measured once, at the largest size: advances scale with the size (to a pixel
    # or so: hence the slack), and measuring is most of a card's cost.
    largest = _font(fonts.bold, STATEMENT_SIZES[0])
    words = [(word, largest.getlength(word)) for word in statement.split()]
    space = largest.getlength(" ")
    for size in STATEMENT_SIZES:
        font, scale = _font(fonts.bold, size), size / STATEMENT_SIZES[0]
        most = (STATEMENT_BOTTOM - STATEMENT_TOP) // round(size * LEADING)
        lines = wrap(words, space, (width - WRAP_SLACK) / scale, font, width)
        if len(lines) <= most:
            return size, lines
    # The last line that fits, and the next one, cut short with an ellipsis.
    last = _fit(" ".join(lines[most - 1 : most + 1]), font, width, cut=True)
    return size, [*lines[: most - 1], last]


def _facts(text: CardText) -> list[tuple[str, str]]:
    facts = [("TARGET DATE", text.target), ("AUTHOR\u2019S CONFIDENCE", text.confidence)]
    return [(label, value) for label, value in facts if value is not None]


def _fact_width(label: str, value: str, fonts: Fonts) -> float:
    return max(_font(fonts.bold, 36).getlength(value), _font(fonts.bold, 22).getlength(label)) + 48


def status_label(text: CardText, fonts: Fonts) -> str:
    """The status as the pill shows it: cut short only if the facts leave it no room."""
    left = MARGIN + sum(_fact_width(label, value, fonts) for label, value in _facts(text))
    return _fit(text.status, _font(fonts.bold, 30), WIDTH - MARGIN - left - PILL_PADDING * 2)


def _status_pill(card: _Card, label: str, font: ImageFont.FreeTypeFont) -> None:
    """The status, right-aligned on the facts' row, in a pill of its colour."""
    right = WIDTH - MARGIN
    box = (int(right - font.getlength(label) - PILL_PADDING * 2), 516, right, 578)
    card.pill(box, STATUS)
    card.text((box[0] + PILL_PADDING, 528), label, font, STATUS, reverse=True)


def wrap(
    words: Sequence[tuple[str, float]],
    space: float,
    width: float,
    font: ImageFont.FreeTypeFont,
    pixels: float,
) -> list[str]:
    """Greedy word wrap of (word, its width) to `width`; a word wider than a line (a long
    URL, a script without spaces) is broken between characters, `font` measuring the pieces
    against `pixels`."""
    lines: list[str] = []
    line, used = "", 0.0
    for word, size in words:
        if line and used + space + size <= width:
            line, used = f"{line} {word}", used + space + size
            continue
        if line:
            lines.append(line)
        if size > width:  # break it: as many characters as fit, then the rest
            while font.getlength(word) > pixels:
                head = _fit(word, font, pixels, ellipsis="")
                lines.append(head)
                word = word[len(head) :]
            size = width  # what is left of it starts a line of its own
        line, used = word, size
    if line:
        lines.append(line)
    return lines or [""]


def _fit(
    text: str,
    font: ImageFont.FreeTypeFont,
    width: float,
    *,
    cut: bool = False,
    ellipsis: str = ELLIPSIS,
) -> str:
    """`text` if it fits in `width` (and is not `cut`), else its longest head that fits with
    `ellipsis` after it (at least one character), ending at a word's end when an ellipsis
    follows and any word fits whole."""
    if not cut and font.getlength(text) <= width:
        return text
    low, high = 1, len(text)  # binary search on the head's length
    while low < high:
        middle = (low + high + 1) // 2
        if font.getlength(text[:middle].rstrip() + ellipsis) <= width:
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
        font: ImageFont.FreeTypeFont,
        ink: int,
        *,
        reverse: bool = False,
    ) -> None:
        """Draw `text` in `ink` on the paper, or (`reverse`) in paper on a shape of `ink`."""
        from PIL import Image, ImageDraw

        if not text.strip():
            return
        # Sized from the advance and the font's metrics, not measured (getbbox lays the text
        # out again, and drawing it does so anyway): room for an overhang on the right.
        ascent, descent = font.getmetrics()
        width = math.ceil(font.getlength(text)) + int(font.size) // 2
        mask = Image.new("L", (width, ascent + descent), 0)
        ImageDraw.Draw(mask).text((0, 0), text, font=font, fill=255)
        base = ink * STEPS
        if reverse:
            table = [base + STEPS - 1 - v * (STEPS - 1) // 255 for v in range(256)]
        else:
            table = [base + v * (STEPS - 1) // 255 for v in range(256)]
        # The mask's coverage as palette indices, pasted where there is any coverage at all
        # (a paste through the mask itself would blend indices, not colours).
        inked = Image.frombytes("P", mask.size, mask.point(table).tobytes())
        self.image.paste(inked, (int(xy[0]), int(xy[1])), mask.point(_ANY))

    def png(self) -> bytes:
        out = io.BytesIO()
        # Level 3: half the time of the default 6, for files about a sixth larger.
        self.image.save(out, "PNG", compress_level=3)
        return out.getvalue()


_ANY = [0] + [255] * 255  # a mask's coverage -> paste here or not


@cache
def _palette(inks: Sequence[tuple[int, int, int]]) -> list[int]:
    palette = []
    for colour in inks:
        for step in range(STEPS):
            t = step / (STEPS - 1)
            palette += [round(p + (c - p) * t) for p, c in zip(PAPER, colour, strict=True)]
    return palette
