"""Keys as the agent reads them, in the agent's language (`Échap`, `Début`, `Suppr` in French).

Textual writes key names in English (`esc`, `home`, `pgdn`); the footer, the help screen and the
`ctrl+c` hint all go through `RelanceApp.get_key_display`, which uses `key_display` here.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.keys import format_key

from relance_tui.i18n import t

KEY_NAME_KEYS: dict[str, str] = {
    "escape": "key_name.escape",
    "tab": "key_name.tab",
    "space": "key_name.space",
    "home": "key_name.home",
    "end": "key_name.end",
    "pageup": "key_name.pageup",
    "pagedown": "key_name.pagedown",
    "insert": "key_name.insert",
    "delete": "key_name.delete",
    "shift": "key_name.shift",
}


def key_name(key: str) -> str:
    return t(KEY_NAME_KEYS[key]) if key in KEY_NAME_KEYS else format_key(key)


def key_display(binding: Binding) -> str:
    """`Échap`, `^p`, `Maj+Tab`; a binding's own `key_display` is a `/`-list of key names."""
    if binding.key_display:
        return "/".join(key_name(part) for part in binding.key_display.split("/"))
    modifiers, key = binding.parse_key()
    shown = key_name(key)
    if "ctrl" in modifiers:
        modifiers.remove("ctrl")
        shown = f"^{shown}"
    return "+".join([*(key_name(modifier) for modifier in modifiers), shown])
