"""`[keymap]` in config.toml: any binding of the app remapped by its id (README, "Keymap").

Every binding of the app's screens and widgets has a dotted id whose first part names the screen
it works on (`queue.search`), or `app` for the keys that work on every screen but the dialogs.
Textual applies the keymap itself (`App.set_keymap`); this module checks it before the app
starts, so that a mistake is refused with its name instead of a key silently doing nothing:

- an id no binding has;
- a key Textual has no name for;
- two bindings of one screen on one key: Textual would drop one of them (or the focused
  widget's key would hide the screen's) and the agent would lose an action without a word.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import pkgutil
from collections.abc import Iterator, Mapping
from functools import cache

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import REPLACED_KEYS, Keys, _character_to_key, key_to_character
from textual.screen import ModalScreen

import relance_tui.tui as package
from relance_tui.config import ConfigError
from relance_tui.i18n import t

MODIFIERS = ("ctrl", "alt", "shift", "meta", "super", "hyper")
NAMED_KEYS = frozenset(
    key.value for key in Keys if "+" not in key.value and key.value.isidentifier()
)


@cache
def binding_classes() -> tuple[type[DOMNode], ...]:
    """Every screen, widget and app class of relance_tui.tui that declares BINDINGS."""

    found: list[type[DOMNode]] = []
    for module_info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        module = importlib.import_module(module_info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                cls.__module__ == module.__name__
                and issubclass(cls, DOMNode)
                and "BINDINGS" in cls.__dict__
            ):
                found.append(cls)
    return tuple(found)


def own_bindings(cls: type[DOMNode]) -> Iterator[Binding]:
    yield from Binding.make_bindings(cls.__dict__["BINDINGS"])


@cache
def default_keys() -> dict[str, str]:
    """Each binding id and its keys in the code (an id shared by several bindings, e.g. `q` of
    the app and of the case screen, has the same keys in all of them)."""
    keys: dict[str, list[str]] = {}
    for cls in binding_classes():
        for binding in own_bindings(cls):  # one Binding per key: "j,down" gives two
            if binding.id is not None:
                known = keys.setdefault(binding.id, [])
                if binding.key not in known:
                    known.append(binding.key)
    return {binding_id: ",".join(known) for binding_id, known in keys.items()}


def normalize_keys(value: str) -> str:
    """Textual's name for each comma-separated key (`?` → `question_mark`, `F5` → `f5`);
    ValueError naming the first key Textual cannot name."""
    names: list[str] = []
    for raw in value.split(","):
        key = raw.strip()
        if not key:
            raise ValueError(t("keymap.empty_key", value=value))
        *modifiers, base = ("plus" if key == "+" else key).split("+")
        modifiers = [modifier.lower() for modifier in modifiers]
        # Textual names a letter typed with ctrl or alt in lower case (`ctrl+s`), `G` alone.
        single = len(base) == 1
        base = _character_to_key(base.lower() if modifiers else base) if single else base.lower()
        if any(modifier not in MODIFIERS for modifier in modifiers) or not _named(base):
            raise ValueError(t("keymap.bad_key", key=key))
        name = "+".join([*modifiers, base])
        if name not in names:
            names.append(name)
    return ",".join(names)


def _named(base: str) -> bool:
    return (
        len(base) == 1
        or base in NAMED_KEYS
        or base in REPLACED_KEYS
        or key_to_character(base) is not None
    )


def checked_keymap(keymap: Mapping[str, str]) -> dict[str, str]:
    """The keymap with Textual's key names, or ConfigError naming the first mistake."""
    known = default_keys()
    checked: dict[str, str] = {}
    for binding_id, value in keymap.items():
        if binding_id not in known:
            close = difflib.get_close_matches(binding_id, known, n=1)
            hint = t("keymap.did_you_mean", id=close[0]) if close else ""
            raise ConfigError(f"keymap.{binding_id}: " + t("keymap.unknown_id", hint=hint))
        try:
            checked[binding_id] = normalize_keys(value)
        except ValueError as error:
            raise ConfigError(f"keymap.{binding_id}: {error}") from error
    _check_conflicts(checked)
    return checked


def _screens() -> list[list[type[DOMNode]]]:
    """The classes whose keys work together: those holding ids of one first part, with the
    app's when that part is not a dialog's."""
    holders: dict[str, list[type[DOMNode]]] = {}
    for cls in binding_classes():
        for binding in own_bindings(cls):
            if binding.id is not None:
                group = holders.setdefault(binding.id.split(".")[0], [])
                if cls not in group:
                    group.append(cls)
    apps: list[type[DOMNode]] = [cls for cls in binding_classes() if issubclass(cls, App)]
    return [
        classes
        if part == "app" or any(issubclass(cls, ModalScreen) for cls in classes)
        else classes + apps
        for part, classes in holders.items()
    ]


def _check_conflicts(keymap: Mapping[str, str]) -> None:
    for classes in _screens():
        owners: dict[str, str] = {}  # key in force -> the binding id (or action) on it
        remapped: set[str] = set()
        for cls in classes:
            merged = cls._merged_bindings
            if merged is None:
                continue
            for key, bindings in merged.key_to_bindings.items():
                for binding in bindings:
                    owner = binding.id or binding.action
                    keys = keymap.get(binding.id, key) if binding.id else key
                    for one in keys.split(","):
                        other = owners.setdefault(one, owner)
                        if other == owner:
                            if binding.id in keymap:
                                remapped.add(one)
                            continue
                        if binding.id in keymap or one in remapped:
                            first, second = sorted((owner, other))
                            raise ConfigError(
                                f"keymap.{first if first in keymap else second}: "
                                + t("keymap.conflict", key=one, first=first, second=second)
                            )
