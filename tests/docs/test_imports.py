"""Imports run one way: no cycles, none hidden behind an import inside a function, and viz's rooms in order.

The graph is read with `ast` from the source, so it holds every import a module
makes, whether or not it has run. An edge goes to the module imported:
`from viz.homework import solve` is an edge to viz.homework.solve, `from micrograd
import Value` one to the package micrograd (its __init__).
"""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).parents[2]
PACKAGES = ("micrograd", "nn", "viz")
# viz's rooms, each importing only from itself and the rooms before it; cli and gallery on top
ROOMS = ("viz.notation", "viz.draw", "viz.explain", "viz.homework", "viz")


def module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def targets(node: ast.Import | ast.ImportFrom, importer: str) -> list[str]:
    """The project modules an import statement loads (a package stands for its __init__)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:  # from . import x, from ..y import z: relative to the importer's package
            package = importer.split(".")
            if MODULES[importer].name != "__init__.py":
                package = package[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join(package + ([base] if base else []))
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
    return [name for name in dict.fromkeys(names) if name in MODULES]


def imports() -> tuple[dict[str, set[str]], list[tuple[str, int, str]]]:
    """The module-level import graph, and every import of a project module made inside a function or class."""
    graph: dict[str, set[str]] = {}
    local: list[tuple[str, int, str]] = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        graph[name] = set()
        nested = set()
        for scope in ast.walk(tree):
            if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                for node in ast.walk(scope):
                    if isinstance(node, (ast.Import, ast.ImportFrom)):
                        nested.add(id(node))
                        local += [(name, node.lineno, target) for target in targets(node, name)]
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in nested:
                graph[name].update(t for t in targets(node, name) if t != name)
    return graph, local


GRAPH, LOCAL = imports()


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def of(package: str, module: str) -> bool:
    return module == package or module.startswith(package + ".")


@pytest.mark.parametrize("package", ["micrograd", "nn", "viz"])
def test_no_import_inside_a_function_hides_a_project_import(package):
    # lazy imports of optional third-party packages (torch, tqdm, playwright) are fine
    assert [f"{m}:{line} imports {t}" for m, line, t in LOCAL if of(package, m)] == []


@pytest.mark.parametrize("package", ["micrograd", "nn", "viz"])
def test_no_import_cycles(package):
    # with the imports made inside functions counted too, as they run as soon as the function does
    graph = {m: set(deps) for m, deps in GRAPH.items()}
    for module, _, target in LOCAL:
        graph[module].add(target)
    assert [c for c in cycles(graph) if any(of(package, m) for m in c)] == []


def test_packages_import_one_way():
    """micrograd knows nothing of networks or pictures (micrograd.nn re-exports nn), nn nothing of viz."""
    wrong = [(m, t) for m, deps in GRAPH.items() for t in deps
             if of("micrograd", m) and m != "micrograd.nn" and (of("nn", t) or of("viz", t))
             or of("nn", m) and of("viz", t)]
    assert wrong == []


def room(module: str) -> int:
    return next(k for k, r in enumerate(ROOMS) if of(r, module))


def test_viz_rooms_import_only_the_rooms_before_them():
    """notation <- draw <- explain <- homework <- cli, gallery; within a room, any order without cycles."""
    wrong = [f"{m} ({ROOMS[room(m)]}) imports {t} ({ROOMS[room(t)]})"
             for m, deps in GRAPH.items() if of("viz", m) for t in deps if of("viz", t) and room(t) > room(m)]
    assert wrong == []
    on_top = {m for m in MODULES if of("viz", m) and room(m) == len(ROOMS) - 1}
    assert on_top == {"viz", "viz.cli", "viz.gallery"}


def test_the_graph_is_read_right():
    """The reader itself: it sees module-level imports, package imports and the nested ones."""
    assert "viz.draw.graph" in GRAPH["viz"] and "viz.homework.solve" in GRAPH["viz.cli"]
    assert "micrograd" in GRAPH["viz.draw.graph"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
