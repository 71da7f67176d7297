"""The one rule for a URL an author writes (site.yaml, front matter, `foretell resolve
--evidence`): http or https with a host, and percent-encoded where a URL may not hold a
character raw, so that no `javascript:` or `data:` link and no invalid `href` reaches a page.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

SCHEMES = ("http", "https")
# What may stay raw in each part (RFC 3986, as the Nu Html Checker reads it); `%` stays when
# it starts an escape already there. Letters, digits and "_.-~" are always kept by `quote`.
_PATH_SAFE = "/!$&'()*+,;=:@%"
_QUERY_SAFE = _PATH_SAFE + "?"
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_CHUNK = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]")  # a run of ASCII, or one other character
# A host and an optional port: an IPv6 literal in brackets (urlsplit checks the address), or a
# name without the URL standard's forbidden host code points, controls and spaces.
_HOST_PORT = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[^\x00-\x20\x7f\"#%/:<>?@\[\\\]^`{|}']+)(:[0-9]*)?")


def web_url(text: str) -> str:
    """`text` as an absolute http(s) URL, percent-encoded where it must be; a URL that is
    already valid comes back unchanged. Raises ValueError with a message for the author."""
    # As browsers (and urlsplit) do: drop controls and spaces around it, tabs and newlines in
    # it. Done first, so that the offsets urlsplit gives match `text`.
    text = re.sub(r"[\t\r\n]", "", text.strip(_C0_AND_SPACE))
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise ValueError(f"is not a valid URL ({exc}): {text!r}") from None
    if parts.scheme not in SCHEMES:
        raise ValueError(f"expected an absolute http(s) URL, got {text!r}")
    if not parts.hostname:
        raise ValueError(f"has no host name (expected https://host/...), got {text!r}")
    if "@" in parts.netloc:
        raise ValueError(f"must not hold a user name or password, got {text!r}")
    if not _HOST_PORT.fullmatch(parts.netloc):
        raise ValueError(f"has characters a host name cannot hold, got {text!r}")
    return _encoded(text, len(parts.scheme) + 3 + len(parts.netloc))


def _encoded(text: str, path_start: int) -> str:
    """`text` with its path, query and fragment percent-encoded; scheme and host untouched."""
    head, rest = text[:path_start], text[path_start:]
    rest, hash_, fragment = rest.partition("#")
    path, mark, query = rest.partition("?")
    return (
        head
        + _quote(path, _PATH_SAFE)
        + mark
        + _quote(query, _QUERY_SAFE)
        + hash_
        + _quote(fragment, _QUERY_SAFE)
    )


def _quote(part: str, safe: str) -> str:
    def encode(chunk: re.Match[str]) -> str:
        text = chunk[0]
        # `quote` encodes every non-ASCII character; a valid IRI keeps its printable ones.
        return quote(text, safe=safe) if text.isascii() or not text.isprintable() else text

    return _CHUNK.sub(encode, _LONE_PERCENT.sub("%25", part))
