"""A horizontal bar chart drawn with block characters: one labelled bar per bucket, scaled to
the widget's width, the amount after it. Textual has no bar chart of its own; a few lines of
`Text` keep it in 16 colours and plain SSH, like the rest of the app."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from relance_tui.formatting import money_short

EIGHTHS = " ▏▎▍▌▋▊▉"


class AgedBars(Widget):
    DEFAULT_CSS = """
    AgedBars {
        height: auto;
    }
    AgedBars > .aged-bars--late {
        color: $error;
    }
    AgedBars > .aged-bars--due {
        color: $success;
    }
    """
    COMPONENT_CLASSES = {"aged-bars--late", "aged-bars--due"}  # noqa: RUF012 (Textual's API)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.bars: list[tuple[str, int]] = []

    def show(self, bars: list[tuple[str, int]]) -> None:
        """(label, cents) per bar, top to bottom; the first is money not yet due."""
        self.bars = bars
        self.refresh(layout=True)

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return max(1, len(self.bars))

    def render(self) -> Text:
        if not self.bars:
            return Text("")
        label_width = max(len(label) for label, _ in self.bars)
        amounts = [money_short(cents) for _, cents in self.bars]
        amount_width = max(len(a) for a in amounts)
        room = max(4, self.size.width - label_width - amount_width - 3)
        largest = max(cents for _, cents in self.bars) or 1
        text = Text()
        for n, ((label, cents), amount) in enumerate(zip(self.bars, amounts, strict=True)):
            eighths = round(room * 8 * cents / largest)
            bar = "█" * (eighths // 8) + (EIGHTHS[eighths % 8] if eighths % 8 else "")
            style = self.get_component_rich_style("aged-bars--due" if n == 0 else "aged-bars--late")
            text.append(label.ljust(label_width) + " ")
            text.append(bar.ljust(room), style=style)
            text.append(" " + amount.rjust(amount_width))
            if n < len(self.bars) - 1:
                text.append("\n")
        return text
