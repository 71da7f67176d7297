"""Problems: how they read and the order they are listed in."""

from __future__ import annotations

from builder.errors import Problem


def test_problems_sort_by_file_then_line_with_the_whole_file_first() -> None:
    """A problem without a line sorts among numbered ones (catches the dataclass order, which
    compares None with a number and raises TypeError mid-report)."""
    found = [
        Problem("b.md", 2, "title", "x"),
        Problem("a.md", 7, "date", "y"),
        Problem("a.md", None, None, "not UTF-8"),
        Problem("a.md", 3, "title", "z"),
    ]
    assert [(p.path, p.line) for p in sorted(found)] == [
        ("a.md", None),
        ("a.md", 3),
        ("a.md", 7),
        ("b.md", 2),
    ]


def test_a_problem_reads_path_line_field_message() -> None:
    """(Catches a missing line or field printed as "None".)"""
    assert str(Problem("a.md", 4, "title", "is required")) == "a.md:4: title: is required"
    assert str(Problem("site.yaml", None, None, "not found")) == "site.yaml: not found"
