"""serve/warm.py: serve's first build takes the output folder `foretell build` left, when it is
up to date for serve's options; otherwise it builds as before. Either way its files are a
clean build's bytes, and so are those of the rebuilds after it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import NOW, SITE_YAML, SiteFolder
from test_incremental import _clean_build, _populate, _replace

from builder.options import BuildOptions
from builder.render.templates import Renderer
from builder.serve import warm
from builder.serve.rebuild import Rebuilder

P3 = "content/predictions/p3.md"
RESOLVED = "  resolution: {outcome: yes, date: 2026-05-01}\n  target_date:"


@pytest.fixture
def built(site: SiteFolder) -> SiteFolder:
    _populate(site)
    assert site.build() == 0
    return site


def _rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the pages rendered from now on, in this process."""
    paths: list[str] = []
    render = Renderer.render

    def counted(self: Renderer, spec: object) -> bytes:
        paths.append(spec.path)  # type: ignore[attr-defined]
        return render(self, spec)  # type: ignore[arg-type]

    monkeypatch.setattr(Renderer, "render", counted)
    return paths


def _rebuilder(site: SiteFolder, now: str = NOW) -> Rebuilder:
    return Rebuilder(BuildOptions(site.root, dt.date.fromisoformat(now)))


def test_serve_starts_from_the_built_output(
    built: SiteFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches: serve rendering all the site again at its start (half a minute at 10,000
    predictions) though the output is up to date; a rebuild after it that re-renders what
    did not change (the build's keys not taken), or misses what did."""
    rendered = _rendered(monkeypatch)
    rebuilder = _rebuilder(built)
    files = rebuilder.files()
    assert rendered == []
    assert dict(files) == _clean_build(built, tmp_path, NOW)
    _replace(built, P3, "  target_date:", RESOLVED)
    rendered.clear()  # the clean build above renders in this process too
    files = rebuilder.files()
    assert rebuilder.way == "full"
    made = dict(files)  # a rebuild's pages are made when read (lazy.py)
    assert "predictions/p3/index.html" in rendered
    assert "predictions/p1/index.html" not in rendered
    assert made == _clean_build(built, tmp_path, NOW)


@pytest.mark.parametrize("what", ["an output edited", "an input edited", "another day"])
def test_serve_builds_as_before_when_the_output_is_not_up_to_date(
    built: SiteFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    """Catches: the output folder served though a file in it was changed by hand, though a
    source changed since the build, or though serve builds for another day."""
    now = NOW
    if what == "an output edited":
        (built.output / "index.html").write_text("edited by hand", encoding="utf-8")
    elif what == "an input edited":
        _replace(built, P3, "Prediction 3", "Renamed")
    else:
        now = "2026-11-26"
    rendered = _rendered(monkeypatch)
    files = _rebuilder(built, now).files()
    assert "index.html" in rendered
    assert dict(files) == _clean_build(built, tmp_path, now)


def test_serve_leaves_the_builds_search_index_to_its_own(
    site: SiteFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """serve makes its search index apart (searching.py), the Rebuilder's files without it.
    Catches: the built index's files served beside the one serve makes."""
    _populate(site)
    site.config(SITE_YAML + "search: true\n")
    assert site.build() == 0
    rendered = _rendered(monkeypatch)
    files = Rebuilder(BuildOptions(site.root, dt.date.fromisoformat(NOW)), index=False).files()
    assert rendered == []
    clean = _clean_build(site, tmp_path, NOW)
    assert any(path.startswith("pagefind/") for path in clean)
    assert dict(files) == {k: v for k, v in clean.items() if not k.startswith("pagefind/")}


def test_a_file_written_again_while_read_is_not_trusted(
    built: SiteFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build beside serve replaces a file after the up-to-date check, before it is read.
    Catches: the bytes read then trusted under the key of the file the check saw."""
    stat_files = warm.stat_files

    def moved(top: Path, names: list[str]) -> dict[str, tuple[int, int]]:
        found = stat_files(top, names)
        return {**found, "index.html": (0, 0)}

    monkeypatch.setattr(warm, "stat_files", moved)
    assert (
        warm.built_output(BuildOptions(built.root, dt.date.fromisoformat(NOW)), index=True) is None
    )
    monkeypatch.undo()
    rendered = _rendered(monkeypatch)
    assert warm.built_output(BuildOptions(built.root, dt.date.fromisoformat(NOW)), index=True)
    assert rendered == []


@pytest.mark.parametrize(
    "edit",
    [
        ("Prediction 3", "Renamed"),  # a display edit: the lists that show it (display.py)
        ("  target_date:", "  confidence: 0.3\n  target_date:"),  # a forecast edit
    ],
)
def test_the_first_edit_after_it_takes_the_shortcut(
    built: SiteFolder, tmp_path: Path, edit: tuple[str, str]
) -> None:
    """Catches: serve started from the output without the shortcut's record, so that its
    first edit takes a full rebuild (2 s at 10,000 predictions, where the shortcut takes a
    tenth of it), or a record the shortcut makes wrong bytes from."""
    rebuilder = _rebuilder(built)
    rebuilder.files()
    _replace(built, P3, *edit)
    files = rebuilder.files()
    assert rebuilder.way == "shortcut"
    assert dict(files) == _clean_build(built, tmp_path, NOW)
