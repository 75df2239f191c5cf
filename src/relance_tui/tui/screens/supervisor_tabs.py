"""The supervisor screen's live and workload tables, filled from `services.reports.live`."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from relance_tui.formatting import money_short, number
from relance_tui.i18n import t
from relance_tui.services.reports import live, tables
from relance_tui.tui.widgets.report_table import fill_plain

LIVE_COLUMN_KEYS = {
    "agent": "report.col.agent",
    "case": "supervisor.col.case",
    "held": "supervisor.col.held",
    "call": "supervisor.col.call",
    "last": "supervisor.col.last",
    "state": "supervisor.col.state",
}
WORKLOAD_COLUMN_KEYS = {
    "agent": "report.col.agent",
    "open": "supervisor.col.open",
    "urgent": "supervisor.col.urgent",
    "late": "supervisor.col.late_callbacks",
    "overdue": "report.col.overdue",
}


def _minutes(n: int | None) -> str:
    return t("supervisor.minutes", n=n) if n is not None else ""


def fill_live(table: DataTable[Text], lines: list[live.AgentNow]) -> None:
    columns = tuple((name, t(LIVE_COLUMN_KEYS[name])) for name in LIVE_COLUMN_KEYS)
    rows = []
    for line in lines:
        if line.idle:
            state = t("supervisor.state.idle")
        elif line.call_minutes is not None:
            state = t("supervisor.state.calling")
        elif line.case_id is not None:
            state = t("supervisor.state.busy")
        else:  # between two cases: on the queue, worked in the last minutes
            state = t("supervisor.state.active")
        rows.append(
            (
                line.login,
                f"{line.case_reference} {line.debtor_name}".strip(),
                _minutes(line.held_minutes),
                _minutes(line.call_minutes),
                tables.cell_text(line.last_activity, tables.Kind.MOMENT),
                state,
            )
        )
    fill_plain(table, columns, rows, right={"held", "call"})


def fill_workload(table: DataTable[Text], lines: list[live.AgentNow]) -> None:
    columns = tuple((name, t(WORKLOAD_COLUMN_KEYS[name])) for name in WORKLOAD_COLUMN_KEYS)
    rows = [
        (
            line.login,
            number(line.open_cases),
            number(line.urgent),
            number(line.late_callbacks),
            money_short(line.overdue_cents),
        )
        for line in lines
    ]
    fill_plain(table, columns, rows, right={"open", "urgent", "late", "overdue"})
