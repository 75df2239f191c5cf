"""A list of things to tick (the invoices a dispute is about): `[x]` / `[ ]` in plain characters,
so a box's state shows without colour (16-colour terminals, monochrome).

Space (or a click) ticks or unticks the highlighted line; Enter goes on (`CheckList.Done`), as
Enter does in every form.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from relance_tui.domain.text import inert
from relance_tui.tui.bindings import translate_bindings

TICKED = "[x] "
UNTICKED = "[ ] "


class CheckList(OptionList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "select", "key.tick", id="check.tick"),
        Binding("enter", "done", "key.next_field", id="check.next"),
        Binding("j", "cursor_down", id="check.down", show=False),
        Binding("k", "cursor_up", id="check.up", show=False),
    ]

    class Done(Message):
        def __init__(self, check_list: CheckList) -> None:
            super().__init__()
            self.check_list = check_list

        @property
        def control(self) -> CheckList:
            return self.check_list

    def __init__(
        self,
        items: Iterable[tuple[int, str]],
        *,
        ticked: Iterable[int] = (),
        id: str | None = None,
        compact: bool = False,
        enter_label: str | None = None,
    ) -> None:
        """`items`: (value, label) in display order; `ticked`: the values ticked at first;
        `enter_label`: what Enter does here, when it is not going on to the next field."""
        self._labels = dict(items)
        self._values = list(self._labels)
        self._ticked = {value for value in ticked if value in self._labels}
        super().__init__(*[self._option(value) for value in self._values], id=id)
        self.compact = compact
        translate_bindings(self)
        if enter_label is not None:
            bindings = self._bindings.key_to_bindings
            bindings["enter"] = [replace(b, description=enter_label) for b in bindings["enter"]]

    def _option(self, value: int) -> Option:
        ticked = value in self._ticked
        box = (TICKED, "bold") if ticked else (UNTICKED, "")
        return Option(Text.assemble(box, inert(self._labels[value])), id=str(value))

    @property
    def selected(self) -> list[int]:
        """The ticked values, in display order."""
        return [value for value in self._values if value in self._ticked]

    def set_ticked(self, value: int, ticked: bool) -> None:
        if (value in self._ticked) != ticked:
            self.toggle(value)

    def toggle(self, value: int) -> None:
        self._ticked ^= {value}
        self.replace_option_prompt(str(value), self._option(value).prompt)

    def action_select(self) -> None:  # space or a click: tick or untick
        if self.highlighted is not None:
            self.toggle(self._values[self.highlighted])

    def action_done(self) -> None:
        self.post_message(self.Done(self))
