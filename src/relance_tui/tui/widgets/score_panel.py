"""Why the selected case ranks where it does: urgency first, then each part of the score."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from relance_tui.domain.scoring import PARTS, top_parts
from relance_tui.formatting import money, percent
from relance_tui.i18n import t
from relance_tui.services.queue import QueueRow, urgency_key
from relance_tui.tui.widgets.queue_table import score_text

BAR_WIDTH = 10


def bar(share: float, width: int = BAR_WIDTH) -> str:
    filled = round(max(0.0, min(share, 1.0)) * width)
    return "█" * filled + "·" * (width - filled)


class ScorePanel(Widget):
    """Shows one case's breakdown; `show(None)` clears it. Compact (two lines) under the table
    on narrow terminals, with a bar per part beside it on wide ones."""

    # A plain widget redrawn in place: its size never depends on the case shown, so moving the
    # cursor repaints the panel without a layout pass (a Static's update() would cost one).

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.row: QueueRow | None = None
        self.compact = False

    def show(self, row: QueueRow | None) -> None:
        if row is not self.row:
            self.row = row
            self.refresh()

    def set_compact(self, compact: bool) -> None:
        if compact != self.compact:
            self.compact = compact
            self.refresh()

    def render(self) -> Text:
        return self.describe(self.row)

    def describe(self, row: QueueRow | None) -> Text:
        if row is None:
            return Text(t("queue.panel.none"), style="dim")
        text = Text(overflow="ellipsis")
        title = t("queue.panel.title")
        text.append(f"{title} — " if self.compact else f"{title}\n", style="bold underline")
        text.append(row.debtor_name, style="bold")
        text.append(
            (" · " if self.compact else "\n")
            + t("queue.panel.reference", reference=row.debtor_reference)
        )
        if row.strategic:
            text.append(" · " + t("queue.strategic"))
        text.append("\n")
        if row.urgency:
            text.append(
                "▲ " + t("queue.panel.urgent_first", label=t(urgency_key(row.urgency))),
                style="bold reverse",
            )
            text.append(" · " if self.compact else "\n")
        text.append(t("queue.panel.priority", score=score_text(row.priority)), style="bold")
        facts = [
            t("queue.panel.payer", payer=t(f"payer_type.{row.payer_type}")),
            t("queue.panel.risk", risk=row.risk_score),
        ]
        if row.disputed_cents:
            facts.append(t("queue.panel.disputed", amount=money(row.disputed_cents)))
        separator = " · " if self.compact else "\n"
        text.append(separator + separator.join(facts))
        parts = row.parts()
        ranked = top_parts(parts, len(PARTS))
        if self.compact:
            text.append("\n")
            text.append(
                ", ".join(f"{t(f'queue.part.{name}')} {percent(share)}" for name, share in ranked)
            )
            return text
        ranked += [(name, 0.0) for name in PARTS if name not in dict(ranked)]
        label_width = max(len(t(f"queue.part.{name}")) for name in PARTS)
        bar_width = max(3, min(BAR_WIDTH, self.content_region.width - label_width - 7))
        text.append("\n")
        for name, share in ranked:
            text.append("\n")
            text.append(f"{t(f'queue.part.{name}'):<{label_width}} ")
            text.append(bar(share, bar_width), style="bold" if share >= 0.2 else "")
            text.append(f" {percent(share):>5}")
        return text
