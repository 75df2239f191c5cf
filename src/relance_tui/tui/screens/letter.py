"""`l` on the case: preview the letter of the case's next step (or another kind, `k`) as text,
and produce it (`enter`): the PDF is written and the letter recorded in the case's history."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from relance_tui.config import Settings
from relance_tui.formatting import PARIS
from relance_tui.i18n import t
from relance_tui.services.dunning_batch import letters_folder
from relance_tui.services.letter_actions import preview_letter, produce_letter
from relance_tui.services.notices import KINDS
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.database import DatabaseFailed, database_work
from relance_tui.tui.plain import plain
from relance_tui.tui.widgets.bindings_footer import BindingsFooter

if TYPE_CHECKING:
    from relance_tui.tui.app import RelanceApp


LETTER_KIND_KEYS = {
    "pre_reminder": "letter.kinds.pre_reminder",
    "friendly_reminder": "letter.kinds.friendly_reminder",
    "second_reminder": "letter.kinds.second_reminder",
    "registered_reminder": "letter.kinds.registered_reminder",
    "formal_notice": "letter.kinds.formal_notice",
    "formal_notice_consumer": "letter.kinds.formal_notice_consumer",
    "consumer_agency_first": "letter.kinds.consumer_agency_first",
    "plan_confirmation": "letter.kinds.plan_confirmation",
    "promise_confirmation": "letter.kinds.promise_confirmation",
    "injonction_file": "letter.kinds.injonction_file",
}


class LetterScreen(TranslatedBindings, ModalScreen[bool]):
    CSS_PATH = "letter.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "key.back", id="letter.close"),
        Binding("enter", "produce", "key.letter_produce", id="letter.produce"),
        Binding("k", "next_kind", "key.letter_kind", id="letter.kind"),
    ]

    class Previewed(Message):
        def __init__(self, kind: str, text: str) -> None:
            super().__init__()
            self.kind = kind
            self.text = text

    class Produced(Message):
        def __init__(self, path: str, reference: str) -> None:
            super().__init__()
            self.path = path
            self.reference = reference

    def __init__(self, case_id: int, debtor_name: str) -> None:
        super().__init__()
        self.case_id = case_id
        self.debtor_name = debtor_name
        self.kind: str | None = None
        self.produced = False
        self.busy = False

    @property
    def relance(self) -> RelanceApp:
        return self.app  # type: ignore[return-value]

    def today(self) -> date:
        return self.relance.now().astimezone(PARIS).date()

    def compose(self) -> ComposeResult:
        with Vertical(id="letter-dialog"):
            yield Static(plain(self.debtor_name), id="letter-title")
            yield Static(id="letter-kind")
            with VerticalScroll(id="letter-body"):
                yield Static(Text(t("letter.loading")), id="letter-text")
            yield Static(id="letter-status")
        yield BindingsFooter()

    def on_mount(self) -> None:
        self._preview(self.case_id, self.relance.settings, self.today(), None)

    @database_work(group="letter-preview")
    def _preview(
        self,
        conn: sqlite3.Connection,
        case_id: int,
        settings: Settings,
        today: date,
        kind: str | None,
    ) -> Previewed:
        found, text = preview_letter(conn, case_id, today=today, settings=settings, kind=kind)
        return self.Previewed(found, text)

    @database_work(group="letter-produce", interruptible=False)
    def _produce(
        self,
        conn: sqlite3.Connection,
        case_id: int,
        settings: Settings,
        today: date,
        kind: str,
        login: str,
    ) -> Produced:
        made = produce_letter(
            conn, case_id, today=today, settings=settings, login=login,
            folder=letters_folder(settings), kind=kind,
        )  # fmt: skip
        return self.Produced(str(made.path), made.reference)

    @on(Previewed)
    def _show(self, event: Previewed) -> None:
        self.kind = event.kind
        self.query_one("#letter-kind", Static).update(
            Text(t("letter.kind", kind=t(LETTER_KIND_KEYS[event.kind])))
        )
        self.query_one("#letter-text", Static).update(Text(event.text))

    @on(Produced)
    def _made(self, event: Produced) -> None:
        self.busy = False
        self.produced = True
        self.query_one("#letter-status", Static).update(
            Text(t("letters.made", path=event.path, reference=event.reference))
        )

    def on_database_failed(self, event: DatabaseFailed) -> None:
        self.busy = False
        self.query_one("#letter-status", Static).update(Text(str(event.error)))

    def action_next_kind(self) -> None:
        if self.kind is None or self.busy:
            return
        following = KINDS[(KINDS.index(self.kind) + 1) % len(KINDS)]
        self._preview(self.case_id, self.relance.settings, self.today(), following)

    def action_produce(self) -> None:
        if self.kind is None or self.busy:
            return
        self.busy = True
        self._produce(
            self.case_id, self.relance.settings, self.today(), self.kind, self.relance.agent_login
        )

    def action_close(self) -> None:
        self.dismiss(self.produced)
