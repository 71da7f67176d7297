"""taken.py: what the shortcuts since the last full build took (the builds that use it are
in test_display and test_restored)."""

from __future__ import annotations

from pathlib import Path

from builder.incremental import cache, taken


def test_each_shortcut_adds_to_what_was_taken(tmp_path: Path) -> None:
    """Catches: a shortcut's kinds replacing those taken before (a title edit, then a body
    edit of the same file, would forget the display edit), or a file, a term or a page
    dropped."""
    (tmp_path / cache.CACHE_DIR).mkdir(parents=True)
    x, y = ("tags", "x"), ("tags", "y")
    taken.save(tmp_path, taken.Taken("t1"), {"a.md": frozenset({"display"})}, {x: ("X", ("a",))})
    before = taken.read(tmp_path, "t1")
    kinds = {"a.md": frozenset({"body"}), "b.md": frozenset({"body"})}
    taken.save(tmp_path, before, kinds, {y: ("Y", ("b",))}, ["tags/y/index.html"])
    found = taken.read(tmp_path, "t1")
    display_and_body, body = frozenset({"display", "body"}), frozenset({"body"})
    assert found.kinds_by_source == {"a.md": display_and_body, "b.md": body}
    assert found.terms == {x: ("X", ("a",)), y: ("Y", ("b",))}
    assert found.made == {"tags/y/index.html"}


def test_what_another_record_took_is_not_read(tmp_path: Path) -> None:
    """Catches: the files taken since an earlier full build taken again after the next one
    (harmless but slow), or read without their record."""
    (tmp_path / cache.CACHE_DIR).mkdir(parents=True)
    taken.save(tmp_path, taken.Taken("t1"), {"a.md": frozenset({"display"})})
    assert taken.read(tmp_path, "t2") == taken.Taken("t2")
    taken.forget(tmp_path)
    assert taken.read(tmp_path, "t1") == taken.Taken("t1")
