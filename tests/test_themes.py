"""The default theme is installed with foretell: a site without themes/ uses it, a site
overrides it file by file, `foretell theme copy` copies its files into the site, and the
wheel carries it."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import NOW, REPO, SITE_YAML, SiteFolder, prediction_text

from builder.cli import main
from builder.config.themes import installed_theme
from builder.incremental import dispatch
from builder.options import BuildOptions

INSTALLED = installed_theme("default")
assert INSTALLED is not None
OVERRIDE = """\
{% extends "base.html" %}
{% block content %}<p class="own-page">{{ prediction.title }}</p>{% endblock %}
"""


def _bare(root: Path) -> SiteFolder:
    """A site with no themes/ folder of its own, and two articles."""
    site = SiteFolder(root)
    root.mkdir()
    site.config(SITE_YAML)
    site.write("a.md", prediction_text("A"))
    site.write("b.md", prediction_text("B"))
    return site


@pytest.fixture
def bare(tmp_path: Path) -> SiteFolder:
    return _bare(tmp_path / "site")


def _override(site: SiteFolder, name: str, text: str) -> Path:
    path = site.root / "themes" / "default" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _stylesheet(site: SiteFolder, page: str = "") -> bytes:
    href = site.html(page).find("link", rel="stylesheet")["href"]
    return (site.output / page / href).read_bytes()


def test_a_site_without_themes_builds_with_the_installed_theme(bare: SiteFolder) -> None:
    """Catches: a theme looked for only in the site (`site.yaml: theme: no theme`), or
    static files taken from the site's folder only (the stylesheet linked but missing)."""
    assert bare.check() == 0
    assert bare.build() == 0
    assert bare.html("").select_one(".site-title").text == "Test Desk"
    installed_css = (INSTALLED / "static" / "style.css").read_bytes()
    assert _stylesheet(bare).startswith(installed_css)
    assert bare.html("predictions/a/").select_one("h1").text == "A"


def test_overriding_one_template_keeps_the_installed_theme_for_the_rest(
    tmp_path: Path, bare: SiteFolder
) -> None:
    """Done-when of #15 item 2. Catches: the installed theme searched before the site's (the
    override ignored), or the site's folder alone (base.html and the other templates not
    found), and an override added after a build not seen by the next one."""
    plain = _bare(tmp_path / "plain")
    assert plain.build() == 0
    assert bare.build() == 0
    _override(bare, "templates/prediction.html", OVERRIDE)
    assert bare.build() == 0
    for slug, title in (("a", "A"), ("b", "B")):
        page = bare.html(f"predictions/{slug}/")
        assert page.select_one(".own-page").text == title
        assert page.select_one(".site-title").text == "Test Desk", "from the installed base.html"
        assert page.select_one(".claim") is None, "not the installed prediction.html"
    ours, theirs = bare.files(), plain.files()
    articles = {
        p
        for p in theirs
        if p.startswith("predictions/") and p.endswith("/index.html") and p.count("/") == 2
    }
    assert articles == {"predictions/a/index.html", "predictions/b/index.html"}
    assert ours.keys() == theirs.keys()
    assert {p for p in ours if ours[p] != theirs[p]} == articles


def test_overriding_the_stylesheet_keeps_the_other_static_files(bare: SiteFolder) -> None:
    """Catches: the installed static files winning over the site's, or the site's folder
    replacing the installed static/ as a whole (votes.js gone)."""
    _override(bare, "static/style.css", "body { color: rebeccapurple; }\n")
    assert bare.build() == 0
    css = _stylesheet(bare)
    assert css.startswith(b"body { color: rebeccapurple; }\n")
    assert (INSTALLED / "static" / "style.css").read_bytes()[:200] not in css
    scripts = list((bare.output / "static").glob("votes.*.js"))
    assert [p.read_bytes() for p in scripts] == [(INSTALLED / "static" / "votes.js").read_bytes()]


