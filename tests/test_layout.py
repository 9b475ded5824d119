"""The package's rooms stand in one order, and no import climbs back up it.

Every import of every module is read from the source, the lazy ones inside functions and
the ones only a type checker sees included, since each is a dependency all the same. A
module may import from its own room and from rooms below it; rooms on one floor (the
reading of returned files and client packets) may not import each other. And no two
modules may need each other, even within a room.

The order, from the ground up, is the one the README's "How the code is laid out" gives.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers import REPO

PACKAGE = REPO / "workbook"

#: Floors from the ground up; each floor holds one or more rooms side by side.
FLOORS: tuple[tuple[str, ...], ...] = (
    ("workbook.errors", "workbook.version"),
    ("workbook.formats",),
    ("workbook.clinical",),
    ("workbook.project",),
    ("workbook.output",),
    ("workbook.content",),
    ("workbook.model",),
    ("workbook.render",),
    ("workbook.returned", "workbook.packets"),
    ("workbook.report",),
    ("workbook.fhir",),
    ("workbook.stages",),
    ("workbook.build", "workbook.progress"),
    ("workbook.commands",),
    ("workbook", "workbook.__main__"),
)


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of this package that ``name`` imports, wherever in it the import is."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:  # "from workbook.clinical import gas" imports a module
                whole = f"{module}.{alias.name}"
                found.add(whole if whole in known else module)
    return {module for module in found if module in known and module != name}


def room(module: str) -> str:
    """The room a module stands in: the longest room name it starts with."""
    rooms = [r for floor in FLOORS for r in floor if module == r or module.startswith(r + ".")]
    assert rooms, f"{module} stands in no room; add its room to FLOORS (and to the README)"
    return max(rooms, key=len)


def floor(room_name: str) -> int:
    return next(i for i, rooms in enumerate(FLOORS) if room_name in rooms)


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def test_no_import_climbs_back_up_and_rooms_side_by_side_stay_apart() -> None:
    wrong = []
    for module, targets in graph().items():
        here = room(module)
        for target in sorted(targets):
            there = room(target)
            if there == here:
                continue
            if floor(there) > floor(here):
                wrong.append(f"{module} imports {target}: {there} stands above {here}")
            elif floor(there) == floor(here):
                wrong.append(f"{module} imports {target}: {there} and {here} stand side by side")
    assert wrong == []


def test_no_two_modules_need_each_other() -> None:
    edges = graph()
    cycles = []
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done
    path: list[str] = []

    def walk(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(edges[module]):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                walk(target)
        path.pop()
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            walk(module)
    assert cycles == []


def test_every_room_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## How the code is laid out", 1)[1]
    for rooms in FLOORS:
        for name in rooms:
            if name in ("workbook", "workbook.__main__"):  # the package face, `python -m`
                continue
            shown = name.removeprefix("workbook.")
            shown = f"{shown}/" if (PACKAGE / shown).is_dir() else f"{shown}.py"
            assert shown in layout, f"the README's code layout does not name {shown}"


def test_public_names_are_defined_once() -> None:
    """A class, function or constant of one name in two modules reads as one thing in
    a traceback or a search; each public name means one thing."""
    where: dict[str, list[str]] = {}
    for name, path in modules().items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names = [node.name]
            elif isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names = [node.target.id]
            else:
                continue
            for defined in names:
                if not defined.startswith("_"):
                    where.setdefault(defined, []).append(name)
    assert {name: found for name, found in where.items() if len(found) > 1} == {}


def _defined(path: Path) -> set[str]:
    """The names a module defines or imports at its top level."""
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def test_every_module_a_comment_or_the_readme_names_exists() -> None:
    """A module named in a docstring, a comment, a template or the README (as
    ``workbook.render.pdf.engine``, ``workbook.render.pdf.engine.engine_for`` or
    ``workbook/render/pdf/engine.py``) is there: moving code leaves no stale pointer."""
    import re

    known = modules()
    dotted = re.compile(r"\bworkbook(?:\.[a-z_][a-z0-9_]*)+")
    pathlike = re.compile(r"\bworkbook/[a-z0-9_/]+\.py\b")
    # `workbook.data.title` in a template, `workbook.advance()`, file names: not modules
    variables = {"data", "source", "intro", "slug", "advance", "yaml", "html", "py"}
    sources = [
        REPO / "README.md",
        *PACKAGE.rglob("*.py"),
        *(REPO / "templates").rglob("*.*"),
        *(REPO / "benchmarks").glob("*.py"),
        *(REPO / "scripts").iterdir(),
    ]
    stale = []
    for source in sources:
        if source.suffix in (".ttf", ".woff2") or not source.is_file():
            continue
        text = source.read_text(encoding="utf-8")
        if "../shared" in text:  # the notes beside this checkout: a user's has none
            stale.append(f"{source.relative_to(REPO)}: ../shared")
        for found in dotted.findall(text):
            parts = found.split(".")
            if parts[1] in variables or found in known:
                continue
            owner = ".".join(parts[:-1])
            if owner in known and parts[-1] in _defined(known[owner]):
                continue  # a name in a module: workbook.render.pdf.engine.engine_for
            stale.append(f"{source.relative_to(REPO)}: {found}")
        for found in pathlike.findall(text):
            if not (REPO / found).is_file():
                stale.append(f"{source.relative_to(REPO)}: {found}")
    assert stale == [], stale
