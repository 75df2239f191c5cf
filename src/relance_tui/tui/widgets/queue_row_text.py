"""A queue row as the table's text: the columns that fit the width, each cell fitted to its column.

No Textual here: `RowText` turns a `QueueRow` into the characters of one table line. It is made
for one width, column set, language and day; the cells that take few distinct values (segment,
stage, days past due, next action, agent, marker) are fitted once and then looked up, so a page
down formats little more than the debtor names, amounts and scores. Stored text is made `inert`
(control characters shown as U+FFFD) before it is fitted.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, TypeVar

from rich.cells import cell_len, set_cell_size

from relance_tui.domain.labels import SEGMENT_KEYS, STAGE_KEYS, next_action_label
from relance_tui.domain.scoring import URGENCY_REASON_KEYS, urgency_reason
from relance_tui.domain.text import inert
from relance_tui.formatting import decimal, money_short_in
from relance_tui.i18n import current_language, t
from relance_tui.services.queue import QueueRow

Align = Literal["left", "right"]
MIN_DEBTOR_WIDTH = 16
MARKER_KEYS: dict[int, str] = {
    3: "queue.marker.callback",
    2: "queue.marker.promise_due",
    1: "queue.marker.broken",
    -1: "queue.marker.worked",
}
COLUMN_TITLE_KEYS: dict[str, str] = {
    "debtor": "queue.col.debtor",
    "segment": "queue.col.segment",
    "amount": "queue.col.amount",
    "days": "queue.col.days",
    "stage": "queue.col.stage",
    "next": "queue.col.next",
    "score": "queue.col.score",
    "agent": "queue.col.agent",
}
CELL_CACHE_SIZE = 4096  # fitted cells per column before the cache starts over


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    width: int  # 0: takes the width left (the debtor column)
    align: Align = "left"


# Fixed columns, in display order; DROP_ORDER says which go first when the table is narrow.
COLUMNS: tuple[Column, ...] = (
    Column("marker", 1),
    Column("debtor", 0),
    Column("segment", 13),
    # Numbers are never cut: room for 99 999 999 € and 99 999 days; the debtor column shrinks.
    Column("amount", 12, "right"),
    Column("days", 7, "right"),
    Column("stage", 14),
    Column("next", 17),
    Column("agent", 10),
    Column("score", 5, "right"),
)
DROP_ORDER = ("segment", "stage", "days", "next", "agent")


def layout_columns(width: int, *, show_agent: bool) -> list[Column]:
    """The columns that fit in `width` cells (one space between columns), debtor widened."""
    columns = [c for c in COLUMNS if show_agent or c.key != "agent"]
    for victim in (None, *DROP_ORDER):
        if victim is not None:
            columns = [c for c in columns if c.key != victim]
        fixed = sum(c.width for c in columns) + len(columns) - 1
        if width - fixed >= MIN_DEBTOR_WIDTH:
            break
    debtor = max(width - fixed, 4)
    return [Column(c.key, debtor, c.align) if c.key == "debtor" else c for c in columns]


def fit(text: str, width: int, align: Align = "left", *, one_cell: bool = False) -> str:
    """Pad or cut `text` to exactly `width` cells (a cut ends with `…`). `one_cell`: the caller
    knows that every character takes one cell (an amount: digits, spaces and €)."""
    if width <= 0:
        return ""
    # Below U+0300 (Latin letters with their accents) every printable character takes one
    # cell: no need to measure French names character by character.
    narrow = one_cell or not text or max(text) < "\u0300"
    length = len(text) if narrow else cell_len(text)
    if length > width:
        return (text[: width - 1] if narrow else set_cell_size(text, width - 1)) + "…"
    padding = " " * (width - length)
    return padding + text if align == "right" else text + padding


def _minutes_since(row: QueueRow, now: datetime) -> int:
    try:
        since = datetime.fromisoformat(row.claimed_at or "")
    except ValueError:
        return 0
    return max(0, int((now - since).total_seconds() // 60))


def claimed_text(agent: str, minutes: int, width: int) -> str:
    """ "en cours — bob, 3 min", or "bob · 3 min" where that does not fit: who and since when
    stay on screen, the agent's name cut first."""
    text = t("queue.claimed", agent=agent, minutes=minutes)
    if cell_len(text) <= width:
        return fit(text, width)
    since = t("queue.claimed_since", minutes=minutes)
    room = width - cell_len(since)
    return fit((fit(agent, room) if cell_len(agent) > room else agent) + since, width)


