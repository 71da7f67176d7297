"""Page keys: a digest of everything a page shows, so unchanged pages are never re-rendered.

A page's key covers foretell's version, the config, the theme's assets, its template and the
templates it includes or extends, and its context. Predictions enter by the hash of their source
file, their slug and their status on `--now`, so editing one article changes the keys of exactly
the pages that show it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from functools import cache, lru_cache
from typing import Any

import jinja2
from jinja2 import meta

from builder.content.model import Prediction
from builder.site.model import Remember, Term
from builder.system.digests import digest

_SCALARS = frozenset({str, int, float, bool, dt.date})
_SCALAR_KINDS = tuple(_SCALARS)  # for isinstance: subclasses (Markup, ...)


class PageKeys:
    def __init__(
        self,
        env: jinja2.Environment,
        base: str,
        status: Callable[[Prediction], str],
        remember: Remember | None = None,
    ) -> None:
        self.env = env
        self.base = base.encode()
        self.status = status
        # Where the templates each template names are kept between builds (Memo.get): found
        # by parsing it, a tenth of a second for a theme's twenty templates.
        self.remember = remember
        self.template_digest = cache(self._template_digest)
        # Encodings of the frozen objects pages share (predictions, author records), by id:
        # each is encoded once per build, not once per page that shows it. The object is kept
        # alongside so its id cannot be reused while the memo lives.
        self._memo: dict[int, tuple[object, bytes]] = {}

    def key(self, template: str, url: str, context: Mapping[str, Any]) -> str:
        return self.encoded_key(template, url, self._encode(context))

    def encoded_key(self, template: str, url: str, encoded: bytes) -> str:
        """The key of a page whose context is `encoded` (by `encode`, in parts: a list's
        pages share most of theirs, encoded once: render/lists.py)."""
        h = hashlib.blake2b(self.base, digest_size=16)
        if template:  # outputs made by code, not templates, have none
            h.update(self.template_digest(template).encode())
        h.update(url.encode())
        h.update(encoded)
        return h.hexdigest()

    def encode(self, value: Any) -> bytes:
        return self._encode(value)

    def object_key(self, label: str, value: Any) -> str:
        """The key of a dataclass instance met once (no memo: a prediction's unit)."""
        h = hashlib.blake2b(self.base, digest_size=16)
        h.update(label.encode())
        h.update(self.encode_fields(value))
        return h.hexdigest()

    def templates_digest(self) -> str:
        """Every template's source: what a group of pages may be rendered with."""
        return self.template_digest("")

    def _template_digest(self, name: str) -> str:
        """The template's source and, recursively, every template it extends or includes
        ("": every template of the theme)."""
        if not name:
            return self._every_source()
        source, filename, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
        parts = [source]
        children = self._referenced(source, name, filename)
        if children is None:  # a name known only when rendering: it may be any of them, so
            # every template's source counts (sources, not digests: no cycle to follow).
            parts.append(self._every_source())
        else:
            parts += [self.template_digest(child) for child in children]
        return digest("\0".join(parts).encode())

    def _referenced(self, source: str, name: str, filename: str | None) -> tuple[str, ...] | None:
        if self.remember is None:
            return _referenced(source, name, filename)
        key = f"template-refs::{digest(source.encode())}"
        return self.remember(key, lambda: _referenced(source, name, filename))

    def _every_source(self) -> str:
        loader = self.env.loader
        every = sorted(self.env.list_templates())
        sources = [loader.get_source(self.env, t)[0] for t in every]  # type: ignore[union-attr]
        return digest("\0".join(every + sources).encode())

    def _encode(self, value: Any) -> bytes:
        kind = type(value)  # exact types first: isinstance against ABCs is slow, and hot here
        if kind in _SCALARS or value is None:
            return f"{kind.__name__}:{value!r};".encode()
        if kind is tuple or kind is list:
            return f"[{len(value)}".encode() + b"".join([self._encode(item) for item in value])
        # A shared object met before (a prediction, on 13,500 pages at 10,000): its encoding,
        # before the slower isinstance checks below, which it would fail anyway.
        memo = self._memo.get(id(value))
        if memo is not None:
            return memo[1]
        if kind is dict or isinstance(value, Mapping):
            return f"{{{len(value)}".encode() + b"".join(
                [k.encode() + b"=" + self._encode(value[k]) for k in sorted(value)]
            )
        if isinstance(value, _SCALAR_KINDS):
            return f"{kind.__name__}:{value!r};".encode()
        if isinstance(value, (list, tuple)):
            return f"[{len(value)}".encode() + b"".join([self._encode(item) for item in value])
        memo = self._memo[id(value)] = (value, self._encode_object(value))
        return memo[1]

    def encode_fields(self, value: Any) -> bytes:
        """A dataclass instance, field by field (the unit of each prediction, once a build)."""
        kind = type(value)
        return f"{kind.__name__}(".encode() + b"".join(
            [self._encode(getattr(value, name)) for name in _field_names(kind)]
        )

    def _encode_object(self, value: Any) -> bytes:
        if isinstance(value, Prediction):
            # The slug too: it may come from the file's name, which the digest does not cover
            # (two files with the same bytes are two predictions, each linked by its slug).
            return f"P:{value.digest}:{value.slug}:{self.status(value)};".encode()
        if isinstance(value, Term):
            # List pages get their items through the pager; a term itself shows name and count.
            return f"T:{value.kind}:{value.slug}:{value.name}:{len(value.predictions)};".encode()
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self.encode_fields(value)
        raise TypeError(f"cannot fingerprint {type(value).__name__} in a page context")


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    """A dataclass's field names, in order (asked for each of 10,000 units a build)."""
    return tuple(field.name for field in dataclasses.fields(kind))


@lru_cache(maxsize=256)
def _referenced(source: str, name: str, filename: str | None) -> tuple[str, ...] | None:
    """Templates that `source` extends or includes, or None when one of the names is computed
    (`{% include partial %}`); parsing is the slow part, so a template is parsed once per
    process (`serve` asks again on every rebuild). Only the syntax matters here, so any
    environment with the default delimiters parses it."""
    parsed = jinja2.Environment().parse(source, name, filename)
    names = list(meta.find_referenced_templates(parsed))
    return None if None in names else tuple(sorted(set(names)))
