"""A vertical scrollbar for a list that draws its own rows (the queue table).

A widget beside the list rather than Textual's scrollbar inside it: the list's lines then span
its whole region, so Textual's compositor never has to cut them at the scrollbar's column (and
measure their text cell by cell to do so) on every page down. The list says where it stands
(`sync`); the bar repaints only the cells whose glyph changed (none, on most page downs of a long
list, where the thumb moves less than a cell). A click above or below the thumb pages, a drag of
the thumb scrolls.
"""

from __future__ import annotations

from math import ceil
from typing import Protocol

from rich.segment import Segment
from textual import events
from textual.geometry import Region
from textual.scrollbar import ScrollBarRender
from textual.strip import Strip
from textual.widget import Widget


class ScrolledRows(Protocol):
    """What the bar needs from the list it scrolls."""

    def scroll_rows(self, top: int) -> None: ...

    def action_page_up(self) -> None: ...

    def action_page_down(self) -> None: ...


class RowScrollBar(Widget):
    ALLOW_SELECT = False

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.target: ScrolledRows | None = None
        self._virtual = 0  # the list's height in lines, header included
        self._window = 0  # the lines on screen
        self._position = 0  # the first row on screen
        self._cells: list[Segment] = []  # one per line of the bar, as on screen
        self._drawn: tuple[int, int, int] | None = None  # the thumb those cells show
        self._grab: tuple[int, int] | None = None  # (screen y, top) when the thumb was grabbed

    def sync(self, *, virtual: int, window: int, position: int) -> None:
        """The list has `virtual` lines, shows `window` of them from row `position`."""
        self.display = virtual > window
        if (virtual, window, position) == (self._virtual, self._window, self._position):
            return
        self._virtual, self._window, self._position = virtual, window, position
        if self._thumb(self.size.height) == self._drawn:
            return  # the thumb moved less than an eighth of a cell: nothing to repaint
        before, after = self._cells, self._bar(self.size.height)
        self._cells = after
        if len(before) != len(after):
            self.refresh()
            return
        width = self.size.width
        changed = [
            Region(0, y, width, 1)
            for y, (old, new) in enumerate(zip(before, after, strict=True))
            if old != new
        ]
        if changed:
            self.refresh(*changed)

    @property
    def _thumb_window(self) -> int:
        """The window as ScrollBar counts it: 0 (no thumb) when the whole list is shown."""
        return self._window if self._window < self._virtual else 0

    def _thumb(self, height: int) -> tuple[int, int, int]:
        """(height, start, end) of the thumb in eighths of a cell, as ScrollBarRender.render_bar
        works them out: the bar's cells depend on nothing else (colours aside)."""
        virtual, window = self._virtual, self._thumb_window
        if not (window and height and virtual) or height == virtual:
            return (height, 0, 0)
        thumb_size = max(1, window / (virtual / height))
        position = (height - thumb_size) * (self._position / (virtual - window))
        start = int(position * 8)
        return (height, start, start + ceil(thumb_size * 8))

    def _bar(self, height: int) -> list[Segment]:
        """The bar's cells, as Textual's ScrollBar draws them."""
        self._drawn = self._thumb(height)
        if height <= 0:
            return []
        styles = self.styles
        if self._grab is not None:
            background, color = styles.scrollbar_background_active, styles.scrollbar_color_active
        elif self.mouse_hover:
            background, color = styles.scrollbar_background_hover, styles.scrollbar_color_hover
        else:
            background, color = styles.scrollbar_background, styles.scrollbar_color
        if background.a < 1:
            background = self.background_colors[0] + background
        color = background + color
        bar = ScrollBarRender.render_bar(
            size=height,
            virtual_size=ceil(self._virtual),
            window_size=ceil(self._thumb_window),
            position=self._position,
            thickness=1,
            vertical=True,
            back_color=background.rich_color,
            bar_color=color.rich_color,
        )
        base = self.rich_style
        return [Segment(text, base + style) for text, style, _ in bar.segments if text]

    def render_line(self, y: int) -> Strip:
        height = self.size.height
        if len(self._cells) != height:
            self._cells = self._bar(height)
        if not 0 <= y < len(self._cells):
            return Strip.blank(self.size.width)
        segment = self._cells[y]
        return Strip([segment], 1)

    def _forget(self) -> None:
        """Draw the bar again at the next repaint (new size, colours or mouse state)."""
        self._cells = []
        self._drawn = None

    def _redraw(self) -> None:
        self._forget()
        self.refresh()

    def on_resize(self) -> None:
        self._redraw()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._forget()

    def watch_mouse_hover(self, hover: bool) -> None:
        self._redraw()

    # --- mouse ----------------------------------------------------------------------------

    def action_scroll_up(self) -> None:
        if self.target is not None and self._grab is None:
            self.target.action_page_up()

    def action_scroll_down(self) -> None:
        if self.target is not None and self._grab is None:
            self.target.action_page_down()

    def action_grab(self) -> None:
        self.capture_mouse()

    def on_mouse_capture(self, event: events.MouseCapture) -> None:
        self._grab = (event.mouse_position.y, self._position)
        self._redraw()

    def on_mouse_release(self, event: events.MouseRelease) -> None:
        self._grab = None
        self._redraw()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._grab is not None:
            self.release_mouse()
        event.stop()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._grab is not None and self.target is not None and self._window:
            grabbed_y, grabbed_top = self._grab
            rows_per_cell = self._virtual / max(self.size.height, 1)
            moved = (event.screen_y - grabbed_y) * rows_per_cell
            self.target.scroll_rows(round(grabbed_top + moved))
        event.stop()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        event.stop()
