"""The names of the site's categories and tags as the shortcut's edits leave them (terms.py,
drafts.py), from what the last full build counted (shortcut.Record.spellings).

A term's name is the least of its spellings among the published predictions (taxonomy's).
Two spellings that would share a page, "C" and "c." say (content/terms.py: same_term), are an
error the full build reports, a draft's spelling too: the shortcut declines, and the full
build says so.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from builder.content.model import Prediction
from builder.content.slugs import slugify
from builder.content.terms import same_term
from builder.site.taxonomy import NAMED_KINDS, spellings, term_names


@dataclass(frozen=True)
class Spellings:
    # (kind, slug) of each category and tag -> its spellings, each with how many hold it
    counts: Mapping[tuple[str, str], Mapping[str, int]] = dataclasses.field(default_factory=dict)
    hidden: frozenset[tuple[str, str]] = frozenset()  # (kind, name) of the drafts' terms

    def with_hidden(self, names: Iterable[tuple[str, str]]) -> Spellings:
        return dataclasses.replace(self, hidden=self.hidden | frozenset(names))


def counted(predictions: Iterable[Prediction], hidden: Iterable[tuple[str, str]]) -> Spellings:
    """The spellings of the published `predictions`' terms, and the drafts' names, `hidden`
    (loader.hidden_terms)."""
    predictions = list(predictions)
    counts = {
        (kind, slug): dict(found)
        for kind in NAMED_KINDS
        for slug, found in spellings(predictions, kind).items()
    }
    return Spellings(counts, frozenset(hidden))


def name_now(
    known: Spellings,
    kind: str,
    slug: str,
    before: Mapping[str, Prediction],
    edited: Mapping[str, Prediction],
) -> str | None:
    """The term's name, the least of its predictions' spellings: those `known` counted, the
    edited predictions' versions `before` out, theirs now in; "" for a term without
    predictions, None when two spellings clash, the drafts' too."""
    counts = Counter(known.counts.get((kind, slug), {}))
    for versions, step in ((before, -1), (edited, 1)):
        for p in versions.values():
            for name in dict.fromkeys(term_names(p, kind)):
                if slugify(name) == slug:
                    counts[name] += step
    names = {name for name, count in counts.items() if count > 0}
    drafts = {n for k, n in known.hidden if k == kind and slugify(n) == slug}
    if len({same_term(n) for n in names | drafts}) > 1:
        return None
    return min(names, default="")
