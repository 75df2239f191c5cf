"""Binding labels are translation keys (`"key.quit"`, `"casefile.tab.summary"`), translated when
a screen is created; Textual's own labels are not keys and stay as they are.

Class bodies run at import time, before `--lang` is known, so the labels cannot be translated there.
tests/test_i18n_catalogue.py checks that every `Binding(…)` in src is given a key written out.
"""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from textual.dom import DOMNode

from relance_tui.i18n import t


def translate_bindings(node: DOMNode) -> None:
    key_to_bindings = node._bindings.key_to_bindings
    for key, bindings in key_to_bindings.items():
        key_to_bindings[key] = [
            replace(binding, description=t(binding.description), tooltip=t(binding.tooltip))
            for binding in bindings
        ]


class TranslatedBindings:
    """Mixin for screens and widgets whose BINDINGS use translation keys as descriptions.

    Deliberately not a DOMNode: Textual inherits CSS along the *first* DOMNode base only, so a
    DOMNode mixin listed first would cut a Screen off from Screen's own default styles.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(cast(DOMNode, self))
