"""Every translation key is written out in full in src/ and lives in both catalogues.

An AST scan of src/relance_tui reads the key of every call to the translation layer:
- `t("…")`, `tn("…", n)`, `t_in(language, "…")`, `key("…")`: a string literal (or `a if c else b`
  of literals);
- `t(STAGE_KEYS[stage])`: a module-level `*_KEYS` dict whose values are literals (or other such
  dicts);
- `t_key(k)`: a `Key`, which only `key("…")` makes (mypy keeps plain strings out);
- Textual `Binding(…)` descriptions, translated by tui/bindings.py, the one allowed helper.
Anything else — an f-string, a variable, `"stage." + x` — fails, and so does a key missing from a
catalogue or a catalogue key nothing uses.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import pytest

from relance_tui import i18n

SRC = Path(__file__).resolve().parents[1] / "src" / "relance_tui"
I18N_MODULE = "relance_tui.i18n"
KEY_ARGUMENT = {"t": 0, "tn": 0, "t_in": 1, "key": 0}  # where each function takes its key
TYPED = {"t_key"}  # takes a `Key`: made by key("…") only
# Helpers that translate keys held elsewhere, each checked where the keys are written.
ALLOWED_HELPERS = {("tui/bindings.py", "translate_bindings")}  # Binding(…) descriptions
PLACEHOLDER = re.compile(r"{(\w+)}")


@dataclass(repr=False)
class Scan:
    keys: set[str] = field(default_factory=set)  # used as written
    plural_keys: set[str] = field(default_factory=set)  # used by tn(): `key.one`, `key.other`
    problems: list[str] = field(default_factory=list)
    holders: dict[str, list[ast.expr]] = field(default_factory=dict)  # *_KEYS name → values
    holders_used: set[str] = field(default_factory=set)


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _holders(tree: ast.Module, where: str, scan: Scan) -> None:
    """Module-level `NAME_KEYS = {…}` dicts."""
    for node in tree.body:
        target: ast.expr | None = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        elif isinstance(node, ast.AnnAssign):
            target = node.target
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if not isinstance(target, ast.Name) or not target.id.endswith("_KEYS"):
            continue
        if not isinstance(value, ast.Dict):
            continue
        if target.id in scan.holders:
            scan.problems.append(f"{where}: {target.id} is defined twice in src")
        scan.holders[target.id] = list(value.values)


class _Calls(ast.NodeVisitor):
    def __init__(self, where: str, scan: Scan) -> None:
        self.where = where
        self.scan = scan
        self.functions: dict[str, str] = {}  # local name → i18n function
        self.modules: set[str] = set()  # local names of the i18n module
        self.enclosing: list[str] = []

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module == I18N_MODULE:
            for alias in node.names:
                self.functions[alias.asname or alias.name] = alias.name
        elif node.module == "relance_tui":
            self.modules |= {a.asname or a.name for a in node.names if a.name == "i18n"}

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == I18N_MODULE and alias.asname:
                self.modules.add(alias.asname)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.enclosing.append(node.name)
        self.generic_visit(node)
        self.enclosing.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def _i18n_function(self, func: ast.expr) -> str | None:
        if isinstance(func, ast.Name):
            return self.functions.get(func.id)
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in self.modules
        ):
            return func.attr
        return None

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        at = f"{self.where}:{node.lineno}"
        if _name(node.func) == "Binding":
            self._binding(node, at)
            return
        function = self._i18n_function(node.func)
        if function in ("catalog", "Key"):
            self.scan.problems.append(f"{at}: {function}() is the translation layer's own")
        if _name(node.func) == "cast" and any(
            isinstance(n, ast.Name) and n.id == "Key" for n in ast.walk(node)
        ):
            self.scan.problems.append(f"{at}: a Key is made by key('…') only")
        if function not in KEY_ARGUMENT:
            return
        position = KEY_ARGUMENT[function]
        if len(node.args) <= position:
            self.scan.problems.append(f"{at}: {function}() without its key")
            return
        argument = node.args[position]
        if (self.where, self.enclosing[-1] if self.enclosing else "") in ALLOWED_HELPERS:
            return
        found = self._keys(argument, at, literal_only=function == "key")
        (self.scan.plural_keys if function == "tn" else self.scan.keys).update(found)

    def _keys(self, node: ast.expr, at: str, *, literal_only: bool) -> set[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            return self._keys(node.body, at, literal_only=literal_only) | self._keys(
                node.orelse, at, literal_only=literal_only
            )
        if isinstance(node, ast.Subscript) and not literal_only:
            base: ast.expr = node
            while isinstance(base, ast.Subscript):
                base = base.value
            name = _name(base)
            if name is not None and name.endswith("_KEYS"):
                self.scan.holders_used.add(name)
                return {f"@{name}"}  # resolved once every module is read
        self.scan.problems.append(f"{at}: the key is not written out: {ast.unparse(node)}")
        return set()

    def _binding(self, node: ast.Call, at: str) -> None:
        texts = [node.args[2]] if len(node.args) > 2 else []
        texts += [k.value for k in node.keywords if k.arg in ("description", "tooltip")]
        for text in texts:
            if not (isinstance(text, ast.Constant) and text.value == ""):
                self.scan.keys |= self._keys(text, at, literal_only=False)


def _resolve(scan: Scan, names: set[str], seen: frozenset[str] = frozenset()) -> set[str]:
    keys: set[str] = set()
    for name in names:
        if name not in scan.holders:
            scan.problems.append(f"{name}: no module-level dict of that name in src")
            continue
        for value in scan.holders[name]:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                keys.add(value.value)
            elif (
                isinstance(value, ast.Name) and value.id.endswith("_KEYS") and value.id not in seen
            ):
                keys |= _resolve(scan, {value.id}, seen | {name})
            else:
                scan.problems.append(f"{name}: {ast.unparse(value)} is not a literal key")
    return keys


def scan_sources(sources: dict[str, str]) -> Scan:
    """`sources`: path under src/relance_tui → its text."""
    scan = Scan()
    trees = {where: ast.parse(text) for where, text in sources.items()}
    for where, tree in trees.items():
        _holders(tree, where, scan)
    for where, tree in trees.items():
        _Calls(where, scan).visit(tree)
    for group in (scan.keys, scan.plural_keys):
        holders = {k[1:] for k in group if k.startswith("@")}
        group.difference_update({f"@{name}" for name in holders})
        group |= _resolve(scan, holders)
    return scan


def src_sources() -> dict[str, str]:
    return {
        path.relative_to(SRC).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "i18n.py"
    }


@pytest.fixture(scope="module")
def scan() -> Scan:
    return scan_sources(src_sources())


def plural_forms(key: str) -> Iterator[str]:
    yield f"{key}.one"
    yield f"{key}.other"


def test_every_key_is_written_out_in_full(scan: Scan) -> None:
    assert scan.problems == []
    assert len(scan.keys) > 500  # the scan does read the calls


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_key_used_is_in_the_catalogue(scan: Scan, language: str) -> None:
    texts = i18n.catalog(language)
    missing = sorted(k for k in scan.keys if k not in texts)
    missing += sorted(k for p in scan.plural_keys for k in plural_forms(p) if k not in texts)
    assert missing == []


def test_both_catalogues_have_the_same_keys_and_placeholders() -> None:
    french, english = i18n.catalog("fr"), i18n.catalog("en")
    assert set(french) - set(english) == set(), "keys missing in English"
    assert set(english) - set(french) == set(), "keys missing in French"
    differ = [
        k
        for k in french
        if set(PLACEHOLDER.findall(french[k])) != set(PLACEHOLDER.findall(english[k]))
    ]
    assert differ == []


def test_no_catalogue_key_is_dead(scan: Scan) -> None:
    used = scan.keys | {k for p in scan.plural_keys for k in plural_forms(p)}
    assert sorted(set(i18n.catalog("fr")) - used) == []


@pytest.mark.parametrize(
    "source",
    [
        'from relance_tui.i18n import t\nt(f"stage.{x}")',
        'from relance_tui.i18n import t\nt("stage." + x)',
        "from relance_tui.i18n import tn\ntn(name, 2)",
        "from relance_tui import i18n\ni18n.t(name)",
        "from relance_tui.i18n import t as tr\ntr(name)",
        'from relance_tui.i18n import key\nkey(f"case.problem.{x}")',
        "from relance_tui.i18n import key\nkey(STAGE_KEYS[x])",
        "from relance_tui.i18n import t\nt(labels[x])",
        "from relance_tui.i18n import t\nt(NOWHERE_KEYS[x])",
        'from relance_tui.i18n import t\nBAD_KEYS = {"a": "x." + y}\nt(BAD_KEYS[z])',
        "from relance_tui.i18n import catalog\ncatalog('fr')",
        "from relance_tui.i18n import Key\nKey(name)",
        'from textual.binding import Binding\nBinding("q", "quit", f"key.{x}")',
    ],
)
def test_the_scan_refuses_a_key_not_written_out(source: str) -> None:
    assert scan_sources({"example.py": source}).problems != []


def test_the_scan_reads_literals_mappings_and_plurals() -> None:
    source = (
        "from relance_tui.i18n import key, t, t_in, tn\n"
        'INNER_KEYS = {"a": "stage.closed"}\n'
        'OUTER_KEYS = {"b": INNER_KEYS, "c": "segment.sme"}\n'
        't("queue.title" if x else "queue.empty")\n'
        "t(OUTER_KEYS[x][y])\n"
        'tn("queue.cases", n)\n'
        't_in("fr", "case.recap.closing")\n'
        'key("case.problem.no_plan")\n'
    )
    scan = scan_sources({"example.py": source})
    assert scan.problems == []
    assert scan.keys == {
        "queue.title",
        "queue.empty",
        "stage.closed",
        "segment.sme",
        "case.recap.closing",
        "case.problem.no_plan",
    }
    assert scan.plural_keys == {"queue.cases"}


def _vocabularies() -> list[tuple[type[Enum], dict[str, str]]]:
    from relance_tui.domain import labels
    from relance_tui.domain.calling_hours import CALL_TIME_ISSUE_KEYS, CallTimeIssue
    from relance_tui.domain.calls import CALL_STEP_KEYS, RESOLUTION_KEYS, CallStep, Resolution
    from relance_tui.domain.enums import (
        AgentRole,
        CallbackStatus,
        CallOutcome,
        Cause,
        ContactRole,
        DisputeStatus,
        Frequency,
        InstallmentStatus,
        NextAction,
        PayerType,
        PlanStatus,
        PromiseStatus,
        Segment,
        Stage,
    )
    from relance_tui.domain.notes_check import NOTE_CATEGORY_KEYS, NoteCategory
    from relance_tui.domain.phones import PHONE_KIND_KEYS, PhoneKind
    from relance_tui.domain.scoring import URGENCY_KEYS, Urgency
    from relance_tui.services.agenda import AGENDA_KIND_KEYS, AgendaKind

    return [
        (Segment, labels.SEGMENT_KEYS),
        (PayerType, labels.PAYER_TYPE_KEYS),
        (ContactRole, labels.CONTACT_ROLE_KEYS),
        (AgentRole, labels.AGENT_ROLE_KEYS),
        (Stage, labels.STAGE_KEYS),
        (NextAction, labels.NEXT_ACTION_KEYS),
        (CallOutcome, labels.OUTCOME_KEYS),
        (Cause, labels.CAUSE_KEYS),
        (Frequency, labels.FREQUENCY_KEYS),
        (PromiseStatus, labels.PROMISE_STATUS_KEYS),
        (PlanStatus, labels.PLAN_STATUS_KEYS),
        (InstallmentStatus, labels.INSTALLMENT_STATUS_KEYS),
        (DisputeStatus, labels.DISPUTE_STATUS_KEYS),
        (CallbackStatus, labels.CALLBACK_STATUS_KEYS),
        (CallTimeIssue, CALL_TIME_ISSUE_KEYS),
        (CallStep, CALL_STEP_KEYS),
        (Resolution, RESOLUTION_KEYS),
        (NoteCategory, NOTE_CATEGORY_KEYS),
        (PhoneKind, PHONE_KIND_KEYS),
        (Urgency, URGENCY_KEYS),
        (AgendaKind, AGENDA_KIND_KEYS),
    ]


def test_every_value_of_a_vocabulary_has_its_label() -> None:
    for enum, keys in _vocabularies():
        assert set(keys) == {member.value for member in enum}, enum.__name__


def test_every_import_field_has_its_label() -> None:
    from relance_tui.services.importing.fields import FIELD_LABEL_KEYS, KINDS

    fields = {(kind, spec.name) for kind, kind_spec in KINDS.items() for spec in kind_spec.fields}
    assert set(FIELD_LABEL_KEYS) == fields


def test_plurals_follow_each_languages_rules() -> None:
    assert i18n.tn("queue.cases", 0) == "0 dossier"
    assert i18n.tn("queue.cases", 1) == "1 dossier"
    assert i18n.tn("queue.cases", 2) == "2 dossiers"
    assert i18n.tn("queue.cases", 12_345) == "12\u202f345 dossiers"
    assert i18n.tn("queue.cases", 1_000_000) == "1\u202f000\u202f000 dossiers"  # CLDR "many"
    i18n.set_language("en")
    assert i18n.tn("queue.cases", 0) == "0 cases"
    assert i18n.tn("queue.cases", 1) == "1 case"
    assert i18n.tn("queue.cases", 12_345) == "12,345 cases"
