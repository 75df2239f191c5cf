"""`b`: bank credits no rule could match, for supervisors. Pick a credit, search its debtor,
pick the invoices it pays (several: the credit is split over them, oldest first, each up to its
balance; what is left is a credit on the debtor), `v` to record it. The payer's name and IBAN are
remembered for that debtor: the next statement matches them by itself. `h` shows the credits
matched last, each with why, and `u` undoes one."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from relance_tui.config import Settings
from relance_tui.domain.matching import MATCH_RULE_KEYS
from relance_tui.formatting import day, money
from relance_tui.i18n import t
from relance_tui.services.permissions import NotAllowedError
from relance_tui.services.statements import decisions
from relance_tui.services.statements.decisions import Credit, DebtorChoice, InvoiceChoice
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.database import database_work
from relance_tui.tui.plain import plain
from relance_tui.tui.widgets.bindings_footer import BindingsFooter

if TYPE_CHECKING:
    from relance_tui.tui.app import RelanceApp

PAGE = 500


class UnmatchedScreen(TranslatedBindings, Screen[None]):
    CSS_PATH = "unmatched.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back", id="unmatched.back"),
        Binding("slash", "search", "unmatched.key.search", id="unmatched.search"),
        Binding("space", "pick", "unmatched.key.pick", id="unmatched.pick"),
        Binding("v", "match", "unmatched.key.match", id="unmatched.match"),
        Binding("h", "toggle_matched", "unmatched.key.toggle", id="unmatched.toggle"),
        Binding("u", "undo", "unmatched.key.undo", id="unmatched.undo"),
        Binding("r", "refresh", "key.refresh", id="unmatched.refresh"),
        Binding("tab", "focus_next", "unmatched.key.next_list", id="unmatched.next", show=False),
    ]

    class Credits(Message):
        def __init__(self, credits: list[Credit], count: int) -> None:
            super().__init__()
            self.credits = credits
            self.count = count

    class Debtors(Message):
        def __init__(self, debtors: list[DebtorChoice]) -> None:
            super().__init__()
            self.debtors = debtors

    class Invoices(Message):
        def __init__(self, invoices: list[InvoiceChoice]) -> None:
            super().__init__()
            self.invoices = invoices

    class Done(Message):
        def __init__(self, error: str | None) -> None:
            super().__init__()
            self.error = error

    def __init__(self) -> None:
        super().__init__()
        self.credits: list[Credit] = []
        self.debtors: list[DebtorChoice] = []
        self.invoices: list[InvoiceChoice] = []
        self.picked: set[int] = set()
        self.debtor: DebtorChoice | None = None
        self.showing_matched = False  # `h`: the credits matched last, to undo one (`u`)

    @property
    def relance(self) -> RelanceApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(Text(t("unmatched.title")), id="unmatched-title")
        credits: DataTable[str | Text] = DataTable(id="unmatched-credits", cursor_type="row")
        credits.add_columns(
            t("unmatched.col.date"), t("unmatched.col.amount"), t("unmatched.col.payer"),
            t("unmatched.col.label"),
        )  # fmt: skip
        yield credits
        yield Static(id="unmatched-detail")
        yield Input(placeholder=t("unmatched.search_placeholder"), id="unmatched-search")
        with Horizontal(id="unmatched-lower"):
            debtors: DataTable[str | Text] = DataTable(id="unmatched-debtors", cursor_type="row")
            debtors.add_columns(
                t("unmatched.col.reference"), t("unmatched.col.debtor"), t("unmatched.col.owed")
            )
            yield debtors
            invoices: DataTable[str | Text] = DataTable(id="unmatched-invoices", cursor_type="row")
            invoices.add_columns(
                " ", t("unmatched.col.invoice"), t("unmatched.col.due"),
                t("unmatched.col.balance"), t("unmatched.col.share"),
            )  # fmt: skip
            yield invoices
        yield Static(id="unmatched-status")
        yield BindingsFooter()

    def on_mount(self) -> None:
        self._load()

    # --- reading ----------------------------------------------------------------------------

    def _load(self) -> None:
        if self.showing_matched:
            self._read_matched(self.relance.agent_login)
        else:
            self._read_credits(self.relance.agent_login)

    @database_work(group="unmatched-credits")
    def _read_matched(self, conn: sqlite3.Connection, login: str) -> Message:
        try:
            credits = decisions.matched(conn, login, limit=PAGE)
        except NotAllowedError as error:
            return self.Done(str(error))
        return self.Credits(credits, len(credits))

    @database_work(group="unmatched-credits")
    def _read_credits(self, conn: sqlite3.Connection, login: str) -> Message:
        try:
            credits, count = decisions.unmatched(conn, login, limit=PAGE)
        except NotAllowedError as error:
            return self.Done(str(error))
        return self.Credits(credits, count)

    @database_work(group="unmatched-debtors")
    def _read_debtors(self, conn: sqlite3.Connection, login: str, text: str) -> Debtors:
        return self.Debtors(decisions.find_debtors(conn, login, text))

    @database_work(group="unmatched-invoices")
    def _read_invoices(self, conn: sqlite3.Connection, login: str, debtor_id: int) -> Invoices:
        return self.Invoices(decisions.open_invoices(conn, login, debtor_id))

    @on(Credits)
    def _credits(self, event: Credits) -> None:
        self.credits = event.credits
        table: DataTable[str | Text] = self.query_one("#unmatched-credits", DataTable)
        table.clear()
        for credit in self.credits:
            what = plain(credit.label or credit.remittance)
            if credit.rule is not None:
                what = plain(f"{t(MATCH_RULE_KEYS[credit.rule])} : {credit.reason}")
            table.add_row(
                day(credit.booked_on), Text(money(credit.cents), justify="right"),
                plain(credit.payer_name), what,
            )  # fmt: skip
        title = (
            t("unmatched.title_matched", count=event.count)
            if self.showing_matched
            else t("unmatched.title_count", count=event.count)
        )
        self.query_one("#unmatched-title", Static).update(Text(title))
        self._show_detail()
        if self.showing_matched:
            self._status(t("unmatched.hint_matched"))
        else:
            self._status(t("unmatched.empty") if not self.credits else t("unmatched.hint"))
        table.focus()

    @on(Debtors)
    def _debtors(self, event: Debtors) -> None:
        self.debtors = event.debtors
        table: DataTable[str | Text] = self.query_one("#unmatched-debtors", DataTable)
        table.clear()
        for debtor in self.debtors:
            table.add_row(
                plain(debtor.reference), plain(debtor.name),
                Text(money(debtor.overdue_cents), justify="right"),
            )  # fmt: skip
        if self.debtors:
            table.focus()
        else:
            self._status(t("unmatched.no_debtor"))

    @on(Invoices)
    def _invoices(self, event: Invoices) -> None:
        self.invoices = event.invoices
        self.picked = set()
        self._show_invoices()
        self.query_one("#unmatched-invoices", DataTable).focus()

    @on(Done)
    def _done(self, event: Done) -> None:
        if event.error:
            self.notify(event.error, severity="error", markup=False)
            if not self.credits:
                self.dismiss()
            return
        self.notify(
            t("unmatched.undone" if self.showing_matched else "unmatched.matched"), markup=False
        )
        self.debtor, self.invoices, self.picked = None, [], set()
        self._show_invoices()
        self._load()

    # --- what is shown ----------------------------------------------------------------------

    def _credit(self) -> Credit | None:
        table: DataTable[str | Text] = self.query_one("#unmatched-credits", DataTable)
        row = table.cursor_row
        return self.credits[row] if 0 <= row < len(self.credits) else None

    def _status(self, text: str) -> None:
        self.query_one("#unmatched-status", Static).update(Text(text))

    def _show_detail(self) -> None:
        credit = self._credit()
        detail = Text()
        if credit is not None:
            detail = plain(" · ".join(
                part for part in (credit.label, credit.remittance, credit.payer_iban) if part
            ))  # fmt: skip
        self.query_one("#unmatched-detail", Static).update(detail)

    def _shares(self) -> list[tuple[int, int]]:
        credit = self._credit()
        chosen = [invoice for invoice in self.invoices if invoice.id in self.picked]
        return decisions.split(credit.cents, chosen) if credit is not None else []

    def _show_invoices(self) -> None:
        table: DataTable[str | Text] = self.query_one("#unmatched-invoices", DataTable)
        cursor = table.cursor_row
        table.clear()
        shares = dict(self._shares())
        for invoice in self.invoices:
            share = shares.get(invoice.id)
            table.add_row(
                "✓" if invoice.id in self.picked else " ", plain(invoice.number),
                day(invoice.due_on), Text(money(invoice.balance_cents), justify="right"),
                Text(money(share), justify="right") if share else "",
            )  # fmt: skip
        if self.invoices:
            table.move_cursor(row=min(max(cursor, 0), len(self.invoices) - 1))
        credit = self._credit()
        if credit is not None and self.debtor is not None:
            left = credit.cents - sum(shares.values())
            self._status(t("unmatched.plan", debtor=self.debtor.name, paid=money(
                sum(shares.values())), left=money(left)))  # fmt: skip

    @on(DataTable.RowHighlighted, "#unmatched-credits")
    def _credit_moved(self) -> None:
        self._show_detail()
        if self.debtor is not None:
            self._show_invoices()

    @on(DataTable.RowSelected, "#unmatched-credits")
    def _credit_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_search()

    @on(Input.Submitted, "#unmatched-search")
    def _search(self, event: Input.Submitted) -> None:
        event.stop()
        self._read_debtors(self.relance.agent_login, event.value)

    @on(DataTable.RowSelected, "#unmatched-debtors")
    def _debtor_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        row = event.cursor_row
        if 0 <= row < len(self.debtors):
            self.debtor = self.debtors[row]
            self._read_invoices(self.relance.agent_login, self.debtor.id)

    @on(DataTable.RowSelected, "#unmatched-invoices")
    def _invoice_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_pick()

    # --- actions ------------------------------------------------------------------------------

    def action_search(self) -> None:
        self.query_one("#unmatched-search", Input).focus()

    def action_toggle_matched(self) -> None:
        self.showing_matched = not self.showing_matched
        self.debtor, self.debtors, self.invoices, self.picked = None, [], [], set()
        self.query_one("#unmatched-debtors", DataTable).clear()
        self._show_invoices()
        self._load()

    def action_undo(self) -> None:
        credit = self._credit()
        if not self.showing_matched or credit is None:
            self._status(t("unmatched.undo_where"))
            return
        app = self.relance
        self._undo(app.agent_login, credit.id, app.settings, app.now())

    @database_work(group="unmatched-resolve", interruptible=False)
    def _undo(
        self,
        conn: sqlite3.Connection,
        login: str,
        movement_id: int,
        settings: Settings,
        now: datetime,
    ) -> Done:
        try:
            decisions.undo(conn, login, movement_id, settings=settings, now=now)
        except (decisions.MatchError, NotAllowedError) as error:
            return self.Done(t("unmatched.failed", detail=str(error)))
        return self.Done(None)

    def action_pick(self) -> None:
        table: DataTable[str | Text] = self.query_one("#unmatched-invoices", DataTable)
        row = table.cursor_row
        if not (0 <= row < len(self.invoices)):
            return
        invoice_id = self.invoices[row].id
        self.picked ^= {invoice_id}
        self._show_invoices()

    def action_match(self) -> None:
        credit = self._credit()
        if credit is None or self.debtor is None or self.showing_matched:
            self._status(t("unmatched.need_debtor"))
            return
        app = self.relance
        self._resolve(app.agent_login, credit.id, self.debtor.id, self._shares(), app.settings,
                      app.now())  # fmt: skip

    @database_work(group="unmatched-resolve", interruptible=False)
    def _resolve(
        self,
        conn: sqlite3.Connection,
        login: str,
        movement_id: int,
        debtor_id: int,
        shares: list[tuple[int, int]],
        settings: Settings,
        now: datetime,
    ) -> Done:
        try:
            decisions.resolve(
                conn, login, movement_id, debtor_id=debtor_id, shares=shares,
                settings=settings, now=now,
            )  # fmt: skip
        except (decisions.MatchError, NotAllowedError) as error:
            return self.Done(t("unmatched.failed", detail=str(error)))
        return self.Done(None)

    def action_refresh(self) -> None:
        self._load()

    def action_back(self) -> None:
        self.dismiss()
