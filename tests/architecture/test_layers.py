"""The house's floors, checked by a machine (docs/architecture.md).

- The import-linter contracts in pyproject.toml: cli over tui over services over storage over
  the domain, Textual only in the faces, no database in the domain.
- No two modules import each other, directly or around a longer circle, counting the imports
  made inside functions (a deferred import is still a dependency).
- An import made inside a function says why in a comment on its line or just above its block,
  so that a hidden circle cannot pass as a start-up deferral.
"""

from __future__ import annotations

import ast
import io
import tokenize
from contextlib import redirect_stdout
from pathlib import Path

import grimp
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "relance_tui"


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


def _function_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    found.append(inner)
    return found


def unexplained_function_imports(source: str) -> list[int]:
    """Lines of imports inside functions with no comment on their line, nor on the line above
    the block of consecutive imports they belong to."""
    comment_lines = {
        token.start[0]
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
    }
    imports = _function_imports(ast.parse(source))
    import_lines: set[int] = set()
    for node in imports:
        import_lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    missing = []
    for node in imports:
        first = node.lineno
        while first - 1 in import_lines:  # the top of this block of imports
            first -= 1
        explained = any(
            line in comment_lines
            for line in (*range(node.lineno, (node.end_lineno or node.lineno) + 1), first - 1)
        )
        if not explained:
            missing.append(node.lineno)
    return missing


def test_the_function_import_check_sees_a_bare_import() -> None:
    bare = "def f():\n    import os\n    return os\n"
    explained = (
        "def f():\n    # deferred: start-up time\n    import os\n    import sys\n    return os\n"
    )
    inline = "def f():\n    import os  # deferred: start-up time\n    return os\n"
    assert unexplained_function_imports(bare) == [2]
    assert unexplained_function_imports(explained) == []
    assert unexplained_function_imports(inline) == []


def test_every_import_inside_a_function_says_why() -> None:
    missing = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line in unexplained_function_imports(path.read_text(encoding="utf-8"))
    ]
    assert not missing, "imports inside functions without a comment saying why:\n" + "\n".join(
        missing
    )
