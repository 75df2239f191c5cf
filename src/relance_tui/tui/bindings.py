"""Binding labels are translation keys (`"key.quit"`), translated when a screen is created.

Class bodies run at import time, before `--lang` is known, so the labels cannot be translated there.
"""

from __future__ import annotations

from dataclasses import replace

from textual.dom import DOMNode

from relance_tui.i18n import t


def translate_bindings(node: DOMNode) -> None:
    key_to_bindings = node._bindings.key_to_bindings
    for key, bindings in key_to_bindings.items():
        key_to_bindings[key] = [
            replace(binding, description=t(binding.description), tooltip=t(binding.tooltip))
            if binding.description.startswith("key.")
            else binding
            for binding in bindings
        ]


class TranslatedBindings(DOMNode):
    """Mixin for screens and widgets whose BINDINGS use translation keys as descriptions."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        translate_bindings(self)
