"""A reason asked for before something is held (the dunning review's `h`): one line, checked by
the notes check like every free text, Enter to confirm. Dismisses with the reason, or None."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from relance_tui.i18n import t
from relance_tui.services.casework import check_texts
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.widgets.bindings_footer import BindingsFooter
from relance_tui.tui.widgets.field_row import FieldRow


class ReasonDialog(TranslatedBindings, ModalScreen[str | None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.cancel", id="dialog.cancel"),
    ]

    def __init__(self, title: str, body: str, label: str, *, dialog_id: str | None = None) -> None:
        super().__init__(id=dialog_id)
        self._title = title
        self._body = body
        self._label = label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self._title), classes="dialog-title")
            yield Static(Text(self._body), classes="dialog-body")
            yield FieldRow(self._label, "reason")
            yield Static(id="dialog-error", classes="error", markup=False)
            yield Static(Text(t("dunning_review.reason_hint")), classes="hint")
        yield BindingsFooter()

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        reason = event.value.strip()
        error = self.query_one("#dialog-error", Static)
        if not reason:
            error.update(t("dunning_review.no_reason"))
            return
        found = check_texts(reason=reason).get("reason", ())
        if found:
            words = ", ".join(f"« {item.word} »" for item in found)
            error.update(t("dunning_review.reason_flagged", words=words))
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)
