"""Line API widgets that make their lines in truecolor themselves, once.

Textual passes every line it repaints through the app's ANSI → truecolor filter, which copies
the line (a new strip, new segments) even when every colour is truecolor already. The queue's
table and score panel repaint dozens of lines per page down from a handful of styles: they
convert those styles once (`truecolor`) and leave that filter out of theirs. The other filters
(no colour, monochrome, dim) still apply.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from textual.filter import ANSIToTruecolor, LineFilter
from textual.strip import Strip
from textual.widget import Widget


class TruecolorLines(Widget):
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
