"""The supervisor screen's portfolio tab: the aged balance as bars, the figures, the 30-day
trends as Textual's own `Sparkline` (one line each, no dependency, 16 colours), the top
debtors, and how each figure is computed."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Sparkline, Static

from relance_tui.domain import kpi
from relance_tui.formatting import money_short, number
from relance_tui.i18n import t
from relance_tui.services.reports import portfolio, tables
from relance_tui.tui.widgets.aged_bars import AgedBars
from relance_tui.tui.widgets.report_table import fill_table

BUCKET_KEYS = {
    "not_due": "report.fig.not_due",
    "late_0_30": "report.fig.late_0_30",
    "late_31_60": "report.fig.late_31_60",
    "late_61_90": "report.fig.late_61_90",
    "late_90": "report.fig.late_90",
}
TREND_KEYS = {
    "calls": "supervisor.trend.calls",
    "collected": "supervisor.trend.collected",
    "promised": "supervisor.trend.promised",
    "overdue": "supervisor.trend.overdue",
}
HOW_KEYS = {
    "aged": "supervisor.how.aged",
    "dso": "supervisor.how.dso",
    "cei": "supervisor.how.cei",
    "promises": "supervisor.how.promises",
    "disputes": "supervisor.how.disputes",
    "agents": "supervisor.how.agents",
}


class PortfolioHealth(VerticalScroll):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.top: tuple[portfolio.TopDebtor, ...] = ()

    def compose(self) -> ComposeResult:
        with Horizontal(id="health-top"):
            with Vertical(id="health-aged"):
                yield Static(t("supervisor.aged_title"), classes="section")
                yield AgedBars(id="aged-bars")
            yield Static(t("supervisor.loading"), id="health-figures", markup=False)
        yield Static(t("supervisor.trends_title"), classes="section")
        for name in TREND_KEYS:
            with Horizontal(classes="trend"):
                yield Static(t(TREND_KEYS[name]), classes="trend-label")
                yield Sparkline([], id=f"trend-{name}")
                yield Static(id=f"trend-{name}-last", classes="trend-last")
        yield Static(t("supervisor.top_title"), classes="section")
        table: DataTable[Text] = DataTable(id="top-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(t("supervisor.how_title"), classes="section")
        yield Static("\n".join(t(HOW_KEYS[name]) for name in HOW_KEYS), id="health-how")

    def selected_case(self) -> int | None:
        """The case of the top debtor under the cursor."""
        if not self.top:
            return None
        row = self.query_one("#top-table", DataTable).cursor_row
        return self.top[min(row, len(self.top) - 1)].case_id

    def show(self, health: portfolio.PortfolioFigures) -> None:
        self.top = health.top
        self.query_one(AgedBars).show([(t(BUCKET_KEYS[b]), health.buckets[b]) for b in kpi.BUCKETS])
        figures = tables.portfolio_table(health).texts(tables.cell_text)
        wanted = {
            "receivables",
            "overdue",
            "dso",
            "cei",
            "month_collected",
            "kept_rate",
            "promised",
            "promise_collected",
            "disputed",
            "dispute_oldest",
        }
        table = tables.portfolio_table(health)
        lines = [
            f"{row[0]} : {row[1]}"
            for name, row in zip(table.names, figures, strict=True)
            if name in wanted
        ]
        self.query_one("#health-figures", Static).update("\n".join(lines))
        trends = health.trends
        series = {
            "calls": [float(v) for v in trends.calls],
            "collected": [v / 100 for v in trends.collected_cents],
            "promised": [v / 100 for v in trends.promised_cents],
            "overdue": [(v or 0) / 100 for v in trends.overdue_cents],
        }
        lasts = {
            "calls": number(trends.calls[-1]),
            "collected": money_short(trends.collected_cents[-1]),
            "promised": money_short(trends.promised_cents[-1]),
            "overdue": money_short(trends.overdue_cents[-1] or 0),
        }
        for name, values in series.items():
            self.query_one(f"#trend-{name}", Sparkline).data = values
            self.query_one(f"#trend-{name}-last", Static).update(lasts[name])
        fill_table(self.query_one("#top-table", DataTable), tables.top_table(health))
