"""Drafts added or deleted since the last full build, which a build that does not preview
them leaves out: the shortcut takes them (edits.find) when the full build would find nothing
else to say of them than their warnings and the count of drafts it skipped.

A new draft claims its page's address, which no other file's page nor alias may claim
(loader.check_duplicates), and the names of its category and tags, which no other spelling
of the same page may have, a published prediction's or another draft's (content/terms.py):
the full build would report either clash. The record holds every address the files claim
(`claims_of`, shortcut.Record.claims) and every spelling (spellings.py). A draft deleted
frees neither until the next full build: the shortcut only declines more often.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from builder.content import aliases
from builder.content.loader import FileEntry
from builder.content.slugs import slugify
from builder.incremental.edits import Edits
from builder.incremental.spellings import Spellings, name_now


def claims_of(entries: Iterable[FileEntry]) -> frozenset[str]:
    """Every output path the files claim, drafts too: each one's page and its aliases'."""
    claimed: set[str] = set()
    for entry in entries:
        if entry.result.prediction is not None:
            claimed.add(aliases.output_path(entry.result.prediction.url))
            claimed.update(aliases.output_path(use.alias) for use in entry.result.aliases)
    return frozenset(claimed)


def fit(claims: Collection[str], known: Spellings, found: Edits) -> bool:
    """Whether the drafts `found` added (none with aliases: edits.find) clash with no other
    file, by their page's address (`claims`: the record's) or by a name of their category
    or tags (`known`: the record's spellings, with `found`'s edits)."""
    paths = [_page(found.drafts[source]) for source in sorted(found.added)]
    if len(set(paths)) < len(paths) or any(path in claims for path in paths):
        return False
    # Their names among the drafts', and the published predictions' as the edits `found`
    # leave them: a published file edited since may clash with one as well.
    names, edited = _names(found), found.edited()
    known = known.with_hidden(names)
    return all(
        name_now(known, kind, slugify(name), found.before, edited) is not None
        for kind, name in names
    )


def _page(entry: FileEntry) -> str:
    assert entry.result.prediction is not None  # edits.find adds drafts without an error
    return aliases.output_path(entry.result.prediction.url)


def _names(found: Edits) -> frozenset[tuple[str, str]]:
    """(kind, name) of each category and tag of the drafts `found` added."""
    added = (found.drafts[source] for source in found.added)
    return frozenset((use.kind, use.name) for entry in added for use in entry.result.terms)
