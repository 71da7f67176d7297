"""site.yaml validation: typed, every problem collected, typos never ignored."""

from __future__ import annotations

from pathlib import Path

from builder.config import load_config

GOOD = 'title: T\nurl: "https://x.example.org/blog"\nauthors:\n  ada: {name: Ada}\n'


def _load(tmp_path: Path, text: str):
    (tmp_path / "site.yaml").write_text(text)
    (tmp_path / "themes" / "default" / "templates").mkdir(parents=True, exist_ok=True)
    return load_config(tmp_path)


def test_defaults_and_normalised_url(tmp_path: Path) -> None:
    config, problems = _load(tmp_path, GOOD)
    assert problems == []
    assert config is not None
    assert config.url == "https://x.example.org/blog/"
    assert (config.paginate, config.theme, config.timezone, config.language) == (
        20,
        "default",
        "UTC",
        "en",
    )
    assert config.author("ada").name == "Ada"
    assert config.votes_endpoint is None


def test_every_problem_is_collected_with_its_line(tmp_path: Path) -> None:
    text = (
        "title: T\n"
        "url: not-a-url\n"
        "paginte: 10\n"
        "timezone: Mars/Olympus\n"
        "paginate: zero\n"
        "theme: missing\n"
        "authors:\n"
        "  Bad Key: {name: X}\n"
        "  bo: {bio: no name}\n"
    )
    _, problems = _load(tmp_path, text)
    assert all(p.is_error for p in problems)
    found = {(p.line, p.field) for p in problems}
    assert found >= {
        (2, "url"),
        (3, "paginte"),
        (4, "timezone"),
        (5, "paginate"),
        (6, "theme"),
        (8, "authors.Bad Key"),
        (9, "authors.bo.name"),
    }
    typo = next(p for p in problems if p.field == "paginte")
    assert "did you mean 'paginate'" in typo.message
    assert str(typo).startswith("site.yaml:3: paginte: unknown key")


def test_missing_and_broken_files(tmp_path: Path) -> None:
    config, problems = load_config(tmp_path)
    assert config is None and "not found" in problems[0].message
    config, problems = _load(tmp_path, "title: [oops\n")
    assert config is None and problems[0].line == 2 and "YAML syntax" in problems[0].message


def test_votes_endpoint(tmp_path: Path) -> None:
    config, _ = _load(tmp_path, GOOD + 'votes: {endpoint: "https://votes.example.org/"}\n')
    assert config.votes_endpoint == "https://votes.example.org"
    _, problems = _load(tmp_path, GOOD + "votes: {endpont: x}\n")
    assert {p.field for p in problems} == {"votes.endpont", "votes.endpoint"}
