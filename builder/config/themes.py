"""Where a theme's files are found.

A theme named N is looked for in two places, in this order:

1. the site's own `themes/N/`;
2. the theme of that name installed with foretell (only `default` is).

File by file, the first place that has it wins: a site that holds only
`themes/default/templates/prediction.html` gets its own article pages and the installed theme
for every other template and static file. A site without a `themes/` folder uses the installed
theme as it is.

The up-to-date check scans only the site's `themes/` (system/files.py): the installed theme
changes only with foretell's version, which is in the cache stamp.
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from pathlib import Path

THEMES_DIR = "themes"
TEMPLATES = "templates"
STATIC = "static"


@dataclass(frozen=True)
class Theme:
    name: str
    folders: tuple[Path, ...]  # the theme's folders that exist, the site's first

    @property
    def usable(self) -> bool:
        """Whether it has templates somewhere: a site's theme folder may hold static files only."""
        return bool(self.subfolders(TEMPLATES))

    def subfolders(self, kind: str) -> list[Path]:
        """Its `templates/` or `static/` folders, in lookup order."""
        return [folder / kind for folder in self.folders if (folder / kind).is_dir()]

    def files(self, kind: str) -> dict[str, Path]:
        """Every file of its `templates/` or `static/` by name ("partials/card.html"), from
        the first folder that has it."""
        found: dict[str, Path] = {}
        for top in self.subfolders(kind):
            for path in top.rglob("*"):
                if path.is_file():
                    found.setdefault(path.relative_to(top).as_posix(), path)
        return dict(sorted(found.items()))


def installed_themes() -> Path:
    """The folder holding the themes installed with foretell.

    In a wheel, the repository's `themes/` is packaged as `builder/themes/` (pyproject.toml).
    An editable install or a checkout runs `builder/` from the repository, where the themes
    are its neighbour: setuptools' editable finder cannot map a folder without an
    `__init__.py` inside a package, and a theme folder should not need one.
    """
    package = Path(str(importlib.resources.files("builder")))
    packaged = package / THEMES_DIR
    return packaged if packaged.is_dir() else package.parent / THEMES_DIR


def installed_names() -> list[str]:
    folder = installed_themes()
    return sorted(p.name for p in folder.iterdir() if (p / TEMPLATES).is_dir())


def installed_theme(name: str) -> Path | None:
    """The installed theme `name` (a folder name, as site.yaml's check makes sure)."""
    folder = installed_themes() / name
    return folder if (folder / TEMPLATES).is_dir() else None


def site_theme(root: Path, name: str) -> Path:
    return root / THEMES_DIR / name


def find_theme(root: Path, name: str) -> Theme:
    """The theme `name` of the site at `root`: its folders in lookup order (none when neither
    place has it)."""
    folders = [site_theme(root, name), installed_theme(name)]
    return Theme(name, tuple(f for f in folders if f is not None and f.is_dir()))
