"""Filling a DataTable from the supervisor's figures (services.reports.tables) or plain rows:
every cell a `Text` written as it is (no markup), numbers flush right, the cursor kept."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

from relance_tui.services.reports import tables
from relance_tui.tui.plain import plain


def fill_table(widget: DataTable[Text], table: tables.Table) -> None:
    row = widget.cursor_row
    widget.clear(columns=True)
    for column in table.columns:
        title = Text(column.title, justify="left" if column.kind == tables.Kind.TEXT else "right")
        widget.add_column(title, key=column.name)
    for n, texts in enumerate(table.texts(tables.cell_text)):
        cells = [
            plain(text, justify="left" if col.kind == tables.Kind.TEXT else "right")
            for text, col in zip(texts, table.columns, strict=True)
        ]
        widget.add_row(*cells, key=str(n))
    if widget.row_count:
        widget.move_cursor(row=min(row, widget.row_count - 1))


def fill_plain(
    widget: DataTable[Text],
    columns: tuple[tuple[str, str], ...],
    rows: Sequence[tuple[str, ...]],
    *,
    right: set[str],
) -> None:
    """`columns`: (name, title); the columns named in `right` flush right."""
    row = widget.cursor_row
    widget.clear(columns=True)
    for name, title in columns:
        widget.add_column(Text(title, justify="right" if name in right else "left"), key=name)
    for n, cells in enumerate(rows):
        widget.add_row(
            *[
                plain(c, justify="right" if name in right else "left")
                for c, (name, _) in zip(cells, columns, strict=True)
            ],
            key=str(n),
        )
    if widget.row_count:
        widget.move_cursor(row=min(row, widget.row_count - 1))
