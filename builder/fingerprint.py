"""Page keys: a digest of everything a page shows, so unchanged pages are never re-rendered.

A page's key covers foretell's version, the config, the theme's assets, its template and the
templates it includes or extends, and its context. Predictions enter by the hash of their source
file and their status on `--now`, so editing one article changes the keys of exactly the pages
that show it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import jinja2
from jinja2 import meta

from builder.model import Prediction, Term

Hasher = Any  # hashlib's blake2b object


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class PageKeys:
    def __init__(
        self, env: jinja2.Environment, base: str, status: Callable[[Prediction], str]
    ) -> None:
        self.env = env
        self.base = base.encode()
        self.status = status
        self.template_digest = cache(self._template_digest)

    def key(self, template: str, url: str, context: Mapping[str, Any]) -> str:
        h = hashlib.blake2b(self.base, digest_size=16)
        h.update(self.template_digest(template).encode())
        h.update(url.encode())
        self._feed(h, context)
        return h.hexdigest()

    def _template_digest(self, name: str) -> str:
        """The template's source and, recursively, every template it extends or includes."""
        source, _, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
        parts = [source]
        for child in sorted(n for n in meta.find_referenced_templates(self.env.parse(source)) if n):
            parts.append(self.template_digest(child))
        return digest("\0".join(parts).encode())

    def _feed(self, h: Hasher, value: Any) -> None:
        if value is None or isinstance(value, str | int | float | bool | dt.date):
            h.update(f"{type(value).__name__}:{value!r};".encode())
        elif isinstance(value, Prediction):
            h.update(f"P:{value.digest}:{self.status(value)};".encode())
        elif isinstance(value, Term):
            # List pages get their items through the pager; a term itself shows name and count.
            h.update(f"T:{value.kind}:{value.slug}:{value.name}:{len(value.predictions)};".encode())
        elif isinstance(value, Mapping):
            for key in sorted(value):
                h.update(f"{key}=".encode())
                self._feed(h, value[key])
        elif isinstance(value, list | tuple):
            h.update(f"[{len(value)}".encode())
            for item in value:
                self._feed(h, item)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            h.update(f"{type(value).__name__}(".encode())
            for field in dataclasses.fields(value):
                self._feed(h, getattr(value, field.name))
        else:
            raise TypeError(f"cannot fingerprint {type(value).__name__} in a page context")
