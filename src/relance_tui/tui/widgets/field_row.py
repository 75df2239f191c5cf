"""One line of a short form: a label and a one-line input (the checklist must fit 80×24)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label


class FieldRow(Horizontal):
    """`Label  [input]` on one line. The input's id is the row's `field_id`."""

    def __init__(
        self,
        label: str,
        field_id: str,
        *,
        value: str = "",
        placeholder: str = "",
        max_length: int = 200,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="field-row")
        self._label = label
        self._field_id = field_id
        self._value = value
        self._placeholder = placeholder
        self._max_length = max_length

    def compose(self) -> ComposeResult:
        yield Label(self._label, classes="field-label")
        yield Input(
            value=self._value,
            placeholder=self._placeholder,
            id=self._field_id,
            max_length=self._max_length,
            select_on_focus=True,
            compact=True,
        )
