"""Share cards (builder/render/cards.py): a valid 1200x630 PNG per prediction, announced in the
page's Open Graph and Twitter metadata, re-made exactly when what it shows changes."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import zlib
from pathlib import Path

import pytest
from conftest import NOW, SiteFolder, prediction_text
from PIL import Image

from builder.cli import main
from builder.options import BuildOptions
from builder.render import cards, glyphs
from builder.serve.rebuild import Rebuilder

LONG = (
    "The city will open the third and fourth lines of its aerial cable car network, including "
    "the southern extension and the connector to the ring road, to paying passengers before "
    "the end of the 2027 calendar year, with a daily ridership above 30,000 on one of them, as "
    "the transit authority's published figures will show in its yearly report to the council."
)
NON_ASCII = "Łódź, Žluťoučký kůň, «Ñandú», Straße, Ærø, Đà Nẵng: Дневник ελληνικά"
SLUGS = ("long", "resolved", "accents")


def _write(site: SiteFolder) -> None:
    confident = "confidence: 0.75\n"
    site.write("long.md", prediction_text("Long", statement=LONG, prediction_extra=confident))
    site.write(
        "resolved.md",
        prediction_text(
            "Resolved",
            statement="Solar will overtake coal.",
            target="2026-06-30",
            prediction_extra="confidence: 0.6\nresolution: {outcome: yes, date: 2026-07-02}\n",
        ),
    )
    site.write("accents.md", prediction_text(NON_ASCII, statement=NON_ASCII, extra="tags: [x]\n"))


@pytest.fixture
def built(site: SiteFolder) -> SiteFolder:
    _write(site)
    assert site.build() == 0
    return site


def _chunks(data: bytes) -> list[bytes]:
    """The chunk types of a PNG, in order, each one's CRC checked."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        crc = int.from_bytes(data[at + 8 + length : at + 12 + length], "big")
        assert zlib.crc32(kind + body) == crc
        chunks.append(kind)
        at += 12 + length
    return chunks


def test_each_card_is_a_valid_1200_by_630_png_without_metadata(built: SiteFolder) -> None:
    # Catches: a card missing for a prediction, another size, a broken file, and a card
    # carrying a time or text chunk (which would change from build to build).
    for slug in SLUGS:
        data = (built.output / f"predictions/{slug}/card.png").read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "PNG" and image.size == (1200, 630)
            image.verify()
        assert set(_chunks(data)) == {b"IHDR", b"PLTE", b"IDAT", b"IEND"}


def test_cards_are_the_same_bytes_from_build_to_build(built: SiteFolder, tmp_path: Path) -> None:
    # Catches: anything of the moment in a card (a date, a random palette order).
    copy = tmp_path / "again"
    shutil.copytree(built.root, copy, ignore=shutil.ignore_patterns("output", ".foretell"))
    assert main(["build", "--source", str(copy), "--now", NOW]) == 0
    for slug in SLUGS:
        path = f"predictions/{slug}/card.png"
        assert (copy / "output" / path).read_bytes() == (built.output / path).read_bytes()


def test_page_announces_its_card(built: SiteFolder) -> None:
    # Catches: a relative og:image (platforms need an absolute URL), missing dimensions or
    # alt text, and the small "summary" Twitter card kept for a page with a large image.
    page = built.html("predictions/resolved/")
    meta = {
        m.get("property") or m.get("name"): m["content"]
        for m in page.find_all("meta")
        if m.get("property") or m.get("name")
    }
    assert meta["og:image"] == "https://test.example.org/predictions/resolved/card.png"
    assert meta["twitter:image"] == meta["og:image"]
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
    assert meta["twitter:card"] == "summary_large_image"
    alt = meta["og:image:alt"]
    assert alt.startswith("Solar will overtake coal.") and "60%" in alt
    assert "Resolved: it happened" in alt and "June 30, 2026" in alt


