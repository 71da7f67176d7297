"""Text for the share cards (cards.py), set from glyphs rasterised once.

Pillow lays a string out and rasterises each of its glyphs twice per call (once for the
string's box, once to draw it), and measuring a string lays it out again. A card sets about
ten strings, and ten thousand cards set the same few dozen characters over and over: that was
most of a cold build's time at 10,000 predictions. A `Face` rasterises each character once
per size and process, measures a string as the sum of its characters' advances and draws it
by placing their masks at the pen's positions, rounded to the pixel, as Pillow's BASIC layout
does. For a font without a kerning table, such as the Noto Sans the theme ships, the lengths
are Pillow's to the bit and so are the pixels, but where two glyphs' antialiased edges share
a pixel: there the darker coverage is kept, where Pillow blends the two.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Pillow is imported where a card is drawn: most builds draw none
    from PIL import Image, ImageFont


@dataclass(frozen=True)
class Glyph:
    mask: Image.Image  # its coverage, mode "L"
    left: int  # where the mask goes from the pen, in pixels
    top: int  # and from the line's top (the ascender)
    advance: float  # how far the pen moves after it


class Face:
    """A font at one size, its glyphs rasterised when first set."""

    def __init__(self, path: Path, size: int) -> None:
        from PIL import ImageFont

        # BASIC layout: the same glyph positions with or without libraqm on the machine.
        self.font: ImageFont.FreeTypeFont = ImageFont.truetype(
            str(path), size, layout_engine=ImageFont.Layout.BASIC
        )
        self.size = size
        self.ascent, self.descent = self.font.getmetrics()
        self._glyphs: dict[str, Glyph] = {}

    def glyph(self, char: str) -> Glyph:
        found = self._glyphs.get(char)
        if found is None:
            from PIL import Image, ImageDraw

            left, top, right, bottom = self.font.getbbox(char)  # from the pen, on the line's top
            mask = Image.new("L", (right - left, bottom - top), 0)
            ImageDraw.Draw(mask).text((-left, -top), char, font=self.font, fill=255)
            found = self._glyphs[char] = Glyph(mask, left, top, self.font.getlength(char))
        return found

    def length(self, text: str) -> float:
        """The text's advance in pixels (Pillow's `getlength`)."""
        return sum(self.glyph(char).advance for char in text)

    def mask(self, text: str) -> Image.Image:
        """The text's coverage (mode "L"), its pen starting at the left edge on the line's
        top: as wide as its advance and half the size more (room for an overhang), as tall
        as the font's ascent and descent."""
        from PIL import Image, ImageChops

        width = math.ceil(self.length(text)) + self.size // 2
        canvas = Image.new("L", (width, self.ascent + self.descent), 0)
        pen, inked = 0.0, -math.inf  # inked: the right edge of everything set so far
        for char in text:
            glyph = self.glyph(char)
            x = math.floor(pen + 0.5) + glyph.left
            box = (x, glyph.top, x + glyph.mask.width, glyph.top + glyph.mask.height)
            pen += glyph.advance
            if not (glyph.mask.width and glyph.mask.height):
                continue  # a space
            if x >= inked:  # nothing set there yet: the mask as it is
                canvas.paste(glyph.mask, box)
            else:  # an edge shared with the glyph before: the darker coverage of the two
                canvas.paste(ImageChops.lighter(canvas.crop(box), glyph.mask), box)
            inked = max(inked, box[2])
        return canvas


@cache
def face(path: Path, size: int) -> Face:
    return Face(path, size)
