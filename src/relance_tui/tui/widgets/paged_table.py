"""A DataTable that holds one page of a long list (a debtor's invoices, a case's history).

The screen owns the data: the table posts `PageRequested(offset)` and the screen answers with
`show_page` after reading that page in a worker. Nothing here loads more than one page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message

from relance_tui.i18n import tn
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.widgets.fitted_table import Cell, ColumnFit, FittedTable


class PagedTable(TranslatedBindings, FittedTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right", "next_page", "key.next_page", id="case.next_page"),
        Binding("left", "previous_page", "key.previous_page", id="case.previous_page"),
        Binding("j", "cursor_down", id="case.down", show=False),
        Binding("k", "cursor_up", id="case.up", show=False),
    ]

    class PageRequested(Message):
        def __init__(self, table: PagedTable, offset: int) -> None:
            super().__init__()
            self.table = table
            self.offset = offset

        @property
        def control(self) -> PagedTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[tuple[str, str]],
        fit: ColumnFit,
        *,
        page_size: int = 50,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(columns, fit, id=id, classes=classes)
        self.page_size = page_size
        self.page_offset = 0
        self.page_total = 0

    def show_page(self, rows: Sequence[Sequence[Cell]], offset: int, total: int) -> None:
        self.page_offset = offset
        self.page_total = total
        self.set_rows(rows[: self.page_size])
        pages = max(1, -(-total // self.page_size))
        self.border_subtitle = tn(
            "casefile.page", total, page=offset // self.page_size + 1, pages=pages
        )

    def show_nothing(self) -> None:
        """Empty, as mounted (no page, no page count)."""
        self.page_offset = 0
        self.page_total = 0
        self.set_rows([])
        self.border_subtitle = None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_page":
            return self.page_offset + self.page_size < self.page_total
        if action == "previous_page":
            return self.page_offset > 0
        return True

    def action_next_page(self) -> None:
        if self.page_offset + self.page_size < self.page_total:
            self.post_message(self.PageRequested(self, self.page_offset + self.page_size))

    def action_previous_page(self) -> None:
        if self.page_offset > 0:
            self.post_message(self.PageRequested(self, max(0, self.page_offset - self.page_size)))
