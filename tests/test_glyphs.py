"""Text set from cached glyphs (builder/render/glyphs.py), held to Pillow's own layout and
rendering of the same strings in the font the cards use."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from builder.render import cards, glyphs

FONT = cards.font_files("default").bold
TEXTS = (
    "Solar will overtake coal.",
    "December 31, 2026",
    "AUTHOR\u2019S CONFIDENCE",
    "\u0141\u00f3d\u017a, \u00abStra\u00dfe\u00bb, \u00c6r\u00f8",
    "\u0414\u043d\u0435\u0432\u043d\u0438\u043a \u03b5\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
)
SIZES = (64, 56, 48, 42, 36, 34, 30, 22)  # every size a card sets text in


def _pillows(face: glyphs.Face, text: str) -> Image.Image:
    """The text as Pillow draws it, on a canvas of the size Face.mask makes."""
    mask = face.mask(text)
    canvas = Image.new("L", mask.size, 0)
    ImageDraw.Draw(canvas).text((0, 0), text, font=face.font, fill=255)
    return canvas


@pytest.mark.parametrize("size", SIZES)
def test_lengths_are_pillows(size: int) -> None:
    # Catches: a length summed from anything but each character's advance (a mask's width,
    # a rounded advance), or a character dropped, which would wrap lines past the card's edge.
    face = glyphs.face(FONT, size)
    for text in (*TEXTS, " ", "a b", ""):
        assert face.length(text) == face.font.getlength(text)


@pytest.mark.parametrize("size", SIZES)
def test_text_is_drawn_as_pillow_draws_it(size: int) -> None:
    # Catches: the pen moved by anything but each glyph's advance (its mask's width), the
    # glyphs' offsets ignored (every letter on the line's top), or a glyph left out. (How the
    # pen is rounded is not seen: this font's hinted advances are whole pixels.)
    face = glyphs.face(FONT, size)
    for text in TEXTS:
        ours, pillows = face.mask(text), _pillows(face, text)
        shared = _shared_columns(face, text)
        for x in range(ours.width):
            column = [ours.getpixel((x, y)) for y in range(ours.height)]
            expected = [pillows.getpixel((x, y)) for y in range(ours.height)]
            if x not in shared:
                assert column == expected, (text, x)
            else:  # Pillow blends two edges, darker than either: the darker one is kept
                pairs = zip(column, expected, strict=True)
                assert all(0 < a <= b or a == b == 0 for a, b in pairs), (text, x)


def _shared_columns(face: glyphs.Face, text: str) -> set[int]:
    """The columns where two of the text's glyph masks meet."""
    seen: dict[int, int] = {}
    pen = 0.0
    for char in text:
        glyph = face.glyph(char)
        x = int(pen + 0.5) + glyph.left
        for column in range(x, x + glyph.mask.width):
            seen[column] = seen.get(column, 0) + 1
        pen += glyph.advance
    return {column for column, count in seen.items() if count > 1}


def test_an_edge_two_glyphs_share_keeps_the_darker_coverage() -> None:
    # Catches: a glyph pasted over the one before, which would lighten the pixels their
    # antialiased edges share (a pale seam in "__", in a cursive script) where Pillow blends.
    face = glyphs.face(FONT, 48)
    first, second = face.glyph("_"), face.glyph("_")
    mask = face.mask("__")
    x = round(first.advance) + second.left  # the second glyph's left edge
    assert 0 <= x < first.left + first.mask.width  # the first one's edge is there too
    y = second.top + second.mask.height - 1  # the bar's bottom row
    under_first = first.mask.getpixel((x - first.left, y - first.top))
    under_second = second.mask.getpixel((0, y - second.top))
    assert 0 < under_second < under_first  # the test's premise: the second one is lighter
    assert mask.getpixel((x, y)) == max(under_first, under_second)
