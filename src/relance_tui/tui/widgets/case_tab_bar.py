"""The case file's tab bar: the seven labels and the line under them, drawn by one widget.

It looks and answers like Textual's `Tabs` (labels dimmed but the active one, the active one
underlined, in reverse when the bar has focus; ←/→ and clicks switch tab), but it is one widget
with two lines instead of a dozen nested ones. A case opened relabels the tabs with its counts:
here that is a repaint of two lines, where `Tabs` laid out, restyled and repainted its
containers and each tab (a fifth of the CPU of opening a case).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

BAR = "━"
HALF_BAR_LEFT = "╺"
HALF_BAR_RIGHT = "╸"


class CaseTabBar(Widget, can_focus=True):
    DEFAULT_CSS = """
    CaseTabBar {
        width: 1fr;
        height: 2;
        & > .case-tab-bar--tab {
            color: $foreground 50%;
        }
        & > .case-tab-bar--hover, & > .case-tab-bar--active {
            color: $foreground;
        }
        & > .case-tab-bar--bar {
            color: $block-cursor-background;
            background: $foreground 10%;
        }
        &:focus {
            & > .case-tab-bar--active {
                text-style: $block-cursor-text-style;
                color: $block-cursor-foreground;
                background: $block-cursor-background;
            }
            & > .case-tab-bar--bar {
                background: $foreground 30%;
            }
        }
        &:ansi {
            & > .case-tab-bar--tab, & > .case-tab-bar--hover {
                text-style: dim;
            }
            & > .case-tab-bar--active {
                text-style: not dim bold;
            }
            & > .case-tab-bar--bar {
                background: $border-blurred;
            }
        }
    }
    """
    COMPONENT_CLASSES = {  # noqa: RUF012 (Textual reads it from the class)
        "case-tab-bar--tab",
        "case-tab-bar--hover",
        "case-tab-bar--active",
        "case-tab-bar--bar",
    }

    class Chosen(Message):
        """A tab was picked on the bar (clicked, or ←/→ while the bar has focus)."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, labels: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._labels = tuple(labels)
        self._active = 0
        self._hover: int | None = None
        self._padding = 1  # a side of each label; 0: labels one cell apart ("tight")

    @property
    def labels(self) -> tuple[str, ...]:
        return self._labels

    @property
    def active(self) -> int:
        return self._active

    @property
    def tight(self) -> bool:
        return self._padding == 0

    def show(self, labels: Sequence[str], active: int, *, tight: bool) -> None:
        """Set the labels, the active tab and the spacing; repaint only if one changed."""
        labels = tuple(labels)
        padding = 0 if tight else 1
        if (labels, active, padding) != (self._labels, self._active, self._padding):
            self._labels, self._active, self._padding = labels, active, padding
            self.refresh()

    def spans(self) -> list[tuple[int, int]]:
        """Each tab's columns on the bar, padding included: (start, end), end excluded."""
        spans: list[tuple[int, int]] = []
        x = 0
        for label in self._labels:
            width = cell_len(label) + 2 * self._padding
            spans.append((x, x + width))
            x += width + (1 if self.tight else 0)  # tight: a cell of margin after each
        return spans

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y == 0:
            strip = Strip(self._label_segments(base))
        elif y == 1:
            strip = Strip(self._bar_segments(base, width))
        else:
            strip = Strip([])
        return strip.crop(0, width).extend_cell_length(width, base)

    def _label_segments(self, base: Style) -> list[Segment]:
        segments: list[Segment] = []
        pad = " " * self._padding
        for index, label in enumerate(self._labels):
            if index == self._active:
                name = "case-tab-bar--active"
            elif index == self._hover:
                name = "case-tab-bar--hover"
            else:
                name = "case-tab-bar--tab"
            segments.append(Segment(pad + label + pad, self.get_component_rich_style(name)))
            if self.tight:
                segments.append(Segment(" ", base))
        return segments

    def _bar_segments(self, base: Style, width: int) -> list[Segment]:
        """Textual's `Underline`: a line, drawn bright under the active label (not its padding)."""
        bar_style = self.get_component_rich_style("case-tab-bar--bar")
        lit = base + Style.from_color(bar_style.color)
        dim = base + Style.from_color(bar_style.bgcolor)
        spans = self.spans()
        if not 0 <= self._active < len(spans):
            return [Segment(BAR * width, dim)]
        start, end = spans[self._active]
        start, end = min(start + self._padding, width), min(end - self._padding, width)
        segments = []
        if start > 0:
            segments.append(Segment(BAR * (start - 1) + HALF_BAR_RIGHT, dim))
        segments.append(Segment(BAR * (end - start), lit))
        if end < width:
            segments.append(Segment(HALF_BAR_LEFT + BAR * (width - end - 1), dim))
        return segments

    def _tab_at(self, x: int) -> int | None:
        for index, (start, end) in enumerate(self.spans()):
            if start <= x < end:
                return index
        return None

    def on_click(self, event: events.Click) -> None:
        index = self._tab_at(event.x)
        if index is not None:
            self.post_message(self.Chosen(index))

    def on_mouse_move(self, event: events.MouseMove) -> None:
        hover = self._tab_at(event.x) if event.y == 0 else None
        if hover != self._hover:
            self._hover = hover
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def key_left(self) -> None:
        self.post_message(self.Chosen((self._active - 1) % len(self._labels)))

    def key_right(self) -> None:
        self.post_message(self.Chosen((self._active + 1) % len(self._labels)))
