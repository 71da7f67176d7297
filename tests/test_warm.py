"""serve/warm.py: serve's first build is an incremental build from what `foretell build` left in
the output folder: it makes only the files whose key changed since, and reads the others back.
Either way its files are a clean build's bytes, and so are those of the rebuilds after it."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from conftest import NOW, SITE_YAML, SiteFolder, prediction_text
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


# What changed since the build -> a page serve must make, and one it must not.
SINCE = {
    "an output edited": ("index.html", "predictions/p1/index.html"),
    "an input edited": ("predictions/p3/index.html", "predictions/p1/index.html"),
    "another day": ("track-record/index.html", "404.html"),  # how long the overdue are
    "a draft previewed": ("predictions/p9/index.html", "predictions/p1/index.html"),
}


@pytest.mark.parametrize("what", list(SINCE))
def test_serve_makes_what_changed_since_the_build(
    built: SiteFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    """Catches: a file changed by hand, a source changed since the build, another day or a
    draft that serve previews left as the build made them; or everything made again."""
    now, drafts = NOW, False
    if what == "an output edited":
        (built.output / "index.html").write_text("edited by hand", encoding="utf-8")
    elif what == "an input edited":
        _replace(built, P3, "Prediction 3", "Renamed")
    elif what == "another day":
        now = "2026-11-26"
    else:
        built.write("p9.md", prediction_text("A draft", extra="draft: true\n"))
        drafts = True
    rendered = _rendered(monkeypatch)
    options = BuildOptions(built.root, dt.date.fromisoformat(now), drafts=drafts)
    made = dict(Rebuilder(options).files())
    made_now, kept = SINCE[what]
    assert made_now in rendered and kept not in rendered
    args = ("--drafts",) if drafts else ()
    assert made == _clean_build(built, tmp_path, now, *args)


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
    """A build beside serve replaces a file just as serve reads it back: serve gets the bytes
    it found, the file on disk is another. Catches: the bytes trusted under the key of the
    file serve found (its stat not taken again after reading, or taken before)."""
    page = str(built.output / "index.html")

    def replaced_once_read(path: str, mode: str = "r") -> io.BytesIO:
        with open(path, mode) as handle:
            data = handle.read()
        if path == page:
            Path(path).write_bytes(data + b"<!-- written again by another build -->")
        return io.BytesIO(data)

    monkeypatch.setattr(warm, "open", replaced_once_read, raising=False)
    rendered = _rendered(monkeypatch)
    made = dict(_rebuilder(built).files())
    assert "index.html" in rendered and "predictions/p1/index.html" in rendered  # all made
    assert made == _clean_build(built, tmp_path, NOW)


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
