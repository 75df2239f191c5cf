"""`b` on the supervisor screen's workload tab: balance a portfolio's load.

First which portfolio (the whole book or one segment), then a preview read by the service —
how many cases go from whom to whom, and how many stay where they are (someone has them open,
or a callback is due today) — and `o` to make the moves or `n`/`Esc` to leave everything as
it is. Dismisses with how many cases moved, or None when nothing was written.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static

from relance_tui.domain.labels import SEGMENT_KEYS
from relance_tui.formatting import number
from relance_tui.i18n import t, tn
from relance_tui.services import reassignment
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.database import DatabaseFailed, database_work
from relance_tui.tui.plain import plain
from relance_tui.tui.widgets.bindings_footer import BindingsFooter
from relance_tui.tui.widgets.choice_list import ChoiceList

if TYPE_CHECKING:
    from relance_tui.tui.app import RelanceApp

WHOLE_BOOK = "*"


class BalanceDialog(TranslatedBindings, ModalScreen[int | None]):
    CSS_PATH: ClassVar = ["dialogs.tcss", "supervisor_reassign.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.cancel", id="balance.cancel"),
    ]

    class Planned(Message):
        def __init__(self, plan: reassignment.BalancePlan) -> None:
            super().__init__()
            self.plan = plan

    class Done(Message):
        def __init__(self, moved: int | None, error: str = "") -> None:
            super().__init__()
            self.moved = moved
            self.error = error

    def __init__(self) -> None:
        super().__init__(id="supervisor-balance")
        self.plan: reassignment.BalancePlan | None = None
        self.applying = False  # the moves are being written: Esc waits for them

    @property
    def relance(self) -> RelanceApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        portfolios = [("1", WHOLE_BOOK, t("supervisor_reassign.whole_book"))]
        portfolios += [
            (str(n), segment, t(SEGMENT_KEYS[segment])) for n, segment in enumerate(SEGMENT_KEYS, 2)
        ]
        with Vertical(classes="dialog", id="balance-dialog"):
            yield Static(Text(t("supervisor.balance_title")), classes="dialog-title")
            yield Static(
                Text(t("supervisor_reassign.which_portfolio")),
                classes="dialog-body",
                id="balance-body",
            )
            yield ChoiceList(portfolios, id="balance-portfolios")
            with VerticalScroll(id="balance-moves"):
                yield Static(id="balance-moves-text")
            yield Static(id="balance-summary")
            yield ChoiceList(
                [
                    ("o", "yes", t("supervisor.balance_yes")),
                    ("n", "no", t("supervisor.balance_no")),
                ],
                id="balance-confirm",
            )
        yield BindingsFooter()

    def on_mount(self) -> None:
        for hidden in ("#balance-moves", "#balance-summary", "#balance-confirm"):
            self.query_one(hidden).display = False
        self.query_one("#balance-portfolios", ChoiceList).focus()

    @on(OptionList.OptionSelected, "#balance-portfolios")
    def _portfolio_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        chosen = event.option.id
        segment = None if chosen == WHOLE_BOOK else chosen
        event.option_list.display = False
        self.query_one("#balance-body", Static).update(t("supervisor_reassign.planning"))
        self._plan(self.relance.agent_login, segment, self.relance.now())

    @database_work(group="supervisor-balance")
    def _plan(
        self, conn: sqlite3.Connection, by: str, segment: str | None, now: datetime
    ) -> Message:
        try:
            return self.Planned(
                reassignment.plan_balance(conn, by_login=by, segment=segment, now=now)
            )
        except reassignment.ReassignmentError as error:
            return self.Done(None, str(error))

    @on(Planned)
    def _planned(self, event: Planned) -> None:
        plan = self.plan = event.plan
        portfolio = (
            t(SEGMENT_KEYS[plan.segment])
            if plan.segment in SEGMENT_KEYS
            else t("supervisor_reassign.whole_book")
        )
        body = tn(
            "supervisor_reassign.preview", plan.cases, agents=number(plan.agents),
            portfolio=portfolio,
            staying=number(plan.staying),
        )  # fmt: skip
        if plan.unassigned:
            body += " " + tn("supervisor_reassign.unassigned_note", plan.unassigned)
        self.query_one("#balance-body", Static).update(plain(body))
        lines = [
            plain(
                tn("supervisor_reassign.move_line", move.count,
                   source=move.from_login or t("supervisor_reassign.nobody"),
                   target=move.to_login)
            )
            for move in plan.moves
        ]  # fmt: skip
        self.query_one("#balance-moves-text", Static).update(Text("\n").join(lines))
        summary = (
            tn("supervisor_reassign.moving", plan.moving)
            if plan.moves
            else t("supervisor_reassign.balanced")
        )
        self.query_one("#balance-summary", Static).update(Text(summary, style="bold"))
        self.query_one("#balance-moves").display = bool(plan.moves)
        self.query_one("#balance-summary").display = True
        confirm = self.query_one("#balance-confirm", ChoiceList)
        confirm.display = bool(plan.moves)
        confirm.select_value("no")
        confirm.focus()

    @on(OptionList.OptionSelected, "#balance-confirm")
    def _confirmed(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id != "yes" or self.plan is None:
            self.dismiss(None)
            return
        event.option_list.disabled = True
        self.applying = True
        self._apply(self.relance.agent_login, self.plan, self.relance.now())

    @database_work(group="supervisor-balance", interruptible=False)
    def _apply(
        self, conn: sqlite3.Connection, by: str, plan: reassignment.BalancePlan, now: datetime
    ) -> Message:
        try:
            return self.Done(reassignment.apply_balance(conn, plan, by_login=by, now=now))
        except reassignment.ReassignmentError as error:
            return self.Done(None, str(error))

    @on(Done)
    def _done(self, event: Done) -> None:
        if event.error:
            self.notify(event.error, title=t("supervisor.title"), severity="error", markup=False)
        self.dismiss(event.moved)

    def on_database_failed(self, event: DatabaseFailed) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        if not self.applying:
            self.dismiss(None)
