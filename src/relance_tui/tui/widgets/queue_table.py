"""The queue as a virtual table: a widget whose `render_line` draws only the rows on screen.

Rows come from a `QueuePager` (keyset pages in an LRU cache); a missing page is fetched in a
thread worker with the fetcher the screen gave, then the lines are redrawn. Rendered lines are
cached too, so moving the cursor redraws two lines. Columns narrow or drop with the width.
The table scrolls itself (`top`, the first row on screen) and tells a `RowScrollBar` beside it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import ClassVar, Literal

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from relance_tui.formatting import money_short
from relance_tui.i18n import t
from relance_tui.services.queue import QueueRow, next_action_label, urgency_key
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.widgets.queue_pager import FetchPlan, QueuePager
from relance_tui.tui.widgets.row_scrollbar import RowScrollBar

Fetcher = Callable[[FetchPlan], list[QueueRow]]
Align = Literal["left", "right"]
MIN_DEBTOR_WIDTH = 16
LINE_CACHE_SIZE = 400
MARKER_KEYS = {3: "queue.marker.callback", 2: "queue.marker.promise_due", 1: "queue.marker.broken"}
WHEEL_ROWS = 3


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
    Column("amount", 11, "right"),
    Column("days", 6, "right"),
    Column("stage", 14),
    Column("next", 17),
    Column("agent", 10),
    Column("score", 5, "right"),
)
DROP_ORDER = ("segment", "stage", "days", "next", "agent")


def _minutes_since(row: QueueRow, now: datetime) -> int:
    try:
        since = datetime.fromisoformat(row.claimed_at or "")
    except ValueError:
        return 0
    return max(0, int((now - since).total_seconds() // 60))


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


def fit(text: str, width: int, align: Align = "left") -> str:
    """Pad or cut `text` to exactly `width` cells (a cut ends with `…`)."""
    if width <= 0:
        return ""
    # Below U+0300 (Latin letters with their accents) every printable character takes one
    # cell: no need to measure French names character by character.
    narrow = not text or max(text) < "\u0300"
    length = len(text) if narrow else cell_len(text)
    if length > width:
        return (text[: width - 1] if narrow else set_cell_size(text, width - 1)) + "…"
    padding = " " * (width - length)
    return padding + text if align == "right" else text + padding


def score_text(priority: float) -> str:
    from relance_tui.i18n import current_language

    text = f"{priority:.1f}"
    return text.replace(".", ",") if current_language() == "fr" else text


class QueueTable(TranslatedBindings, Widget, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        # The footer shows one entry per pair (`j/k`); `?` lists every key on its own.
        Binding("j,down", "cursor_down", "key.move", id="queue.down", key_display="j/k"),
        Binding("k,up", "cursor_up", "key.up", id="queue.up", show=False),
        Binding("g,home", "top", "key.ends", id="queue.top", key_display="g/G"),
        Binding("G,end", "bottom", "key.bottom", id="queue.bottom", show=False),
        Binding("pagedown", "page_down", "key.page", id="queue.page_down", key_display="PgDn/Up"),
        Binding("pageup", "page_up", "key.page_up", id="queue.page_up", show=False),
        Binding("enter", "open", "key.open_case", id="queue.open"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "queue-table--header",
        "queue-table--cursor",
        "queue-table--urgent",
        "queue-table--marker",
        "queue-table--pending",
    }

    cursor: reactive[int] = reactive(0, always_update=True, init=False, repaint=False)

    class Highlighted(Message):
        """The row under the cursor changed (None: empty queue or not loaded yet)."""

        def __init__(self, row: QueueRow | None, index: int) -> None:
            super().__init__()
            self.row = row
            self.index = index

    class Opened(Message):
        """Enter on a row."""

        def __init__(self, row: QueueRow) -> None:
            super().__init__()
            self.row = row

    class _PageLoaded(Message):
        def __init__(self, generation: int, page: int, rows: list[QueueRow]) -> None:
            super().__init__()
            self.generation = generation
            self.page = page
            self.rows = rows

    def __init__(
        self,
        *,
        today: date,
        show_agent: bool = False,
        me: str = "",
        clock: Callable[[], datetime] | None = None,
        scrollbar: RowScrollBar | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.top = 0  # the row on the first line under the header
        self.scrollbar = scrollbar
        if scrollbar is not None:
            scrollbar.target = self
        self.today = today
        self.me = me  # the agent at the keyboard: other agents' claims are shown on their rows
        self._clock = clock or (lambda: datetime.now(UTC))
        self.show_agent = show_agent
        self.pager = QueuePager(0)
        self._fetcher: Fetcher | None = None
        self._generation = 0
        self._pending: set[int] = set()
        self._lines: OrderedDict[tuple[int, int, bool], Strip] = OrderedDict()
        self._texts: OrderedDict[tuple[int, int], tuple[str, str, int]] = OrderedDict()  # id, width
        self._styles: dict[str, Style] = {}
        self._header_line: Strip | None = None
        self._layout: list[Column] = []
        self._layout_width = -1
        self._highlighted: tuple[int, int | None] = (-1, None)
        self.empty_text = ""
        self.highlight_listener: Callable[[QueueTable.Highlighted], None] | None = None

    def set_show_agent(self, show: bool) -> None:
        """Show the agent column (a supervisor's view of everyone's cases)."""
        if show != self.show_agent:
            self.show_agent = show
            self._layout_width = -1
            self._clear_lines()
            self.refresh()

    # --- data -----------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return self.pager.total

    @property
    def loaded(self) -> bool:
        """True once the screen has given this table a queue to show."""
        return self._fetcher is not None

    def show(self, total: int, fetcher: Fetcher, *, keep_cursor: bool = False) -> None:
        """Show a new queue (new filters, a search, a refresh): `total` rows read by `fetcher`."""
        self._generation += 1
        self._pending.clear()
        self._fetcher = fetcher
        self.pager = QueuePager(total)
        self._clear_lines()
        self._highlighted = (-1, None)
        cursor = min(self.cursor, total - 1) if keep_cursor else 0
        self.scroll_rows(self.top if keep_cursor else 0)
        self._sync_scrollbar()
        self.cursor = max(cursor, 0)
        self.refresh()

    @property
    def current_row(self) -> QueueRow | None:
        return self.pager.row(self.cursor)

    def _request(self, pages: list[int]) -> None:
        fetcher = self._fetcher
        if fetcher is None:
            return
        for page in pages:
            if page in self._pending:
                continue
            self._pending.add(page)
            plan = self.pager.plan(page)
            generation = self._generation

            def work(plan: FetchPlan = plan, generation: int = generation) -> None:
                rows = fetcher(plan)
                self.post_message(self._PageLoaded(generation, plan.page, rows))

            self.run_worker(work, thread=True, group="queue-pages", exit_on_error=False)

    def _on_queue_table__page_loaded(self, message: _PageLoaded) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        self._pending.discard(message.page)
        rows = message.rows
        self.pager.store(message.page, rows)
        first = message.page * self.pager.page_size
        last = first + len(rows) - 1
        # Lines drawn from an older copy of these rows (a page read again) are dropped.
        for key in [key for key in self._lines if first <= key[0] <= last]:
            del self._lines[key]
        for row in rows:
            self._texts.pop((row.id, self._layout_width), None)
        # Only a page that is on screen is repainted (one read ahead of the scrolling is not).
        if first < self.top + self.visible_rows and last >= self.top:
            self.refresh()
        self._post_highlight()

    # --- cursor ---------------------------------------------------------------------------

    @property
    def visible_rows(self) -> int:
        return max(self.size.height - 1, 1)

    def watch_cursor(self, old: int, new: int) -> None:
        self._refresh_screen_line(old - self.top + 1)
        self._refresh_screen_line(new - self.top + 1)
        self._scroll_to_cursor()
        self._post_highlight()

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, self.total - 1)) if self.total else 0

    def _refresh_screen_line(self, y: int) -> None:  # y in screen lines (0 is the header)
        if 0 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    # --- scrolling ------------------------------------------------------------------------

    @property
    def max_top(self) -> int:
        return max(self.total - self.visible_rows, 0)

    def scroll_rows(self, top: int) -> None:
        """Show the rows from `top` down (kept within the queue); the cursor stays where it is."""
        top = max(0, min(top, self.max_top))
        if top != self.top:
            self.top = top
            self.refresh()
            self._sync_scrollbar()

    def _sync_scrollbar(self) -> None:
        if self.scrollbar is not None:
            # Lines, header included, as Textual's own scrollbar would count them.
            self.scrollbar.sync(virtual=self.total + 1, window=self.size.height, position=self.top)

    def _scroll_to_cursor(self) -> None:
        if self.cursor < self.top:
            self.scroll_rows(self.cursor)
        elif self.cursor >= self.top + self.visible_rows:
            self.scroll_rows(self.cursor - self.visible_rows + 1)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self.scroll_rows(self.top + WHEEL_ROWS)
        event.stop()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.scroll_rows(self.top - WHEEL_ROWS)
        event.stop()

    def _post_highlight(self) -> None:
        row = self.current_row
        state = (self.cursor, None if row is None else row.id)
        if state != self._highlighted:
            self._highlighted = state
            message = self.Highlighted(row, self.cursor)
            if self.highlight_listener is not None:
                # Same frame as the cursor lines: one repaint per key instead of two.
                self.highlight_listener(message)
            else:
                self.post_message(message)

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_page_down(self) -> None:
        step = self.visible_rows
        self.scroll_rows(self.top + step)
        self.cursor += step

    def action_page_up(self) -> None:
        step = self.visible_rows
        self.scroll_rows(self.top - step)
        self.cursor -= step

    def action_top(self) -> None:
        self.scroll_rows(0)
        self.cursor = 0

    def action_bottom(self) -> None:
        self.scroll_rows(self.max_top)
        self.cursor = self.total - 1

    def action_open(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.Opened(row))

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self.cursor = self.top + event.y - 1
            if event.chain >= 2:
                self.action_open()

    # --- drawing --------------------------------------------------------------------------

    def _clear_lines(self) -> None:
        """Forget the drawn lines (new queue, width, columns or styles)."""
        self._lines.clear()
        self._texts.clear()
        self._header_line = None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._clear_lines()

    def on_resize(self, event: events.Resize) -> None:
        self._clear_lines()
        self.scroll_rows(self.top)  # a taller table may show rows past the end otherwise
        self._scroll_to_cursor()
        self._sync_scrollbar()

    def _columns(self, width: int) -> list[Column]:
        if width != self._layout_width:
            self._layout = layout_columns(width, show_agent=self.show_agent)
            self._layout_width = width
        return self._layout

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            return self._header(width)
        top = self.top
        if y == 1 and self.total:
            last = min(top + self.visible_rows, self.total) - 1
            missing = self.pager.missing_pages(top, last)
            if not missing:
                # Read the pages a screen away ahead of time, so that paging down (or up) finds
                # its rows loaded instead of drawing "loading" lines and then the rows.
                step = self.visible_rows
                missing = self.pager.missing_pages(last + 1, last + step)
                missing += self.pager.missing_pages(top - step, top - 1)
            if missing:
                self._request(missing)
            for page in range(self.pager.page_of(top), self.pager.page_of(last) + 1):
                self.pager.touch(page)
        index = top + y - 1
        if index >= self.total:
            if y == 1 and self.total == 0 and self.empty_text:
                style = self._style("queue-table--pending")
                return Strip([Segment(fit("  " + self.empty_text, width), style)], width)
            return Strip.blank(width, self._style())
        selected = index == self.cursor
        row = self.pager.row(index)
        if row is None:
            return self._pending_line(width, selected)
        key = (index, row.id, selected)
        strip = self._lines.get(key)
        if strip is None or strip.cell_length != width:
            strip = self._row_line(row, width, selected)
            self._lines[key] = strip
            if len(self._lines) > LINE_CACHE_SIZE:
                self._lines.popitem(last=False)
        return strip

    def _style(self, *components: str) -> Style:
        """The widget's style plus component styles (made once until the styles change)."""
        key = " ".join(components)
        style = self._styles.get(key)
        if style is None:
            style = self.rich_style
            for component in components:
                style += self.get_component_rich_style(component)
            self._styles[key] = style
        return style

    def _header(self, width: int) -> Strip:
        strip = self._header_line
        if strip is None or strip.cell_length != width:
            style = self._style("queue-table--header")
            cells = []
            for column in self._columns(width):
                label = "" if column.key == "marker" else t(f"queue.col.{column.key}")
                cells.append(fit(label, column.width, column.align))
            strip = self._header_line = Strip([Segment(fit(" ".join(cells), width), style)], width)
        return strip

    def _pending_line(self, width: int, selected: bool) -> Strip:
        if selected:
            style = self._style("queue-table--pending", "queue-table--cursor")
        else:
            style = self._style("queue-table--pending")
        return Strip([Segment(fit("  " + t("queue.loading"), width), style)], width)

    def _cell(self, key: str, row: QueueRow) -> str:
        if key == "marker":
            return t(MARKER_KEYS[row.urgency]) if row.urgency in MARKER_KEYS else ""
        if key == "debtor":
            return row.debtor_name
        if key == "segment":
            return t(f"segment.{row.segment}")
        if key == "amount":
            return money_short(row.overdue_cents)
        if key == "days":
            if not row.oldest_due_date:
                return ""
            days = (self.today - date.fromisoformat(row.oldest_due_date)).days
            return t("queue.days", days=days)
        if key == "stage":
            return t(f"stage.{row.stage}")
        if key == "next":
            now = self._clock()
            if row.claimed_by and row.held_by_other(self.me, now.isoformat(timespec="seconds")):
                return t("queue.claimed", agent=row.claimed_by, minutes=_minutes_since(row, now))
            if row.urgency:
                return t(urgency_key(row.urgency))
            when = ""
            if row.next_action_on:
                when = row.next_action_on[8:10] + "/" + row.next_action_on[5:7]
            return f"{next_action_label(row.next_action)} {when}".strip()
        if key == "agent":
            return row.agent_login or "—"
        if key == "score":
            return score_text(row.priority)
        return ""

    def _row_text(self, row: QueueRow, width: int) -> tuple[str, str, int]:
        """A row's marker cell, the rest of its line padded to `width` cells, and the cells
        both take (more than `width` only when the columns do not fit)."""
        key = (row.id, width)
        texts = self._texts.get(key)
        if texts is None:
            columns = self._columns(width)
            marker = fit(self._cell("marker", row), columns[0].width, columns[0].align)
            rest = "".join(
                " " + fit(self._cell(column.key, row), column.width, column.align)
                for column in columns[1:]
            )
            used = sum(column.width for column in columns) + len(columns) - 1  # fit() is exact
            if used < width:
                rest += " " * (width - used)
            texts = (marker, rest, max(used, width))
            self._texts[key] = texts
            if len(self._texts) > LINE_CACHE_SIZE:
                self._texts.popitem(last=False)
        return texts

    def _row_line(self, row: QueueRow, width: int, selected: bool) -> Strip:
        # Two segments (the marker, the rest: one style per row), styles made once: a page of
        # rows costs little to draw, and less for Textual to filter and cut.
        components = ["queue-table--urgent"] if row.urgency else []
        if selected:
            components.append("queue-table--cursor")
        base = self._style(*components)
        marker, rest, length = self._row_text(row, width)
        # The length is known (fit() is exact): Textual need not measure the text cell by cell.
        if row.urgency:
            marker_style = self._style(*components, "queue-table--marker")
            strip = Strip([Segment(marker, marker_style), Segment(rest, base)], length)
        else:
            strip = Strip([Segment(marker + rest, base)], length)
        return strip if length == width else strip.crop(0, width)