Cell = Callable[[QueueRow], str]  # a row's cell, fitted to its column
Value = TypeVar("Value", bound=Hashable)


class RowText:
    """The text of queue rows for one width, column set, language and day."""

    def __init__(
        self,
        width: int,
        *,
        show_agent: bool,
        today: date,
        me: str,
        clock: Callable[[], datetime],
    ) -> None:
        self.width = width
        self.show_agent = show_agent
        self.columns = layout_columns(width, show_agent=show_agent)
        self.language = current_language()
        self.today = today
        self._me = me
        self._clock = clock
        self._used = sum(column.width for column in self.columns) + len(self.columns) - 1
        self._marker = self._cell(self.columns[0])
        self._rest = [self._cell(column) for column in self.columns[1:]]

    def matches(self, width: int, *, show_agent: bool, today: date) -> bool:
        """Made for these? (False: make a new one.)"""
        made = (self.width, self.show_agent, self.today, self.language)
        return made == (width, show_agent, today, current_language())

    def line(self, row: QueueRow) -> tuple[str, str, int]:
        """The row's marker cell, the rest of its line padded to the width, and the cells both
        take (more than the width only when the columns do not fit)."""
        rest = "".join([" " + cell(row) for cell in self._rest])
        if self._used < self.width:
            rest += " " * (self.width - self._used)
        return self._marker(row), rest, max(self._used, self.width)

    def header(self) -> str:
        cells = [
            fit("" if column.key == "marker" else t(COLUMN_TITLE_KEYS[column.key]), column.width,
                column.align)
            for column in self.columns
        ]  # fmt: skip
        return fit(" ".join(cells), self.width)

    def _cell(self, column: Column) -> Cell:
        width, align = column.width, column.align
        key = column.key
        if key == "debtor":
            return lambda row: fit(inert(row.debtor_name), width)
        if key == "amount":
            short = money_short_in(self.language)
            return lambda row: fit(short(row.overdue_cents), width, align, one_cell=True)
        if key == "score":
            language = self.language
            return lambda row: fit(decimal(row.priority, language=language), width, align)
        if key == "next":
            return self._next_cell(width)
        # Cells that depend on one field with few distinct values: fitted once per value.
        if key == "marker":
            return _cached(lambda row: row.urgency, lambda v: fit(self._marker_text(v), width))
        if key == "segment":
            return _cached(lambda row: row.segment, lambda v: fit(t(SEGMENT_KEYS[v]), width))
        if key == "days":
            return _cached(
                lambda row: row.oldest_due_date, lambda v: fit(self._days(v), width, align)
            )
        if key == "stage":
            return _cached(lambda row: row.stage, lambda v: fit(t(STAGE_KEYS[v]), width))
        if key == "agent":
            return _cached(lambda row: row.agent_login, lambda v: fit(inert(v or "—"), width))
        raise ValueError(f"unknown column {key!r}")

    @staticmethod
    def _marker_text(urgency: int) -> str:
        return t(MARKER_KEYS[urgency]) if urgency in MARKER_KEYS else ""

    def _days(self, oldest_due_date: str | None) -> str:
        if not oldest_due_date:
            return ""
        return t("queue.days", days=(self.today - date.fromisoformat(oldest_due_date)).days)

    def _next_cell(self, width: int) -> Cell:
        def planned(key: tuple[int, str, str | None]) -> str:
            urgency, action, on = key
            if urgency > 0:
                return fit(t(URGENCY_REASON_KEYS[urgency_reason(urgency, action)]), width)
            when = on[8:10] + "/" + on[5:7] if on else ""
            return fit(f"{next_action_label(action)} {when}".strip(), width)

        cached = _cached(lambda row: (row.urgency, row.next_action, row.next_action_on), planned)

        def cell(row: QueueRow) -> str:
            if row.claimed_by:  # someone may be on this case now: who, and for how long
                now = self._clock()
                if row.held_by_other(self._me, now.isoformat(timespec="seconds")):
                    return claimed_text(inert(row.claimed_by), _minutes_since(row, now), width)
            return cached(row)

        return cell


def _cached(value_of: Callable[[QueueRow], Value], text_of: Callable[[Value], str]) -> Cell:
    """A cell whose text depends only on `value_of(row)`: made once per value."""
    cache: dict[Value, str] = {}

    def cell(row: QueueRow) -> str:
        value = value_of(row)
        text = cache.get(value)
        if text is None:
            if len(cache) >= CELL_CACHE_SIZE:
                cache.clear()
            text = cache[value] = text_of(value)
        return text

    return cell
