"""A small modal question answered with one key: confirmations, draft offered back, notes check.

Dismisses with the chosen value, or None on Escape.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static

from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.widgets.bindings_footer import BindingsFooter
from relance_tui.tui.widgets.choice_list import ChoiceList


class ChoiceDialog(TranslatedBindings, ModalScreen[str | None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.cancel", id="dialog.cancel"),
    ]

    def __init__(
        self,
        title: str,
        body: str | Text,
        choices: Sequence[tuple[str, str, str]],
        *,
        default: str | None = None,
        dialog_id: str | None = None,
    ) -> None:
        super().__init__(id=dialog_id)
        self._title = title
        self._body = body if isinstance(body, Text) else Text(body)
        self._choices = list(choices)
        self._default = default

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self._title), classes="dialog-title")
            yield Static(self._body, classes="dialog-body")
            yield ChoiceList(self._choices, id="choices")
        yield BindingsFooter()

    def on_mount(self) -> None:
        choices = self.query_one(ChoiceList)
        choices.select_value(self._default)
        choices.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
