"""Line API widgets whose `render_line` makes finished lines, drawn without Textual's extra passes.

The queue's table and score panel repaint dozens of lines per page down from a handful of
styles. Two of Textual's passes over each repainted line did nothing for them but copy it:
- the app's ANSI → truecolor filter: these widgets convert their few styles once (`truecolor`)
  and leave that filter out (the other filters — no colour, monochrome, dim — still apply);
- the CSS pass (padding, border, outline, hatch, tint, opacity): when the widget has none of
  these (`plain_styles`), `render_lines` hands Textual the lines `render_line` made.
A test holds both ways equal, line for line (tests/tui/test_queue_screen.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from textual.filter import ANSIToTruecolor, LineFilter
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget


def plain_styles(widget: Widget) -> bool:
    """True when Textual's CSS pass over the widget's lines would leave them as they are: no
    padding, border, outline, hatch, tint or opacity."""
    styles = widget.styles
    return (
        not any(styles.padding)
        and not any(edge for edge, _ in styles.border)
        and not any(edge for edge, _ in styles.outline)
        and not (styles.has_rule("hatch") and styles.hatch != "none")
        and styles.tint.a == 0
        and styles.text_opacity == 1.0
        and widget.opacity == 1.0
    )


class FinishedLines(Widget):
    _frame_size: Size | None = None  # while render_lines draws a frame

    @property
    def frame_size(self) -> Size:
        """The widget's size (worked out once per frame while a frame is drawn)."""
        return self._frame_size or self.size

    def render_lines(self, crop: Region) -> list[Strip]:
        if not plain_styles(self):
            return super().render_lines(crop)
        size = self.size
        self._frame_size = size
        try:
            strips = [self.render_line(y) for y in crop.line_range]
        finally:
            self._frame_size = None
        base_background, background = self.background_colors
        # Short lines are padded with the background, as the CSS pass does.
        padding = Style(bgcolor=(base_background + background).rich_color)
        strips = [strip.adjust_cell_length(size.width, padding) for strip in strips]
        for line_filter in self.get_line_filters():
            strips = [strip.apply_filter(line_filter, background) for strip in strips]
        if crop.column_span != (0, size.width):
            start, end = crop.column_span
            strips = [strip.crop(start, end) for strip in strips]
        return strips

    def get_line_filters(self) -> Sequence[LineFilter]:
        return [f for f in super().get_line_filters() if not isinstance(f, ANSIToTruecolor)]

    def _truecolor_filter(self) -> ANSIToTruecolor | None:
        return next(
            (f for f in self.app.get_line_filters() if isinstance(f, ANSIToTruecolor)), None
        )

    def truecolor(self, style: Style) -> Style:
        """`style` as the app's ANSI → truecolor filter would leave it on this widget."""
        found = self._truecolor_filter()
        if found is None:
            return style
        return found.truecolor_style(style, self.background_colors[1].rich_color)

    def truecolor_strip(self, strip: Strip) -> Strip:
        """`strip` as the app's ANSI → truecolor filter would leave it on this widget."""
        found = self._truecolor_filter()
        return strip if found is None else strip.apply_filter(found, self.background_colors[1])
