"""A DataTable whose columns fit its width: long text is cut with `…`, then columns go.

The case's tables sit in 80 columns, or beside the call checklist: left to itself a DataTable
scrolls sideways and shows its last column cut mid-word ("Sta") with nothing to say so. Here
each table names the text columns that may be cut (down to a minimum width) and the columns
that may go, in order, when cutting is not enough; the layout is redone when the table's width
changes or new rows arrive. Tables hold one page of rows at most, so a redo is cheap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from relance_tui.tui.widgets.width_aware import WidthAware

Cell = str | Text


@dataclass(frozen=True)
class ColumnFit:
    """How a table's columns give way: `shrink` maps a column to the narrowest it may be cut
    to (with `…`), the first listed cut first; `drop` lists the columns that may be hidden,
    first to go first."""

    shrink: Mapping[str, int] = field(default_factory=dict)
    drop: tuple[str, ...] = ()


def fit_widths(
    natural: Mapping[str, int], fit: ColumnFit, available: int, padding: int
) -> tuple[list[str], dict[str, int]]:
    """The columns shown (in order) and the width each is cut to (only those cut are listed).

    As few columns dropped as possible; with those, the columns cut in the order `shrink` lists
    them, each no further than needed."""
    columns = list(natural)
    for dropped in range(len(fit.drop) + 1):
        shown = [c for c in columns if c not in fit.drop[:dropped]]
        total = sum(natural[c] + 2 * padding for c in shown)
        excess = total - available
        if excess <= 0:
            return shown, {}
        floors = {c: min(natural[c], floor) for c, floor in fit.shrink.items() if c in shown}
        room = sum(natural[c] - floor for c, floor in floors.items())
        if room >= excess or dropped == len(fit.drop):
            cuts: dict[str, int] = {}
            for column, floor in floors.items():
                if excess <= 0:
                    break
                cut = min(excess, natural[column] - floor)
                if cut:
                    cuts[column] = natural[column] - cut
                    excess -= cut
            return shown, cuts
    raise AssertionError("unreachable: the last pass always returns")


def _width(cell: Cell) -> int:
    text = cell.plain if isinstance(cell, Text) else cell
    return max((cell_len(line) for line in text.split("\n")), default=0)


def _cut_cell(cell: Cell) -> Text:
    text = cell.copy() if isinstance(cell, Text) else Text(cell)
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


class FittedTable(WidthAware, DataTable[Cell]):
    def __init__(
        self,
        columns: Sequence[tuple[str, str]],
        fit: ColumnFit,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """`columns`: (key, label) pairs in display order."""
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self._labels = dict(columns)
        self._fit = fit
        self._rows: list[Sequence[Cell]] = []
        self._laid_out_width = -1

    @property
    def shown_columns(self) -> list[str]:
        return [str(key.value) for key in self.columns]

    def on_mount(self) -> None:
        self._lay_out()

    def set_rows(self, rows: Sequence[Sequence[Cell]]) -> None:
        """Show these rows (cursor and scroll back at the top)."""
        self._rows = list(rows)
        self._lay_out(keep_cursor=False)
        # Rows set as a tab is shown come before its layout: fitted again once it has a width.
        self.call_after_refresh(self.width_changed)

    def width_changed(self) -> None:
        if self.size.width != self._laid_out_width:
            self._lay_out()

    def _lay_out(self, *, keep_cursor: bool = True) -> None:
        width = self._laid_out_width = self.size.width
        shown: list[str] = list(self._labels)
        cuts: dict[str, int] = {}
        if width:  # zero in a hidden tab: fitted when shown
            keys = list(self._labels)
            natural = {
                key: max([_width(self._labels[key])] + [_width(row[i]) for row in self._rows])
                for i, key in enumerate(keys)
            }
            available = width - self.styles.scrollbar_size_vertical
            shown, cuts = fit_widths(natural, self._fit, available, self.cell_padding)
        self._rebuild(shown, cuts, keep_cursor=keep_cursor)

    def _rebuild(self, shown: list[str], cuts: dict[str, int], *, keep_cursor: bool) -> None:
        row = self.cursor_row if keep_cursor else 0
        self.clear(columns=True)
        keys = list(self._labels)
        for key in shown:
            label = _cut_cell(self._labels[key]) if key in cuts else self._labels[key]
            self.add_column(label, width=cuts.get(key), key=key)
        indexes = [keys.index(key) for key in shown]
        for cells in self._rows:
            self.add_row(*[_cut_cell(cells[i]) if keys[i] in cuts else cells[i] for i in indexes])
        if self._rows:
            self.move_cursor(row=min(row, len(self._rows) - 1), animate=False)