def test_share_cards_false_makes_none(site: SiteFolder) -> None:
    # Catches: the setting read but ignored, by the images or by the metadata.
    _write(site)
    site.config((site.root / "site.yaml").read_text(encoding="utf-8") + "share_cards: false\n")
    assert site.build() == 0
    assert not list(site.output.rglob("*.png"))
    page = site.html("predictions/long/")
    assert page.find("meta", property="og:image") is None
    assert page.find("meta", attrs={"name": "twitter:card"})["content"] == "summary"


def test_share_cards_must_be_true_or_false(site: SiteFolder, capsys: pytest.CaptureFixture) -> None:
    # Catches: a misspelt value silently taken as on.
    _write(site)
    site.config((site.root / "site.yaml").read_text(encoding="utf-8") + "share_cards: nope\n")
    assert site.check() == 1
    assert "site.yaml:10: share_cards: expected true or false" in capsys.readouterr().err


class _Counting:
    """card_png, counting which statements it drew."""

    def __init__(self) -> None:
        self.drawn: list[str] = []
        self.real = cards.card_png

    def __call__(self, text: cards.CardText, fonts: cards.Fonts) -> bytes:
        self.drawn.append(text.statement)
        return self.real(text, fonts)


def _edit(site: SiteFolder, name: str, old: str, new: str) -> None:
    path = site.root / "content/predictions" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_statement_edit_remakes_that_card_alone(
    built: SiteFolder, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Catches: cards keyed by something wider than what they show (every card made again),
    # or by something narrower (the edited card kept stale); and an incremental card that
    # differs from a clean build's.
    counting = _Counting()
    monkeypatch.setattr(cards, "card_png", counting)
    _edit(built, "resolved.md", "Solar will overtake coal.", "Wind will overtake coal.")
    assert built.build() == 0
    assert counting.drawn == ["Wind will overtake coal."]
    clean = tmp_path / "clean"
    shutil.copytree(built.root, clean, ignore=shutil.ignore_patterns("output", ".foretell"))
    assert main(["build", "--source", str(clean), "--now", NOW]) == 0
    for slug in SLUGS:
        path = f"predictions/{slug}/card.png"
        assert (clean / "output" / path).read_bytes() == (built.output / path).read_bytes()


@pytest.mark.parametrize(
    "edit",
    [
        ("long.md", "Body text.", "Another body."),
        ("accents.md", "tags: [x]", "tags: [y, z]"),
        ("long.md", "title: 'Long'", "title: 'Longer'"),
    ],
    ids=["body", "tags", "title"],
)
def test_an_edit_no_card_shows_remakes_none(
    built: SiteFolder, monkeypatch: pytest.MonkeyPatch, edit: tuple[str, str, str]
) -> None:
    # Catches: cards keyed by the whole prediction (its file's digest) instead of what they
    # show: a body, tag or title edit would draw cards again.
    counting = _Counting()
    monkeypatch.setattr(cards, "card_png", counting)
    _edit(built, *edit)
    assert built.build() == 0
    assert counting.drawn == []


def test_a_resolution_remakes_the_card(built: SiteFolder, monkeypatch: pytest.MonkeyPatch) -> None:
    # Catches: the status left out of a card's inputs (a card still saying "Open").
    counting = _Counting()
    monkeypatch.setattr(cards, "card_png", counting)
    _edit(
        built,
        "long.md",
        "  confidence: 0.75",
        "  confidence: 0.75\n  resolution: {outcome: no, date: 2026-11-01}",
    )
    assert built.build() == 0
    assert counting.drawn == [LONG]


def test_a_long_statement_is_wrapped_and_cut_with_an_ellipsis() -> None:
    # Catches: lines wider than the card, a statement running into the facts below it, and
    # a cut with no ellipsis (or mid-word).
    fonts = cards.font_files("default")
    size, lines = cards.statement_lines(LONG * 2, fonts)
    assert size == min(cards.STATEMENT_SIZES)
    font = glyphs.face(fonts.bold, size).font  # Pillow's own measure
    assert all(font.getlength(line) <= cards.WIDTH - 2 * cards.MARGIN for line in lines)
    assert len(lines) * round(size * cards.LEADING) <= cards.STATEMENT_BOTTOM - cards.STATEMENT_TOP
    assert lines[-1].endswith("\u2026")
    assert lines[-1][:-1].split()[-1] in (LONG * 2).split()  # a whole word before it
    assert " ".join(lines)[:-1] in " ".join((LONG * 2).split())


def test_a_short_statement_gets_the_largest_size() -> None:
    # Catches: a size chosen by anything but fitting (short statements shown small).
    size, lines = cards.statement_lines("Solar will overtake coal.", cards.font_files("default"))
    assert (size, lines) == (max(cards.STATEMENT_SIZES), ["Solar will overtake coal."])


def test_a_word_wider_than_a_line_is_broken() -> None:
    # Catches: a long URL or an unspaced script overflowing the card's edge.
    fonts = cards.font_files("default")
    size, lines = cards.statement_lines("See " + "x" * 120 + " now", fonts)
    font = glyphs.face(fonts.bold, size).font  # Pillow's own measure
    assert len(lines) > 2
    assert all(font.getlength(line) <= cards.WIDTH - 2 * cards.MARGIN for line in lines)
    assert "".join(lines).replace(" ", "") == "See" + "x" * 120 + "now"


def test_many_cards_are_made_in_the_workers(
    site: SiteFolder, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Catches: a cold build drawing its cards one by one in the main process, a `Later`
    # written as it is (not bytes), and cards made in workers differing from the same card
    # made here.
    for n in range(110):
        site.write(f"p{n}.md", prediction_text(f"P{n}", statement=f"Statement number {n}."))
    drawers = _record_drawers(monkeypatch, tmp_path)
    assert site.build() == 0
    assert str(os.getpid()) not in drawers.read_text().split()
    for n in (0, 57, 109):
        data = (site.output / f"predictions/p{n}/card.png").read_bytes()
        assert data == _plain_card(n)


def _record_drawers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """card_png, writing the id of each process that draws a card to the file returned."""
    drawers = tmp_path / "drawers"
    real = cards.card_png

    def drawing(text: cards.CardText, fonts: cards.Fonts) -> bytes:
        with drawers.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return real(text, fonts)

    monkeypatch.setattr(cards, "card_png", drawing)
    return drawers


def _plain_card(n: int) -> bytes:
    text = cards.CardText(
        "Test Desk", f"Statement number {n}.", "January 1, 2027", None, "Open", "open"
    )
    return _REAL_CARD_PNG(text, cards.font_files("default"))


_REAL_CARD_PNG = cards.card_png


STATUSES = {"open": "Open", "soon": "Resolves soon", "awaiting": "Awaiting resolution"}


@pytest.mark.parametrize("key", ["open", "soon", "awaiting", "yes", "no", "void"])
def test_the_status_is_never_cut_short(key: str) -> None:
    # Catches: the status pill truncating the outcome ("Resolved: it did not…", the label the
    # pages use) next to the widest facts a card can show.
    status = {**STATUSES, **cards.OUTCOME_LABELS}[key]
    text = cards.CardText("Test Desk", "S.", "September 30, 2026", "100%", status, key)
    assert cards.status_label(text, cards.font_files("default")) == status


def test_serve_draws_many_cards_in_the_workers(
    site: SiteFolder, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Catches: serve's in-memory build drawing its cards on one core (its sink writes
    # nothing, so no worker would), keeping a `Later` undrawn, or drawing it differently.
    for n in range(210):
        site.write(f"p{n}.md", prediction_text(f"P{n}", statement=f"Statement number {n}."))
    drawers = _record_drawers(monkeypatch, tmp_path)
    files = Rebuilder(BuildOptions(root=site.root, now=dt.date(2026, 11, 25))).files()
    drawn = drawers.read_text().split()
    assert str(os.getpid()) not in drawn and len(drawn) == 210
    for n in (0, 123, 209):
        assert files[f"predictions/p{n}/card.png"] == _plain_card(n)
