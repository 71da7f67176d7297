"""`foretell theme copy [FILE...]`: the installed theme's files copied into the site, to be
customised there; `foretell theme list`: the installed theme's files.

A copied file replaces the installed one for this site (the lookup order is in
config/themes.py), so copying only the files to change keeps the others following foretell's
updates. Nothing is ever overwritten: when any file to copy is already in the site, nothing
is copied and each such file is named.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from builder.config.siteconfig import CONFIG_FILE
from builder.config.themes import THEMES_DIR, installed_theme, site_theme

THEME = "default"  # the theme installed with foretell


class CopyError(Exception):
    """A request we refuse; the message tells the author what to do."""


@dataclass(frozen=True)
class Copy:
    name: str  # relative to the theme, e.g. "templates/prediction.html"
    source: Path
    target: Path


def installed_files(theme: str = THEME) -> dict[str, Path]:
    """The installed theme's files by name ("templates/base.html", "static/style.css")."""
    folder = installed_theme(theme)
    assert folder is not None, f"foretell is installed without its {theme} theme"
    return {
        path.relative_to(folder).as_posix(): path
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def plan_copies(root: Path, names: list[str], theme: str = THEME) -> list[Copy]:
    """What copying `names` (files or folders of the installed theme; none: all of it) into
    the site at `root` means, file by file. Raises CopyError for a name the theme does not
    have, a site that is not one, or a file already in the site."""
    if not (root / CONFIG_FILE).is_file():
        raise CopyError(f"{root / CONFIG_FILE}: not found: is this a foretell site?")
    files = installed_files(theme)
    chosen = dict(files) if not names else {}
    for name in names:
        matched = _matching(files, name)
        if not matched:
            raise CopyError(
                f"no file or folder {name!r} in the installed theme {theme!r} "
                "(`foretell theme list` lists its files)"
            )
        chosen.update(matched)
    target = site_theme(root, theme)
    copies = [Copy(name, path, target / name) for name, path in sorted(chosen.items())]
    there = [c for c in copies if c.target.exists() or c.target.is_symlink()]
    if there:
        listed = ", ".join(c.target.as_posix() for c in there)
        raise CopyError(f"already in the site, not overwritten: {listed}; nothing was copied")
    return copies


def _matching(files: dict[str, Path], name: str) -> dict[str, Path]:
    """The theme's files `name` names: the file itself, or those of the folder."""
    name = name.replace("\\", "/").removeprefix("./").rstrip("/")
    return {k: v for k, v in files.items() if k == name or k.startswith(name + "/")}


def copy(copies: list[Copy]) -> None:
    for c in copies:
        c.target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(c.source, c.target)


# --- Command line ------------------------------------------------------------------------


def configure(command: argparse.ArgumentParser) -> None:
    """The `foretell theme` command's arguments (the CLI made the parser, see cli.py)."""
    command.description = (
        f"The theme installed with foretell. A file at the same place under the site's "
        f"{THEMES_DIR}/{THEME}/ replaces the installed one; every other file comes from the "
        "installed theme."
    )
    actions = command.add_subparsers(title="actions", metavar="ACTION", required=True)
    copy_files = actions.add_parser(
        "copy", help="copy the installed theme's files into the site, to customise them"
    )
    copy_files.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="a file or folder of the theme, e.g. templates/prediction.html or static/style.css "
        "(default: all of it)",
    )
    _source_option(copy_files)
    copy_files.set_defaults(func=run_copy)
    listing = actions.add_parser("list", help="list the installed theme's files")
    _source_option(listing)
    listing.set_defaults(func=run_list)


def _source_option(parser: argparse.ArgumentParser) -> None:
    """`--source` as every site command has it (None: cli.py finds the nearest site)."""
    parser.add_argument(
        "--source",
        "-s",
        type=Path,
        help="site folder (default: the nearest folder holding site.yaml, here or above)",
    )


def run_copy(args: argparse.Namespace) -> int:
    try:
        copies = plan_copies(args.source, args.files)
    except CopyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    copy(copies)
    for c in copies:
        print(f"Copied {c.name} to {c.target.as_posix()}")  # a path from here, as given
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Each file of the installed theme, and which of them the site replaces."""
    ours = site_theme(args.source, THEME)
    for name in installed_files():
        print(f"{name}  (the site has its own)" if (ours / name).is_file() else name)
    return 0
