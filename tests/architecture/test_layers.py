"""The house's floors, checked by a machine (docs/architecture.md).

- The import-linter contracts in pyproject.toml: cli over tui over services over storage over
  the domain, Textual only in the faces, no database in the domain.
- No two modules import each other, directly or around a longer circle, counting the imports
  made inside functions (a deferred import is still a dependency).
"""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

import grimp
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]


def test_import_linter_contracts_are_kept() -> None:
    output = io.StringIO()
    with redirect_stdout(output):
        exit_code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    assert exit_code == 0, output.getvalue()


def import_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that reach each other through imports (Tarjan's strongly connected
    components, iterative so that a deep import chain cannot overflow the stack)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work: list[tuple[str, list[str]]] = [(start, sorted(edges[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, pending = work[-1]
            if pending:
                nxt = pending.pop()
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(edges.get(nxt, ()))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def test_cycle_finder_finds_a_circle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles(edges) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


def test_no_two_modules_import_each_other() -> None:
    graph = grimp.build_graph("relance_tui", exclude_type_checking_imports=True, cache_dir=None)
    edges = {
        module: {
            imported
            for imported in graph.find_modules_directly_imported_by(module)
            if imported.startswith("relance_tui")
        }
        for module in graph.modules
        if module.startswith("relance_tui")
    }
    cycles = import_cycles(edges)
    described = [
        " ; ".join(f"{a} -> {b}" for a in cycle for b in sorted(edges[a]) if b in cycle)
        for cycle in cycles
    ]
    assert not cycles, "modules that import each other:\n" + "\n".join(described)
