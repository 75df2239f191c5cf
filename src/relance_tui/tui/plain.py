"""Stored text as the screens show it: a `Text` of `domain.text.inert` characters.

Names, references, addresses and notes come from import files and from other users: never
markup (a `[@click=…]` name would become an action), never a control character (ESC would
drive the terminal). Widgets get them as `plain(value)`, or `inert(value)` where a plain str
is built into a Text already.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from relance_tui.domain.text import inert


def plain(value: str, style: str = "", **options: Any) -> Text:
    """`value` shown as it is written, each control or bidi character as a visible U+FFFD."""
    return Text(inert(value), style=style, **options)
