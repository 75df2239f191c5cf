"""The figures as tables: the supervisor screen and `relance report` both show these, so the two
cannot disagree. Cells hold typed values (counts, cents, seconds, timestamps); `cell_text`
writes one for a person, `csv_text` for French Excel, `json_value` for a program.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from relance_tui.domain import kpi
from relance_tui.domain.clock import PARIS
from relance_tui.formatting import day, decimal, money, number
from relance_tui.i18n import t
from relance_tui.services.reports.activity import AgentFigures
from relance_tui.services.reports.portfolio import PortfolioFigures, PromiseFigures
from relance_tui.storage.agents import AgentRow


class Kind(StrEnum):
    TEXT = "text"
    COUNT = "count"
    MONEY = "money"  # cents
    SECONDS = "seconds"  # a duration
    MOMENT = "moment"  # a stored UTC timestamp
    DATE = "date"  # an ISO day
    PERCENT = "percent"  # a float, already ×100
    DAYS = "days"  # a float number of days


@dataclass(frozen=True, slots=True)
class Column:
    name: str  # the JSON key and CSV header's id
    title: str  # in the user's language
    kind: Kind


Cell = str | int | float | None


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    # A table of figures (label, value): each value has its own kind, one per row.
    value_kinds: tuple[Kind, ...] = ()
    names: tuple[str, ...] = ()  # the figures' ids (JSON keys), one per row

    def kind(self, row: int, column: int) -> Kind:
        if self.value_kinds and column == len(self.columns) - 1:
            return self.value_kinds[row]
        return self.columns[column].kind

    def texts(self, write: Callable[[Cell, Kind], str]) -> list[list[str]]:
        """Every cell written by `write` (cell_text, csv_text)."""
        return [
            [write(value, self.kind(r, c)) for c, value in enumerate(row)]
            for r, row in enumerate(self.rows)
        ]


REPORT_COLUMN_KEYS = {
    "agent": "report.col.agent",
    "name": "report.col.name",
    "calls": "report.col.calls",
    "right_party": "report.col.right_party",
    "wrong_person": "report.col.wrong_person",
    "wrong_number": "report.col.wrong_number",
    "voicemail": "report.col.voicemail",
    "no_answer": "report.col.no_answer",
    "refused": "report.col.refused",
    "promises": "report.col.promises",
    "promised": "report.col.promised",
    "plans": "report.col.plans",
    "planned": "report.col.planned",
    "disputes": "report.col.disputes",
    "emails": "report.col.emails",
    "letters": "report.col.letters",
    "callbacks_set": "report.col.callbacks_set",
    "callbacks_done": "report.col.callbacks_done",
    "callbacks_missed": "report.col.callbacks_missed",
    "cases": "report.col.cases",
    "collected": "report.col.collected",
    "first": "report.col.first",
    "last": "report.col.last",
    "talk": "report.col.talk",
    "handling": "report.col.handling",
    "figure": "report.col.figure",
    "value": "report.col.value",
    "kept_on_time": "report.col.kept_on_time",
    "kept_late": "report.col.kept_late",
    "partly_kept": "report.col.partly_kept",
    "broken": "report.col.broken",
    "pending": "report.col.pending",
    "kept_rate": "report.col.kept_rate",
    "promise_collected": "report.col.promise_collected",
    "reference": "report.col.reference",
    "debtor": "report.col.debtor",
    "overdue": "report.col.overdue",
    "oldest_due": "report.col.oldest_due",
}

REPORT_FIGURE_KEYS = {
    "not_due": "report.fig.not_due",
    "late_0_30": "report.fig.late_0_30",
    "late_31_60": "report.fig.late_31_60",
    "late_61_90": "report.fig.late_61_90",
    "late_90": "report.fig.late_90",
    "receivables": "report.fig.receivables",
    "overdue": "report.fig.overdue",
    "dso": "report.fig.dso",
    "cei": "report.fig.cei",
    "month_collected": "report.fig.month_collected",
    "kept_rate": "report.fig.kept_rate",
    "promised": "report.fig.promised",
    "promise_collected": "report.fig.promise_collected",
    "disputed": "report.fig.disputed",
    "disputes_open": "report.fig.disputes_open",
    "dispute_oldest": "report.fig.dispute_oldest",
    "dispute_average": "report.fig.dispute_average",
}


def _col(name: str, kind: Kind) -> Column:
    return Column(name, t(REPORT_COLUMN_KEYS[name]), kind)


# The figures a supervisor reads first come first (they show at 80 columns).
_DAILY = (
    ("agent", Kind.TEXT), ("name", Kind.TEXT), ("calls", Kind.COUNT),
    ("right_party", Kind.COUNT), ("promises", Kind.COUNT), ("promised", Kind.MONEY),
    ("plans", Kind.COUNT), ("planned", Kind.MONEY), ("disputes", Kind.COUNT),
    ("collected", Kind.MONEY), ("cases", Kind.COUNT), ("callbacks_set", Kind.COUNT),
    ("callbacks_done", Kind.COUNT), ("callbacks_missed", Kind.COUNT), ("emails", Kind.COUNT),
    ("letters", Kind.COUNT), ("wrong_person", Kind.COUNT), ("wrong_number", Kind.COUNT),
    ("voicemail", Kind.COUNT), ("no_answer", Kind.COUNT), ("refused", Kind.COUNT),
    ("first", Kind.MOMENT), ("last", Kind.MOMENT), ("talk", Kind.SECONDS),
    ("handling", Kind.SECONDS),
)  # fmt: skip


def _daily_row(line: AgentFigures, login: str, name: str) -> tuple[Cell, ...]:
    o = line.outcomes
    return (
        login, name, line.calls, o.get("right_party", 0), line.promises, line.promised_cents,
        line.plans, line.plan_cents, line.disputes, line.collected_cents, line.cases_touched,
        line.callbacks_set, line.callbacks_done, line.callbacks_missed, line.emails,
        line.letters, o.get("wrong_person", 0), o.get("wrong_number", 0), o.get("voicemail", 0),
        o.get("no_answer", 0), o.get("refused", 0), line.first_at, line.last_at,
        line.talk_seconds, line.handling_seconds,
    )  # fmt: skip


def daily_table(lines: list[AgentFigures], total: AgentFigures | None = None) -> Table:
    """One row per agent, and the team's total last when given."""
    rows = [_daily_row(line, line.login, line.name) for line in lines]
    if total is not None:
        rows.append(_daily_row(total, t("report.total"), ""))
    return Table(tuple(_col(n, k) for n, k in _DAILY), tuple(rows))


