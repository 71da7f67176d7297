"""The package tree is the pipeline: each layer imports only from the layers before it (and
from itself), so data flows one way: config -> content -> track record -> site -> render ->
write, with incremental building, the preview server and the vote endpoint on top."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "builder"

# Bottom first. A module's layer is its first path component under builder/ ("render" for
# builder/render/feeds.py, "pipeline" for builder/pipeline.py).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("__init__", "errors", "options", "arguments"),
    ("system",),
    ("config",),
    ("content",),
    ("trackrecord",),
    ("site",),
    ("render",),
    ("write",),
    ("pipeline",),
    ("incremental",),
    ("serve",),
    ("votes",),
    ("cli", "__main__"),
)
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def _layer(module: str) -> str:
    """ "builder.render.feeds" -> "render"; "builder" -> "__init__"."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _module_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str) -> list[tuple[int, str]]:
    """(line, module) of every builder module `path` imports, at any depth of the file;
    relative imports are resolved against `module`, the name of `path` ("builder.votes.app")."""
    # What `from .` means here: the package itself for an __init__.py, else the one holding it.
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("builder")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # from .store import X, from .. import x: up level - 1 packages
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - (node.level - 1)])
                if node.level - 1 >= len(parts):
                    raise ValueError(f"{path}:{node.lineno}: import beyond the top package")
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module or ""
            if name == "builder" or (node.level and not node.module):
                # from builder import x, y / from . import x: each is a module or a name
                found += [(node.lineno, f"{name}.{a.name}") for a in node.names]
            elif name.startswith("builder."):
                found.append((node.lineno, name))
    return found


def _violations() -> list[str]:
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_of(path)
        here = _layer(module) if module != "builder" else "__init__"
        for line, imported in _imports(path, module):
            there = _layer(imported)
            if there == "__version__":
                there = "__init__"
            if there not in RANK:
                problems.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {imported}: no layer")
            elif RANK[there] > RANK[here]:
                problems.append(
                    f"{path.relative_to(PACKAGE.parent)}:{line}: {here} imports {imported} "
                    f"({there} comes after it)"
                )
    return problems


def test_every_module_has_a_layer() -> None:
    tops = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir() if p.name != "__pycache__"}
    tops = {t for t in tops if not t.startswith(".")}
    assert tops <= set(RANK), f"add these to LAYERS: {sorted(tops - set(RANK))}"


def test_no_import_runs_against_the_layer_order() -> None:
    assert _violations() == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from builder.render import feeds\n", ["builder.render"]),
        ("from builder import cli\n", ["builder.cli"]),
        ("def f():\n    import builder.serve.server\n", ["builder.serve.server"]),
        ("import os\nfrom os import path\n", []),
        # Relative, read as if in builder/votes/app.py: all of builder/votes/ imports so.
        ("from .store import VoteStore\n", ["builder.votes.store"]),
        (
            "from . import store, connections\n",
            ["builder.votes.store", "builder.votes.connections"],
        ),
        ("from ..render import feeds\n", ["builder.render"]),
        ("from ..render.feeds import atom\n", ["builder.render.feeds"]),
        ("from .. import cli\n", ["builder.cli"]),
        ("def f():\n    from ..serve import server\n", ["builder.serve"]),
    ],
)
def test_the_import_reader_sees_every_form(
    tmp_path: Path, source: str, expected: list[str]
) -> None:
    """Catches: a layer test that passes because it reads no import (a function-level
    import, `from builder import x`, or a relative import)."""
    path = tmp_path / "m.py"
    path.write_text(source)
    assert [name for _, name in _imports(path, "builder.votes.app")] == expected


def test_relative_imports_in_a_package_init_start_from_the_package(tmp_path: Path) -> None:
    path = tmp_path / "__init__.py"
    path.write_text("from .store import VoteStore\nfrom .. import cli\n")
    assert [name for _, name in _imports(path, "builder.votes")] == [
        "builder.votes.store",
        "builder.cli",
    ]
