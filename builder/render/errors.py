"""Template errors as an author's problems: the theme file and line a rendering error comes
from, instead of a traceback. Used by `build` (which then fails cleanly), by `serve`
(which shows the problem over the page) and by `check` (every template's syntax errors,
found by compiling each one as the build would: syntax_problems)."""

from __future__ import annotations

import re
import traceback
from pathlib import Path

import jinja2

from builder.config.siteconfig import load_config
from builder.config.themes import TEMPLATES, THEMES_DIR, Theme, find_theme, installed_themes
from builder.errors import Problem
from builder.render.templates import environment

# `File "/x/themes/default/templates/page.html", line 12` in a formatted traceback: what is
# left of a template error raised in a forked render worker (the traceback object is lost
# when the exception is pickled back; only this text survives, as its __cause__).
_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)')


def template_problem(exc: BaseException, root: Path) -> Problem | None:
    """Locate an exception raised while rendering a template: template file and line.

    None when no template is involved (then it is a bug of ours, not the author's).
    """
    message = _template_message(exc)
    if isinstance(exc, jinja2.TemplateSyntaxError):
        filename = exc.filename or _find_syntax_error(root, exc)
        if filename:
            return Problem(_relative(filename, root), exc.lineno, None, message)
    for filename, line in reversed(_frames(exc)):
        if _is_template(filename, root):
            return Problem(_relative(filename, root), line, None, message)
    if isinstance(exc, jinja2.TemplateError):  # e.g. not found, raised outside any template
        return Problem(f"themes/{_theme_hint(root)}", None, None, message)
    return None


def syntax_problems(theme: Theme, root: Path) -> list[Problem]:
    """Every template of `theme` that does not compile, located as `template_problem` locates
    it for a build: what `check` reports without rendering anything. Each template is
    compiled once, in memory (nothing is written); its own syntax only, as the build compiles
    each of the templates it extends or includes on its own."""
    env = environment(theme)
    problems = []
    for name in theme.files(TEMPLATES):
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:  # also an unknown filter (an assertion)
            problem = template_problem(exc, root)
            if problem is not None:
                problems.append(problem)
        except (OSError, UnicodeDecodeError):  # not a template (an editor's swap file...)
            continue
    return problems


def _find_syntax_error(root: Path, exc: jinja2.TemplateSyntaxError) -> str | None:
    """The template file with this syntax error, for errors raised by parsing a template's
    source without its name (as a build may do to find what a template includes)."""
    env = jinja2.Environment()
    for path in _theme(root).files(TEMPLATES).values():
        try:
            env.parse(path.read_text(encoding="utf-8"), path.name, str(path))
        except jinja2.TemplateSyntaxError as found:
            if (found.lineno, found.message) == (exc.lineno, exc.message):
                return str(path)
        except (OSError, UnicodeDecodeError):
            continue
    return None


def _template_message(exc: BaseException) -> str:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"template syntax error: {exc.message}"
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"template not found: {exc.name}"
    if isinstance(exc, jinja2.UndefinedError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _frames(exc: BaseException) -> list[tuple[str, int]]:
    """(file, line) of each frame, innermost last, for a local or a pickled-back exception."""
    frames = [(f.filename, f.lineno or 0) for f in traceback.extract_tb(exc.__traceback__)]
    remote = exc.__cause__
    if remote is not None and hasattr(remote, "tb"):  # concurrent.futures' _RemoteTraceback
        frames += [(m["file"], int(m["line"])) for m in _FRAME.finditer(str(remote.tb))]
    return frames


def _is_template(filename: str, root: Path) -> bool:
    """A file of a theme's templates/: the site's themes/<name>/ or an installed theme."""
    for themes in (root / THEMES_DIR, installed_themes()):
        try:
            rel = Path(filename).resolve().relative_to(themes.resolve())
        except (ValueError, OSError):
            continue
        if TEMPLATES in rel.parts[1:2]:
            return True
    return False


def _relative(filename: str, root: Path) -> str:
    """A site's file relative to the site; an installed theme's by its full path, which the
    author can open (and override: `foretell theme copy templates/base.html`)."""
    try:
        return Path(filename).resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return filename


def _theme(root: Path) -> Theme:
    config, _ = load_config(root)
    return find_theme(root, config.theme if config is not None else "default")


def _theme_hint(root: Path) -> str:
    config, _ = load_config(root)
    return f"{config.theme}/templates" if config is not None else "templates"