def test_a_body_edit_takes_the_shortcut_through_both_folders(
    bare: SiteFolder, tmp_path: Path
) -> None:
    """Catches: the body-edit shortcut rendering from the site's folder alone (no base.html
    there), or from the installed theme alone (the site's page template ignored)."""
    body = '{% block content %}<div class="own-page">{{ prediction.body_html|safe }}</div>'
    _override(bare, "templates/prediction.html", OVERRIDE.split("\n")[0] + body + "{% endblock %}")
    options = BuildOptions(bare.root, dt.date.fromisoformat(NOW))
    assert dispatch.build(options).way == "full"
    article = bare.root / "content" / "predictions" / "a.md"
    article.write_text(article.read_text() + "\nA second paragraph.\n")
    assert dispatch.build(options).way == "shortcut"
    page = bare.html("predictions/a/")
    assert "A second paragraph." in page.select_one(".own-page").text
    assert page.select_one(".site-title").text == "Test Desk"
    edited = bare.files()
    assert bare.build("--clean") == 0
    assert edited == bare.files()


def test_a_template_error_in_an_override_names_the_sites_file(
    bare: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: the line of an overriding template reported against another file."""
    broken = '{% extends "base.html" %}\n{% block content %}\n<p>{{ nothing.here }}</p>\n'
    _override(bare, "templates/prediction.html", broken + "{% endblock %}\n")
    assert bare.build() == 1
    err = capsys.readouterr().err
    assert "error: themes/default/templates/prediction.html:3: 'nothing' is undefined" in err
    assert "Traceback" not in err


def test_a_syntax_error_in_an_overriding_partial_names_the_sites_file(
    bare: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: a partial the installed templates include, overridden by the site, reported
    against the installed file or without its line."""
    _override(bare, "templates/partials/card.html", "<p>\n{% if %}\n")
    assert bare.build() == 1
    err = capsys.readouterr().err
    assert "error: themes/default/templates/partials/card.html:2: template syntax error" in err


def test_a_template_error_in_the_installed_theme_names_its_file_and_line(
    bare: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: an error raised in an installed template taken for one outside any theme
    (no line), or named as if it were a file of the site. Here the site's page template
    breaks what the installed base.html reads on its line 2."""
    _override(bare, "templates/prediction.html", '{% set config = none %}{% extends "base.html" %}')
    assert bare.build() == 1
    err = capsys.readouterr().err
    base = INSTALLED / "templates" / "base.html"
    line = next(n for n, t in enumerate(base.read_text().splitlines(), 1) if "config.language" in t)
    assert f"error: {base}:{line}: 'None' has no attribute 'language'" in err, err
    assert "Traceback" not in err


# --- foretell theme copy / list --------------------------------------------------------


def _installed_files() -> dict[str, bytes]:
    return {
        p.relative_to(INSTALLED).as_posix(): p.read_bytes()
        for p in sorted(INSTALLED.rglob("*"))
        if p.is_file()
    }


def _site_theme(site: SiteFolder) -> dict[str, bytes]:
    folder = site.root / "themes" / "default"
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _theme(site: SiteFolder, *args: str) -> int:
    return main(["theme", *args, "--source", str(site.root)])


def test_theme_copy_copies_what_it_names(
    bare: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: more (or other) files copied than named, a folder name not understood, bytes
    changed on the way, and copies the build does not use."""
    names = ["templates/prediction.html", "static/style.css", "templates/partials/"]
    assert _theme(bare, "copy", *names) == 0
    installed = _installed_files()
    wanted = {n for n in installed if n in names[:2] or n.startswith("templates/partials/")}
    assert _site_theme(bare) == {n: installed[n] for n in wanted}
    out = capsys.readouterr().out
    target = bare.root / "themes/default/templates/prediction.html"
    assert f"Copied templates/prediction.html to {target.as_posix()}\n" in out
    assert len(out.splitlines()) == len(wanted)
    _override(bare, "templates/prediction.html", OVERRIDE)
    assert bare.build() == 0
    assert bare.html("predictions/a/").select_one(".own-page").text == "A"


def test_theme_copy_without_names_copies_the_whole_theme(bare: SiteFolder) -> None:
    assert _theme(bare, "copy") == 0
    assert _site_theme(bare) == _installed_files()


def test_theme_copy_never_overwrites(bare: SiteFolder, capsys: pytest.CaptureFixture[str]) -> None:
    """Catches: an author's customised file replaced by the installed one, or part of the
    request copied when it is refused."""
    mine = _override(bare, "templates/prediction.html", OVERRIDE)
    assert _theme(bare, "copy", "static/style.css", "templates/prediction.html") == 1
    err = capsys.readouterr().err
    assert "themes/default/templates/prediction.html" in err and "nothing was copied" in err
    assert mine.read_text() == OVERRIDE
    assert _site_theme(bare) == {"templates/prediction.html": OVERRIDE.encode()}
    assert _theme(bare, "copy") == 1
    assert _site_theme(bare) == {"templates/prediction.html": OVERRIDE.encode()}


@pytest.mark.parametrize("name", ["templates/nope.html", "../site.yaml", "templates/../../x", ""])
def test_theme_copy_refuses_a_name_the_theme_does_not_have(
    bare: SiteFolder, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    assert _theme(bare, "copy", name) == 1
    assert "in the installed theme 'default'" in capsys.readouterr().err
    assert not (bare.root / "themes").exists()


def test_theme_copy_finds_the_site_from_a_folder_inside_it(
    bare: SiteFolder, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: `theme` alone taking the current folder for the site, as the other site
    commands do not."""
    monkeypatch.chdir(bare.root / "content" / "predictions")
    assert main(["theme", "copy", "static/style.css"]) == 0
    assert _site_theme(bare).keys() == {"static/style.css"}
    assert "to ../../themes/default/static/style.css" in capsys.readouterr().out


def test_theme_copy_refuses_a_folder_that_is_not_a_site(tmp_path: Path) -> None:
    assert main(["theme", "copy", "--source", str(tmp_path)]) == 1
    assert list(tmp_path.iterdir()) == []


def test_theme_list_shows_the_files_and_the_sites_own(
    bare: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    _override(bare, "static/style.css", "body {}\n")
    assert _theme(bare, "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == sorted(
        _installed_files(), key=lambda n: n.split("/")
    )
    assert "static/style.css  (the site has its own)" in lines
    assert "static/votes.js" in lines


# --- The wheel ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `pip wheel .` makes of the working tree (a copy: pip builds in the source
    folder, and other checks may be building there too)."""
    source = tmp_path_factory.mktemp("source")
    for name in _files("--cached", "--others", "--exclude-standard"):
        if (REPO / name).is_file():  # not one deleted but not yet committed
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-w", str(out), "-q"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (found,) = out.glob("foretell-*.whl")
    return found


def _files(
    *options: str, paths: tuple[str, ...] = ("pyproject.toml", "README.md", "builder", "themes")
) -> list[str]:
    """The repository's files under `paths`, as `git ls-files *options` lists them."""
    listed = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", *options, "--", *paths],
        check=True,
        capture_output=True,
        text=True,
    )
    return listed.stdout.splitlines()


def test_the_wheel_holds_the_theme_and_every_module(wheel: Path) -> None:
    """Catches: a wheel of builder/ alone (a site without themes/ cannot build), and a
    subpackage left out of pyproject.toml's package list."""
    with zipfile.ZipFile(wheel) as archive:
        held = {name: archive.read(name) for name in archive.namelist()}
    theme = {f"builder/{n}": (REPO / n).read_bytes() for n in _files(paths=("themes",))}
    assert {n: held.get(n) for n in theme} == theme
    # The committed modules: one being written may not be in a package yet.
    modules = {n for n in _files(paths=("builder",)) if n.endswith(".py")}
    missing = sorted(modules - held.keys())
    assert not missing, f"add their packages to [tool.setuptools] packages: {missing}"


def test_a_site_builds_with_the_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    """The wheel as pip installs it (unpacked on the import path, run away from the
    repository): a site with no theme of its own gets the packaged one."""
    lib = tmp_path / "lib"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(lib)
    site = _bare(tmp_path / "site")
    probe = (
        f"import sys; sys.path.insert(0, {str(lib)!r}); import builder; "
        "from builder.cli import main; "
        f"code = main(['build', '--source', {str(site.root)!r}, '--now', {NOW!r}]); "
        "print(code, builder.__file__)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=True,
    )
    code, module = done.stdout.split()
    assert (code, Path(module).parent) == ("0", lib / "builder"), done.stderr
    assert _stylesheet(site).startswith(
        (lib / "builder/themes/default/static/style.css").read_bytes()
    )
