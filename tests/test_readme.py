"""The README's configuration example is a valid configuration, with the defaults it states."""

import importlib
import pkgutil
import re
from pathlib import Path

from relance_tui.config import Settings, load_settings

README = Path(__file__).parents[1] / "README.md"


def test_readme_configuration_example_loads(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"## Configuration.*?```toml\n(.*?)```", text, re.S)
    assert block is not None
    path = tmp_path / "config.toml"
    path.write_text(block.group(1), encoding="utf-8")
    settings = load_settings(path)
    defaults = Settings()
    assert settings.scoring == defaults.scoring
    assert settings.contact == defaults.contact
    assert settings.claims == defaults.claims
    assert settings.language == "fr"
    assert settings.animations == defaults.animations == "none"


def code_bindings() -> dict[str, list[str]]:
    """Every binding id of relance_tui.tui, read from the BINDINGS of its classes, and its keys."""
    from textual.binding import Binding
    from textual.dom import DOMNode

    import relance_tui.tui as package

    found: dict[str, list[str]] = {}
    for info in pkgutil.walk_packages(package.__path__, "relance_tui.tui."):
        module = importlib.import_module(info.name)
        for cls in vars(module).values():
            if not (isinstance(cls, type) and issubclass(cls, DOMNode)):
                continue
            if cls.__module__ != info.name or "BINDINGS" not in cls.__dict__:
                continue
            for binding in cls.__dict__["BINDINGS"]:
                assert isinstance(binding, Binding), (cls, binding)  # not a bare tuple
                assert binding.id and "." in binding.id, (cls, binding)  # a dotted id
                keys = found.setdefault(binding.id, [])
                for key in binding.key.split(","):
                    if key.strip() not in keys:
                        keys.append(key.strip())
    return found


def test_readme_keymap_lists_every_binding_id_with_its_default_keys() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("### Keymap", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \| `([^`]+)` \| (.+) \|$", section, re.M)
    listed = {binding_id: keys.split(",") for binding_id, keys, _what in rows}
    assert len(listed) == len(rows)  # each id once
    code = code_bindings()
    assert len(code) > 40
    assert sorted(listed) == sorted(code)
    assert listed == code


def test_readme_keymap_example_is_accepted(tmp_path: Path) -> None:
    from relance_tui.tui.keymap import checked_keymap

    text = README.read_text(encoding="utf-8")
    block = re.search(r"### Keymap.*?```toml\n(.*?)```", text, re.S)
    assert block is not None
    path = tmp_path / "config.toml"
    path.write_text(block.group(1), encoding="utf-8")
    keymap = load_settings(path).keymap
    assert keymap["queue.search"] == "ctrl+f"
    assert checked_keymap(keymap) == keymap
