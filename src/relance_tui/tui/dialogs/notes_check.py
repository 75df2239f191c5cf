"""The notes check (GDPR): what was found in a free text, and a field to reword it.

Dismisses with {field: reworded text} once every text is clean, or None on Escape (nothing is
saved then: the call stays open).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from relance_tui.domain.notes_check import NOTE_CATEGORY_KEYS, NoteFinding, check_notes
from relance_tui.domain.text import inert
from relance_tui.i18n import t
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.widgets.bindings_footer import BindingsFooter


def highlighted(text: str, findings: tuple[NoteFinding, ...]) -> Text:
    """The text with each finding in reverse red, followed by its category."""
    text = inert(text, lines=True)  # one character for one: the findings' offsets still hold
    out = Text()
    position = 0
    for finding in findings:
        out.append(text[position : finding.start])
        out.append(text[finding.start : finding.end], style="bold reverse red")
        out.append(f" [{t(NOTE_CATEGORY_KEYS[finding.category])}]", style="red")
        position = finding.end
    out.append(text[position:])
    return out


# The free texts a record can carry (the names `services.casework.check_texts` is given).
TEXT_FIELD_KEYS: dict[str, str] = {
    "notes": "notes.field.notes",
    "recap": "notes.field.recap",
    "dispute_reason": "notes.field.dispute_reason",
    "callback_reason": "notes.field.callback_reason",
}


class NotesCheckDialog(TranslatedBindings, ModalScreen[dict[str, str] | None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.cancel", id="dialog.cancel"),
    ]

    def __init__(self, texts: Mapping[str, str]) -> None:
        super().__init__(id="notes-check")
        self.texts = dict(texts)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(t("notes.title")), classes="dialog-title")
            yield Static(Text(t("notes.explain")), classes="dialog-body")
            for name, text in self.texts.items():
                yield Label(t(TEXT_FIELD_KEYS[name]))
                yield Static(highlighted(text, check_notes(text)), id=f"found-{name}")
                yield Input(
                    value=text, id=f"reword-{name}", max_length=4000, compact=True,
                    classes="reword",
                )  # fmt: skip
            yield Static(id="notes-error", classes="error")
            yield Static(Text(t("notes.hint")), classes="hint")
        yield BindingsFooter()

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("reword-")
        self.query_one(f"#found-{name}", Static).update(
            highlighted(event.value, check_notes(event.value))
        )

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        index = inputs.index(event.input)
        if index + 1 < len(inputs):
            inputs[index + 1].focus()
            return
        result = {name: self.query_one(f"#reword-{name}", Input).value for name in self.texts}
        dirty = [name for name, text in result.items() if check_notes(text)]
        if dirty:
            self.query_one("#notes-error", Static).update(Text(t("notes.still_found")))
            self.query_one(f"#reword-{dirty[0]}", Input).focus()
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)
