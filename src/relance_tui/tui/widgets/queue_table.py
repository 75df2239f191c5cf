"""The queue as a virtual table: a widget whose `render_line` draws only the rows on screen.

Rows come from a `QueuePager` (keyset pages in an LRU cache); a missing page is read as database
work (tui/database.py) with the fetcher the screen gave, then the lines are redrawn; a page whose
read failed is asked for again a little later. Rendered lines are cached too, so moving the
cursor redraws two lines. Columns narrow or drop with the width. The table scrolls itself
(`top`, the first row on screen) and tells a `RowScrollBar` beside it.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from relance_tui.i18n import t
from relance_tui.services.queue import QueueRow
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.database import DatabaseFailed, database_work
from relance_tui.tui.widgets.finished_lines import FinishedLines
from relance_tui.tui.widgets.queue_pager import FetchPlan, QueuePager
from relance_tui.tui.widgets.queue_row_text import RowText, fit
from relance_tui.tui.widgets.row_scrollbar import RowScrollBar

Fetcher = Callable[[sqlite3.Connection, FetchPlan], list[QueueRow]]
LINE_CACHE_SIZE = 400
WHEEL_ROWS = 3
RETRY_SECONDS = 0.25  # a failed page read is tried again after this, then twice as long…
RETRY_MAX_SECONDS = 30.0  # …up to this


class QueueTable(TranslatedBindings, FinishedLines, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        # The footer shows one entry per pair (`j/k`); `?` lists every key on its own, with
        # its own label (the tooltip).
        Binding(
            "j,down",
            "cursor_down",
            "key.move",
            id="queue.down",
            key_display="j/k",
            tooltip="key.down",
        ),
        Binding("k,up", "cursor_up", "key.up", id="queue.up", show=False),
        Binding("g,home", "top", "key.ends", id="queue.top", key_display="g/G", tooltip="key.top"),
        Binding("G,end", "bottom", "key.bottom", id="queue.bottom", show=False),
        Binding(
            "pagedown",
            "page_down",
            "key.page",
            id="queue.page_down",
            key_display="pagedown/pageup",
            tooltip="key.page_down",
        ),
        Binding("pageup", "page_up", "key.page_up", id="queue.page_up", show=False),
        Binding("enter", "open", "key.open_case", id="queue.open"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "queue-table--header",
        "queue-table--cursor",
        "queue-table--urgent",
        "queue-table--marker",
        "queue-table--pending",
        "queue-table--worked",
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
        # The rows read before a reload in place: drawn (and opened by Enter) until the new
        # reading of the rows on screen arrives, so that a refresh neither flashes "loading"
        # lines nor drops a key pressed on a row the agent can see.
        self._previous: QueuePager | None = None
        self._open_when_loaded: int | None = None  # Enter on a row still being read
        self._fetcher: Fetcher | None = None
        self._generation = 0
        self._pending: set[int] = set()
        self._retry_delay = RETRY_SECONDS
        self._lines: OrderedDict[tuple[int, int, bool], Strip] = OrderedDict()
        self._texts: OrderedDict[int, tuple[str, str, int]] = OrderedDict()  # by case id
        self._styles: dict[str, Style] = {}
        self._header_line: Strip | None = None
        self._row_text: RowText | None = None
        self._highlighted: tuple[int, int | None] = (-1, None)
        self.empty_text = ""
        self.highlight_listener: Callable[[QueueTable.Highlighted], None] | None = None

    def set_show_agent(self, show: bool) -> None:
        """Show the agent column (a supervisor's view of everyone's cases)."""
        if show != self.show_agent:
            self.show_agent = show
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
        if not keep_cursor:
            self._previous = None
        elif self._previous is None:  # (else the rows drawn are still the older reading's)
            self._previous = self.pager
        self._open_when_loaded = None
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
        return self.row_at(self.cursor)

    def row_at(self, index: int) -> QueueRow | None:
        """The row at `index`, as read last (None while it is being read)."""
        row = self.pager.row(index)
        if row is None and self._previous is not None and index < self.total:
            row = self._previous.row(index)
        return row

    def _request(self, pages: list[int]) -> None:
        fetcher = self._fetcher
        if fetcher is None:
            return
        for page in pages:
            if page not in self._pending:
                self._pending.add(page)
                self._read_page(fetcher, self._generation, self.pager.plan(page))

    @database_work(group="queue-pages", exclusive=False)
    def _read_page(
        self, conn: sqlite3.Connection, fetcher: Fetcher, generation: int, plan: FetchPlan
    ) -> _PageLoaded:
        return self._PageLoaded(generation, plan.page, fetcher(conn, plan))

    def on_database_failed(self, message: DatabaseFailed) -> None:
        if message.job != "_read_page":
            return
        _fetcher, generation, plan = message.args
        if generation == self._generation and isinstance(plan, FetchPlan):
            self._pending.discard(plan.page)  # asked for again by the next paint
            self.set_timer(self._retry_delay, self.refresh)
            self._retry_delay = min(self._retry_delay * 2, RETRY_MAX_SECONDS)

    def _on_queue_table__page_loaded(self, message: _PageLoaded) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        self._pending.discard(message.page)
        self._retry_delay = RETRY_SECONDS
        rows = message.rows
        self.pager.store(message.page, rows)
        first = message.page * self.pager.page_size
        last = first + len(rows) - 1
        # Lines drawn from an older copy of these rows (a page read again) are dropped.
        for key in [key for key in self._lines if first <= key[0] <= last]:
            del self._lines[key]
        for row in rows:
            self._texts.pop(row.id, None)
        # Only a page that is on screen is repainted (one read ahead of the scrolling is not).
        if first < self.top + self.visible_rows and last >= self.top:
            self.refresh()
        if self._previous is not None and not self.pager.missing_pages(
            self.top, min(self.top + self.visible_rows, self.total) - 1
        ):
            self._previous = None  # the rows on screen are read again: the old ones go
        self._post_highlight()
        if self._open_when_loaded == self.cursor and self.current_row is not None:
            self.action_open()

    # --- cursor ---------------------------------------------------------------------------

    @property
    def visible_rows(self) -> int:
        return max(self.frame_size.height - 1, 1)

    def watch_cursor(self, old: int, new: int) -> None:
        if new != self._open_when_loaded:
            self._open_when_loaded = None
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
        self._open_when_loaded = None if row is not None else self.cursor
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

    def _text_of_rows(self, width: int) -> RowText:
        """What turns rows into text at this width (made again when the width, the columns,
        the language or the day change, and the lines drawn before are forgotten)."""
        row_text = self._row_text
        if row_text is None or not row_text.matches(
            width, show_agent=self.show_agent, today=self.today
        ):
            self._clear_lines()
            row_text = self._row_text = RowText(
                width, show_agent=self.show_agent, today=self.today, me=self.me, clock=self._clock
            )
        return row_text

    def render_line(self, y: int) -> Strip:
        width = self.frame_size.width
        row_text = self._text_of_rows(width)
        if y == 0:
            return self._header(row_text)
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
        row = self.row_at(index)
        if row is None:
            return self._pending_line(width, selected)
        key = (index, row.id, selected)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._row_line(row, row_text, selected)
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
            style = self._styles[key] = self.truecolor(style)
        return style

    def _header(self, row_text: RowText) -> Strip:
        strip = self._header_line
        if strip is None:
            style = self._style("queue-table--header")
            strip = Strip([Segment(row_text.header(), style)], row_text.width)
            self._header_line = strip
        return strip

    def _pending_line(self, width: int, selected: bool) -> Strip:
        if selected:
            style = self._style("queue-table--pending", "queue-table--cursor")
        else:
            style = self._style("queue-table--pending")
        return Strip([Segment(fit("  " + t("queue.loading"), width), style)], width)

    def _texts_of(self, row: QueueRow, row_text: RowText) -> tuple[str, str, int]:
        """The row's text (kept: the cursor moving over it redraws it in another style)."""
        texts = self._texts.get(row.id)
        if texts is None:
            texts = self._texts[row.id] = row_text.line(row)
            if len(self._texts) > LINE_CACHE_SIZE:
                self._texts.popitem(last=False)
        return texts

    def _row_line(self, row: QueueRow, row_text: RowText, selected: bool) -> Strip:
        # Two segments (the marker, the rest: one style per row), styles made once: a page of
        # rows costs little to draw, and less for Textual to filter and cut.
        urgency = row.urgency
        components = ["queue-table--urgent"] if urgency > 0 else []
        if urgency < 0:
            components.append("queue-table--worked")
        if selected:
            components.append("queue-table--cursor")
        base = self._style(*components)
        marker, rest, length = self._texts_of(row, row_text)
        width = row_text.width
        # The length is known (fit() is exact): Textual need not measure the text cell by cell.
        if urgency:
            marker_style = self._style(*components, "queue-table--marker")
            strip = Strip([Segment(marker, marker_style), Segment(rest, base)], length)
        else:
            strip = Strip([Segment(marker + rest, base)], length)
        return strip if length == width else strip.crop(0, width)
