"""The portfolio overview: money overdue by segment, by stage of the dunning ladder and by age.

Figures are read as database work (tui/database.py; services.overview, aggregates over the
cases table) and arrive as a message; `r` reads them again.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from relance_tui.domain.labels import SEGMENT_KEYS, STAGE_KEYS
from relance_tui.formatting import PARIS, money, money_short, number, percent
from relance_tui.i18n import t
from relance_tui.services.overview import Bucket, PortfolioOverview, portfolio_overview
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.database import DatabaseFailed, database_work
from relance_tui.tui.widgets.bindings_footer import BindingsFooter


class PortfolioLoaded(Message):
    def __init__(self, overview: PortfolioOverview) -> None:
        super().__init__()
        self.overview = overview


TABLE_TITLE_KEYS: dict[str, str] = {
    "by-segment": "portfolio.by_segment",
    "by-age": "portfolio.by_age",
    "by-stage": "portfolio.by_stage",
}
TABLE_HEADER_KEYS: dict[str, str] = {
    "by-segment": "portfolio.by_segment_header",
    "by-age": "portfolio.by_age_header",
    "by-stage": "portfolio.by_stage_header",
}
AGE_BAND_LABEL_KEYS: dict[str, str] = {
    "0_30": "portfolio.age.0_30",
    "31_60": "portfolio.age.31_60",
    "61_90": "portfolio.age.61_90",
    "90_plus": "portfolio.age.90_plus",
    "disputed": "portfolio.age.disputed",
}
# Each table's rows: a bucket's key → its label.
BUCKET_LABEL_KEYS: dict[str, dict[str, str]] = {
    "by-segment": SEGMENT_KEYS,
    "by-age": AGE_BAND_LABEL_KEYS,
    "by-stage": STAGE_KEYS,
}


class PortfolioScreen(TranslatedBindings, Screen[None]):
    CSS_PATH = "overview.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 (Textual's API)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back", id="portfolio.back"),
        Binding("r", "reload", "key.portfolio_reload", id="portfolio.reload"),
    ]

    def __init__(self, *, agent_login: str, today: date | None = None) -> None:
        super().__init__()
        self.agent_login = agent_login
        self.fixed_today = today
        self.overview: PortfolioOverview | None = None

    def compose(self) -> ComposeResult:
        # Not Textual's Header: it fails when the screen goes before its title is set (a
        # quick `o` then Esc crashed the app).
        yield Static(t("portfolio.title"), id="portfolio-title", markup=False)
        with VerticalScroll(id="portfolio-body"):
            yield Static(t("portfolio.loading"), id="portfolio-summary", markup=False)
            with Container(id="portfolio-tables"):
                with Vertical(id="portfolio-left"):
                    yield self._table("by-segment")
                    yield self._table("by-age")
                yield self._table("by-stage")
        yield BindingsFooter()

    def _table(self, table_id: str) -> DataTable[Text]:
        table: DataTable[Text] = DataTable(id=table_id, show_cursor=False, zebra_stripes=True)
        table.can_focus = False
        table.border_title = t(TABLE_TITLE_KEYS[table_id])
        table.add_column(t(TABLE_HEADER_KEYS[table_id]), key="label")
        table.add_column(Text(t("portfolio.cases"), justify="right"), key="cases")
        table.add_column(Text(t("portfolio.overdue"), justify="right"), key="overdue")
        table.add_column(Text(t("portfolio.share"), justify="right"), key="share")
        return table

    def on_mount(self) -> None:
        self.action_reload()

    def action_back(self) -> None:
        self.dismiss()

    def action_reload(self) -> None:
        self.load_overview(self.today)  # the clock is read here, on the UI thread

    @property
    def today(self) -> date:
        """The business day: fixed by the caller, else the app's clock, else Paris time."""
        if self.fixed_today is not None:
            return self.fixed_today
        app_today = getattr(self.app, "today", None)
        if callable(app_today):
            value = app_today()
            if isinstance(value, date):
                return value
        return datetime.now(PARIS).date()

    @database_work(group="portfolio")
    def load_overview(self, conn: sqlite3.Connection, today: date) -> PortfolioLoaded:
        return PortfolioLoaded(portfolio_overview(conn, today=today, agent_login=self.agent_login))

    def on_database_failed(self, message: DatabaseFailed) -> None:
        self.query_one("#portfolio-summary", Static).update(t("portfolio.failed"))

    def on_portfolio_loaded(self, message: PortfolioLoaded) -> None:
        overview = self.overview = message.overview
        counts = overview.counts
        scope = (
            t("portfolio.scope_agent", login=overview.scope_login)
            if overview.scope_login
            else t("portfolio.scope_all")
        )
        title = f"{t('portfolio.title')} — {scope}"
        self.query_one("#portfolio-title", Static).update(title)
        lines = [
            t(
                "portfolio.summary_money",
                overdue=money(counts.overdue_cents),
                disputed=money(counts.disputed_cents),
            ),
            t(
                "portfolio.summary_counts",
                debtors=number(counts.debtors),
                cases=number(counts.open_cases),
                invoices=number(counts.overdue_invoices),
            ),
            t(
                "portfolio.summary_team",
                agents=number(counts.agents),
                unassigned=number(counts.unassigned_cases),
            ),
            t(
                "portfolio.summary_today",
                callbacks=number(counts.callbacks_due),
                promises=number(counts.promises_today),
                broken=number(counts.promises_broken),
            ),
        ]
        self.query_one("#portfolio-summary", Static).update("\n".join(lines))
        total = counts.overdue_cents
        self._fill("by-segment", overview.by_segment, total)
        self._fill("by-age", overview.by_age, total)
        self._fill("by-stage", overview.by_stage, total)

    def _fill(self, table_id: str, buckets: tuple[Bucket, ...], total: int) -> None:
        table: DataTable[Text] = self.query_one(f"#{table_id}", DataTable)
        table.clear()
        for bucket in buckets:
            share = percent(bucket.overdue_cents / total) if total else "—"
            table.add_row(
                Text(t(BUCKET_LABEL_KEYS[table_id][bucket.key])),
                Text(number(bucket.cases), justify="right"),
                Text(money_short(bucket.overdue_cents), justify="right"),
                Text(share, justify="right"),
                key=bucket.key,
            )
