"""What `serve` adds to the HTML it sends: the live-reload script and the error overlay.

Added per response, never to the built files: `foretell build` output stays clean.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from builder.errors import Problem

PREFIX = "/__foretell/"  # serve's own URLs; no site file lives under it
EVENTS_URL = PREFIX + "events"
SCRIPT_URL = PREFIX + "reload.js"

# Served at SCRIPT_URL. The page's build id is in the script tag: on any build event with
# another id (a rebuild, or a restarted server) the page reloads. EventSource reconnects by
# itself after a dropped connection; when it gives up for good (e.g. the server answered with
# an error while restarting), we reconnect ourselves.
RELOAD_JS = """\
// foretell serve: reload this page when the site is rebuilt. Never part of a built site.
(() => {
  "use strict";
  const script = document.currentScript;
  const built = script.dataset.build;
  const connect = () => {
    const source = new EventSource(script.dataset.events);
    source.addEventListener("build", (event) => {
      if (event.data !== built) {
        source.close();
        location.reload();
      }
    });
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 1000);
    });
  };
  connect();
})();
"""

_BODY_OPEN = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)
_BODY_CLOSE = b"</body>"

# Inline styles only: the overlay must look the same whatever the theme's CSS does.
_BOX = (
    "position:sticky;top:0;z-index:2147483647;margin:0;padding:1rem 1.25rem;"
    "background:#fff1f0;color:#5c0a0a;border-bottom:4px solid #c81e1e;"
    "font:15px/1.5 system-ui,sans-serif;text-align:left;box-shadow:0 2px 8px #0003"
)
_LIST = "margin:.5rem 0 0;padding-left:1.25rem"
_CODE = "font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap;overflow-wrap:anywhere"


def script_tag(build_id: str) -> str:
    return (
        f'<script defer src="{SCRIPT_URL}" data-events="{EVENTS_URL}" '
        f'data-build="{html.escape(build_id)}"></script>'
    )


def overlay(problems: Sequence[Problem], *, stale: bool) -> str:
    """A box listing every problem as `path:line: field: message`, escaped."""
    count = len(problems)
    shown = "the last good version of the site is shown below." if stale else "nothing to show."
    items = "".join(
        f'<li><code style="{_CODE}">{html.escape(str(p))}</code></li>' for p in problems
    )
    return (
        f'<div id="foretell-errors" role="alert" style="{_BOX}">'
        f"<strong>The build failed with {count} error{'s' if count != 1 else ''}</strong>; "
        f"{shown} Fix and save: this page reloads by itself."
        f'<ul style="{_LIST}">{items}</ul></div>'
    )


def inject(page: bytes, build_id: str, problems: Sequence[Problem] = ()) -> bytes:
    """The page with the reload script before `</body>` and, on errors, the overlay on top."""
    if problems:
        box = overlay(problems, stale=True).encode()
        match = _BODY_OPEN.search(page)
        at = match.end() if match else 0
        page = page[:at] + box + page[at:]
    script = script_tag(build_id).encode()
    at = page.lower().rfind(_BODY_CLOSE)
    return page + script if at < 0 else page[:at] + script + page[at:]


def error_page(build_id: str, problems: Sequence[Problem]) -> bytes:
    """The whole page when no build has succeeded yet, so there is nothing else to show."""
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Build failed · foretell serve</title></head>"
        f"<body>{overlay(problems, stale=False)}{script_tag(build_id)}</body></html>\n"
    ).encode()
