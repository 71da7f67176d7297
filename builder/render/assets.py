"""The theme's static files, fingerprinted so a browser never shows a stale stylesheet."""

from __future__ import annotations

import hashlib
from pathlib import Path

from builder.config.themes import STATIC, Theme
from builder.content.markdown import pygments_css
from builder.system.files import SITE_STATIC

FINGERPRINTED = {".css", ".js"}


def theme_assets(theme: Theme) -> tuple[dict[str, bytes], dict[str, str]]:
    """Return (output files, logical name -> fingerprinted URL path).

    Templates ask for `assets["style.css"]` and get "static/style.1a2b3c4d.css". The theme's
    static files are those of all its folders, the site's winning name by name.
    """
    files: dict[str, bytes] = {}
    names: dict[str, str] = {}
    for name, path in theme.files(STATIC).items():
        data = path.read_bytes()
        if name == "style.css":
            data += b"\n/* Code highlighting (Pygments) */\n" + pygments_css().encode()
        names[name] = _fingerprint(name, data) if path.suffix in FINGERPRINTED else f"static/{name}"
        files[names[name]] = data
    return files, names


def site_static(root: Path) -> dict[str, bytes]:
    """The site's own `static/` folder, copied as it is to the top of the output (as Hugo
    does): the documented place for a `CNAME`, a `.nojekyll`, a verification file, images."""
    folder = root / SITE_STATIC
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _fingerprint(name: str, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()[:10]
    stem, dot, suffix = name.rpartition(".")
    return f"static/{stem}.{digest}{dot}{suffix}"
