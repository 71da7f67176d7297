"""The site's own static files changed since the last full build (incremental/site_static.py):
the shortcut copies them, or deletes their copies, unless one lands where the build makes a
file, and the output is a clean build's."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SiteFolder
from test_incremental import EDITS, _clean_build, _replace
from test_shortcut import _build, built

from builder.incremental import site_static

__all__ = ["built"]  # a fixture

PNG = b"\x89PNG\r\n\x1a\n not really an image"


def _static(site: SiteFolder, name: str, data: bytes | None) -> None:
    path = site.root / "static" / name
    if data is None:
        path.unlink()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


@pytest.fixture
def with_static(built: SiteFolder) -> SiteFolder:
    """built, with an image and a file at a page's path (the build's page wins, warned)."""
    _static(built, "images/old.png", PNG)
    _static(built, "index.html", b"not the home page")
    assert built.build("--clean") == 0
    return built


# What the author does in static/ -> the way the next build takes.
CHANGES = {
    "an image added": (lambda s: _static(s, "images/new.png", PNG + b"new"), "shortcut"),
    "an image changed": (lambda s: _static(s, "images/old.png", PNG + b"changed"), "shortcut"),
    "an image deleted": (lambda s: _static(s, "images/old.png", None), "shortcut"),
    "a file where the build makes one": (lambda s: _static(s, "robots.txt", b"x"), "full"),
    "the file the build's page replaces, changed": (
        lambda s: _static(s, "index.html", b"still not the home page"),
        "full",
    ),
    "the file the build's page replaces, deleted": (
        lambda s: _static(s, "index.html", None),
        "full",
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_static_file_changed(with_static: SiteFolder, tmp_path: Path, change: str) -> None:
    """Catches: the full path taken for an image added, changed or deleted (4-5 s at
    10,000); the shortcut taken where the build's file wins over the static one (and warns),
    or a static file's copy left behind."""
    make, way = CHANGES[change]
    make(with_static)
    report = _build(with_static)
    assert report.way == way
    assert with_static.files() == _clean_build(with_static, tmp_path)
    assert _build(with_static).way == "up to date"


def test_an_image_added_with_the_article_showing_it(built: SiteFolder, tmp_path: Path) -> None:
    """An image added and its article's body edited, then another article edited. Catches:
    the two in one build sent the full way, or the image's copy, made by the shortcut, then
    taken for a file the build makes (the next edit sent the full way)."""
    _static(built, "images/chart.png", PNG)
    EDITS["body"](built)
    assert _build(built).way == "shortcut"
    assert (built.output / "images/chart.png").read_bytes() == PNG
    EDITS["title"](built)
    assert _build(built).way == "shortcut"
    _static(built, "images/chart.png", PNG + b"again")
    assert _build(built).way == "shortcut"
    assert built.files() == _clean_build(built, tmp_path)


def test_is_site_static() -> None:
    """Catches: a theme's static file, or a prediction file, taken for the site's."""
    assert site_static.is_site_static("static/images/a.png")
    assert not site_static.is_site_static("themes/default/static/style.css")
    assert not site_static.is_site_static("content/predictions/a.md")


def test_a_term_edit_after_an_image_added(built: SiteFolder, tmp_path: Path) -> None:
    """Catches: every term edit sent the full way until the next full build once an image
    was added (the image is copied again by each shortcut since), or a term's new page made
    where a static file is copied."""
    _static(built, "images/chart.png", PNG)
    assert _build(built).way == "shortcut"
    EDITS["tag"](built)
    assert _build(built).way == "shortcut"
    assert built.files() == _clean_build(built, tmp_path)
    _static(built, "tags/newer/index.html", b"a page of mine")
    _replace(built, "content/predictions/p5.md", "[t1, fresh]", "[t1, fresh, newer]")
    assert _build(built).way == "full"
    assert built.files() == _clean_build(built, tmp_path)
