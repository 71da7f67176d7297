"""content/parsecache.py: the parse cache, read by the build, serve and the commands that read
the whole site."""

from __future__ import annotations

from conftest import SiteFolder, prediction_text

from builder.content import parsecache
from builder.content.loader import read_entry
from builder.system.pickles import write_pickle

A = "content/predictions/a.md"


def test_a_stat_goes_only_with_the_parse_it_was_taken_for(site: SiteFolder) -> None:
    """The stats are written after the shards: a reader between the two (a `check` beside a
    build) meets old shards and new stats. Catches: an old parse taken under the stat of the
    file as it is now (the file would not be read again); and, the other way, the same bytes
    read again (a fresh checkout) not taken under their new stat."""
    site.write("a.md", prediction_text("A"))
    entry = read_entry(site.root, (A, None), frozenset({"ada", "bo"}))
    parsecache.save_files(site.root, {A: entry}, {})
    assert parsecache.load_files(site.root)[A] == entry
    assert entry.stat is not None
    newer = (entry.stat[0] + 1, entry.stat[1])
    write_pickle(site.root, parsecache.STATS, {A: (newer, entry.digest)})
    assert parsecache.load_files(site.root)[A].stat == newer
    write_pickle(site.root, parsecache.STATS, {A: (newer, "the digest of another version")})
    assert parsecache.load_files(site.root)[A].stat == entry.stat
