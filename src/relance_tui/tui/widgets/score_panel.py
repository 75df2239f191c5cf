"""Why the selected case ranks where it does: urgency first, then each part of the score."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from relance_tui.domain.scoring import PARTS, top_parts
from relance_tui.formatting import money, percent
from relance_tui.i18n import t
from relance_tui.services.queue import QueueRow, urgency_key
from relance_tui.tui.widgets.queue_table import score_text

BAR_WIDTH = 10


def bar(share: float, width: int = BAR_WIDTH) -> str:
    filled = round(max(0.0, min(share, 1.0)) * width)
    return "█" * filled + "·" * (width - filled)


class ScorePanel(Static):
    """Shows one case's breakdown; `show(None)` clears it. Compact (two lines) under the table
    on narrow terminals, with a bar per part beside it on wide ones."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(t("queue.panel.none"), id=id, classes=classes, markup=False)
        self.row: QueueRow | None = None
        self.compact = False

    def show(self, row: QueueRow | None) -> None:
        self.row = row
        self.update(self.describe(row))

    def set_compact(self, compact: bool) -> None:
        if compact != self.compact:
            self.compact = compact
            self.update(self.describe(self.row))

    def on_resize(self) -> None:
        if not self.compact:
            self.update(self.describe(self.row))

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