def _figures(items: list[tuple[str, Cell, Kind]]) -> Table:
    columns = (_col("figure", Kind.TEXT), _col("value", Kind.TEXT))
    rows = tuple((t(REPORT_FIGURE_KEYS[name]), value) for name, value, _kind in items)
    kinds = tuple(kind for _name, _value, kind in items)
    return Table(columns, rows, kinds, tuple(name for name, _value, _kind in items))


def portfolio_table(figures: PortfolioFigures) -> Table:
    b = figures.buckets
    p = figures.promises
    return _figures(
        [
            ("not_due", b["not_due"], Kind.MONEY),
            ("late_0_30", b["late_0_30"], Kind.MONEY),
            ("late_31_60", b["late_31_60"], Kind.MONEY),
            ("late_61_90", b["late_61_90"], Kind.MONEY),
            ("late_90", b["late_90"], Kind.MONEY),
            ("receivables", figures.receivables_cents, Kind.MONEY),
            ("overdue", figures.overdue_cents, Kind.MONEY),
            ("dso", figures.dso_days, Kind.DAYS),
            ("cei", figures.cei, Kind.PERCENT),
            ("month_collected", figures.month_collected_cents, Kind.MONEY),
            ("kept_rate", p.kept_rate, Kind.PERCENT),
            ("promised", p.promised_cents, Kind.MONEY),
            ("promise_collected", p.collected_cents, Kind.MONEY),
            ("disputed", figures.disputed_cents, Kind.MONEY),
            ("disputes_open", figures.disputes_open, Kind.COUNT),
            ("dispute_oldest", figures.dispute_oldest_days, Kind.COUNT),
            ("dispute_average", figures.dispute_average_days, Kind.COUNT),
        ]
    )


