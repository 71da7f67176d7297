"""The HTML a feed entry carries, on its own: `absolutize` (the entries themselves are read
back from built feeds in test_feeds.py)."""

from __future__ import annotations

from builder.render.feed_html import absolutize


def test_absolutize_rewrites_only_relative_urls() -> None:
    # Catches: a rewrite that misses unquoted, single-quoted, upper-case or multi-line
    # attributes, stops at a ">" inside a value, touches absolute URLs (re-quotes or
    # re-escapes them), text or entities, or rewrites URL-looking text inside comments and
    # scripts.
    base = "https://h.example/blog/predictions/x/"
    html = (
        'Keep &amp; this <b>text</b> href="/text"\n<a title="a > b"\n   href="#ref-1">[1]</a>\n'
        '<IMG SRC="../y/pic.png" alt=""/> <a href=\'https://o.example/?a=1&b=2\'>o</a>\n'
        "<a href='/top?q=1&amp;r=2'>t</a><a name=\"n\">no url</a><a href=rel/x>u</a>\n"
        '<!-- <a href="/in-comment"> --><a download href="">self</a><a href="mailto:a@b.c">m</a>\n'
        '<script src="s.js">var a = \'<a href="/in-script">\';</script>'
    )
    assert absolutize(html, base) == (
        'Keep &amp; this <b>text</b> href="/text"\n<a title="a > b"\n   href="' + base + '#ref-1">'
        '[1]</a>\n<IMG SRC="https://h.example/blog/predictions/y/pic.png" alt=""/> '
        "<a href='https://o.example/?a=1&b=2'>o</a>\n"
        '<a href="https://h.example/top?q=1&amp;r=2">t</a><a name="n">no url</a>'
        f'<a href="{base}rel/x">u</a>\n'
        f'<!-- <a href="/in-comment"> --><a download href="{base}">self</a>'
        '<a href="mailto:a@b.c">m</a>\n'
        f'<script src="{base}s.js">var a = \'<a href="/in-script">\';</script>'
    )
