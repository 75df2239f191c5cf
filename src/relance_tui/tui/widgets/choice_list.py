"""A short list of choices answered with one key (`1`…`9` or a letter), arrows and Enter.

Choosing posts `OptionList.OptionSelected`; the option's id is the value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class ChoiceList(OptionList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", id="choice.down", show=False),
        Binding("k", "cursor_up", id="choice.up", show=False),
    ]

    def __init__(
        self,
        choices: Iterable[tuple[str, str, str]],
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """`choices`: (hotkey, value, label) in display order."""
        self._hotkeys: dict[str, int] = {}
        options: list[Option] = []
        for index, (hotkey, value, label) in enumerate(choices):
            self._hotkeys[hotkey] = index
            prompt = Text.assemble((f"{hotkey} ", "bold"), label)
            options.append(Option(prompt, id=value))
        super().__init__(*options, id=id, classes=classes)

    def select_value(self, value: str | None) -> None:
        """Highlight the option with this value (without choosing it)."""
        if value is None:
            return
        for index in range(self.option_count):
            if self.get_option_at_index(index).id == value:
                self.highlighted = index
                return

    async def _on_key(self, event: events.Key) -> None:
        index = self._hotkeys.get(event.character or "")
        if index is None:
            return
        event.stop()
        event.prevent_default()
        self.highlighted = index
        self.action_select()