def top_table(figures: PortfolioFigures) -> Table:
    columns = (
        _col("reference", Kind.TEXT), _col("debtor", Kind.TEXT), _col("overdue", Kind.MONEY),
        _col("oldest_due", Kind.DATE), _col("agent", Kind.TEXT),
    )  # fmt: skip
    rows = tuple(
        (d.reference, d.name, d.overdue_cents, d.oldest_due, d.agent or "") for d in figures.top
    )
    return Table(columns, rows)


def promises_table(lines: list[tuple[AgentRow | None, PromiseFigures]]) -> Table:
    columns = (
        _col("agent", Kind.TEXT), _col("kept_on_time", Kind.COUNT), _col("kept_late", Kind.COUNT),
        _col("partly_kept", Kind.COUNT), _col("broken", Kind.COUNT), _col("pending", Kind.COUNT),
        _col("kept_rate", Kind.PERCENT), _col("promised", Kind.MONEY),
        _col("promise_collected", Kind.MONEY),
    )  # fmt: skip
    rows = []
    for agent, f in lines:
        who = agent.login if agent is not None else t("report.total")
        counts = tuple(f.results.get(name, 0) for name in kpi.PromiseResult)
        rows.append((who, *counts, f.kept_rate, f.promised_cents, f.collected_cents))
    return Table(columns, tuple(rows))


# --- Writing cells ----------------------------------------------------------------------------


def duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def cell_text(value: Cell, kind: Kind) -> str:
    """For a person, in the user's language; a figure that has no value (no first action, no
    rate without a decided promise) is a dash."""
    if value is None:
        return "—"
    match kind:
        case Kind.COUNT:
            return number(int(value))
        case Kind.MONEY:
            return money(int(value))
        case Kind.SECONDS:
            return duration(int(value))
        case Kind.MOMENT:
            return datetime.fromisoformat(str(value)).astimezone(PARIS).strftime("%d/%m %H:%M")
        case Kind.DATE:
            return day(str(value))
        case Kind.PERCENT:
            return decimal(float(value)) + "\u00a0%"
        case Kind.DAYS:
            return decimal(float(value))
    return str(value)


def csv_text(value: Cell, kind: Kind) -> str:
    """For French Excel: `1 234,56`, `24/11/2026`, decimal commas, no currency sign."""
    if value is None:
        return ""
    match kind:
        case Kind.MONEY:
            units, cents = divmod(abs(int(value)), 100)
            sign = "-" if int(value) < 0 else ""
            return f"{sign}{units:,}".replace(",", " ") + f",{cents:02d}"
        case Kind.COUNT | Kind.SECONDS:
            return str(int(value))
        case Kind.MOMENT:
            moment = datetime.fromisoformat(str(value)).astimezone(PARIS)
            return moment.strftime("%d/%m/%Y %H:%M")
        case Kind.DATE:
            return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        case Kind.PERCENT | Kind.DAYS:
            return decimal(float(value), language="fr")
    return str(value)


def json_value(value: Cell, kind: Kind) -> object:
    """For a program: money as a decimal string of euros, moments as stored (UTC ISO)."""
    if value is None:
        return None
    if kind is Kind.MONEY:
        return str(Decimal(int(value)).scaleb(-2))
    return value


def table_json(table: Table) -> object:
    """A table of figures as {figure: value}; any other as a list of {column: value}."""
    if table.names:
        return {
            name: json_value(row[-1], table.value_kinds[n])
            for n, (name, row) in enumerate(zip(table.names, table.rows, strict=True))
        }
    return [
        {
            col.name: json_value(value, col.kind)
            for col, value in zip(table.columns, row, strict=True)
        }
        for row in table.rows
    ]
