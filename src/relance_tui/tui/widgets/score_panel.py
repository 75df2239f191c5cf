"""Why the selected case ranks where it does: urgency first, then each part of the score."""

from __future__ import annotations

from collections import OrderedDict

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.visual import Visual, visualize

from relance_tui.domain.scoring import PARTS, top_parts
from relance_tui.formatting import decimal, money, percent
from relance_tui.i18n import current_language, t
from relance_tui.services.queue import QueueRow, urgency_key
from relance_tui.tui.widgets.finished_lines import FinishedLines

BAR_WIDTH = 10
CACHE_SIZE = 64  # rendered panels kept (rows × width × layout): holding j/k revisits them

Piece = tuple[str, str]  # (text, style): one run of a line
Line = list[Piece]


def bar(share: float, width: int = BAR_WIDTH) -> str:
    filled = round(max(0.0, min(share, 1.0)) * width)
    return "█" * filled + "·" * (width - filled)


class ScorePanel(FinishedLines):
    """Shows one case's breakdown; `show(None)` clears it. Compact (two lines) under the table
    on narrow terminals, with a bar per part beside it on wide ones."""

    # A plain widget redrawn in place: its size never depends on the case shown, so moving the
    # cursor repaints the panel without a layout pass (a Static's update() would cost one).
    # Drawn with the Line API: each line is a few segments built once per case, width and
    # layout (no rich wrapping on every repaint), and only the lines that changed are repainted.

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.row: QueueRow | None = None
        self.compact = False
        self._cache: OrderedDict[tuple[object, ...], list[Strip]] = OrderedDict()
        self._styles: dict[object, Style] = {}
        self._wraps: dict[tuple[object, ...], list[Strip]] = {}
        self._last: tuple[tuple[object, ...], list[Strip]] | None = None
        self._shown: list[Strip] | None = None  # the strips on screen (None: repaint all)

    def show(self, row: QueueRow | None) -> None:
        if row is not self.row:
            self.row = row
            self._repaint()

    def set_compact(self, compact: bool) -> None:
        if compact != self.compact:
            self.compact = compact
            self._shown = None
            self.refresh()

    def _repaint(self) -> None:
        """Refresh the lines that differ from those on screen (all of them if unknown)."""
        shown = self._shown
        width = self.size.width
        if shown is None or self.text_selection is not None or not width:
            self.refresh()
            return
        strips = self._strips()
        changed = [
            Region(0, y, width, 1)
            for y in range(max(len(shown), len(strips)))
            if (shown[y] if y < len(shown) else None) != (strips[y] if y < len(strips) else None)
        ]
        if changed:
            self.refresh(*changed)
        self._shown = strips

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()
        self._last = None
        self._styles.clear()
        self._wraps.clear()
        self._shown = None

    def on_resize(self) -> None:
        self._shown = None

    def render(self) -> Text:
        return self.describe(self.row)

    def render_line(self, y: int) -> Strip:
        if self.text_selection is not None:  # a mouse selection: drawn the Widget way
            self._shown = None
            return super().render_line(y)
        strips = self._shown = self._strips()
        if 0 <= y < len(strips):
            return strips[y]
        return Strip.blank(self.frame_size.width, self._style(""))

    def _strips(self) -> list[Strip]:
        """The panel's lines for the current case, size and layout (cached)."""
        width, height = self.frame_size
        key = (self.row, width, height, self.compact, current_language())
        last = self._last
        if last is not None and last[0] == key:
            return last[1]
        strips = self._cache.get(key)
        if strips is None:
            strips = self._render_strips(width, height)
            self._cache[key] = strips
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        self._last = (key, strips)
        return strips

    def _render_strips(self, width: int, height: int) -> list[Strip]:
        row = self.row
        if row is None:
            return self._textual_strips(self.describe(row), width, height)
        styles = self._styles
        strips: list[Strip] = []
        for y, line in enumerate(self.lines(row, width)):
            if len(strips) >= height:
                break
            runs: list[Piece] = []  # adjacent runs in one style merged, as Textual does
            for text, name in line:
                if not text:
                    continue
                if runs and runs[-1][1] == name:
                    runs[-1] = (runs[-1][0] + text, name)
                else:
                    runs.append((text, name))
            if cell_len("".join(text for text, _ in runs)) > width:
                # Too long for the panel: wrapped by Textual, as render() would be. The text
                # starts on line y so that the selection offsets in the styles stay the same.
                strips += self._wrapped(tuple(runs), y, width)
                continue
            segments = []
            x = 0
            for text, name in runs or [("", "")]:  # a blank line: one empty segment, as Textual
                # The offset in the style's meta, as Textual's text layout puts it there (for
                # mouse selection); a few hundred distinct styles, made once.
                style = styles.get((name, x, y))
                if style is None:
                    style = styles[name, x, y] = self._style(name) + Style.from_meta(
                        {"offset": (x, y)}
                    )
                segments.append(Segment(text, style))
                x += len(text)
            strips.append(Strip(segments))
        return strips[:height]

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            base = self.visual_style.rich_style
            style = self._styles[name] = self.truecolor(base + Style.parse(name) if name else base)
        return style

    def _wrapped(self, runs: tuple[Piece, ...], y: int, width: int) -> list[Strip]:
        """A line too long for the panel, wrapped by Textual (the urgency line repeats: kept)."""
        key = (runs, y, width)
        strips = self._wraps.get(key)
        if strips is None:
            text = Text("\n" * y, overflow="ellipsis")
            for piece, name in runs:
                text.append(piece, style=name)
            strips = self._textual_strips(text, width, None)[y:]
            if len(self._wraps) >= CACHE_SIZE:
                self._wraps.clear()
            self._wraps[key] = strips
        return strips

    def _textual_strips(self, text: Text, width: int, height: int | None) -> list[Strip]:
        visual = visualize(self, text, markup=False)
        strips = Visual.to_strips(self, visual, width, height, self.visual_style)
        return [self.truecolor_strip(strip) for strip in strips]

    def describe(self, row: QueueRow | None) -> Text:
        if row is None:
            return Text(t("queue.panel.none"), style="dim")
        text = Text(overflow="ellipsis")
        for number, line in enumerate(self.lines(row, self.content_region.width)):
            if number:
                text.append("\n")
            for piece, style in line:
                text.append(piece, style=style)
        return text

    def lines(self, row: QueueRow | None, width: int) -> list[Line]:
        """The panel's text, line by line, each a list of (text, style) runs."""
        if row is None:
            return [[(t("queue.panel.none"), "dim")]]
        compact = self.compact
        title = t("queue.panel.title")
        reference = t("queue.panel.reference", reference=row.debtor_reference)
        strategic = [(" · " + t("queue.strategic"), "")] if row.strategic else []
        lines: list[Line]
        if compact:
            lines = [
                [(f"{title} — ", "bold underline"), (row.debtor_name, "bold")],
            ]
            lines[0] += [(" · " + reference, ""), *strategic]
        else:
            lines = [
                [(title, "bold underline")],
                [(row.debtor_name, "bold")],
                [(reference, ""), *strategic],
            ]
        line: Line = []
        if row.urgency:
            urgent = "▲ " + t("queue.panel.urgent_first", label=t(urgency_key(row.urgency)))
            line.append((urgent, "bold reverse"))
            if compact:
                line.append((" · ", ""))
            else:
                lines.append(line)
                line = []
        line.append((t("queue.panel.priority", score=decimal(row.priority)), "bold"))
        facts = [
            t("queue.panel.payer", payer=t(f"payer_type.{row.payer_type}")),
            t("queue.panel.risk", risk=row.risk_score),
        ]
        if row.disputed_cents:
            facts.append(t("queue.panel.disputed", amount=money(row.disputed_cents)))
        if compact:
            line.append((" · " + " · ".join(facts), ""))
            lines.append(line)
        else:
            lines.append(line)
            lines += [[(fact, "")] for fact in facts]
        parts = row.parts()
        ranked = top_parts(parts, len(PARTS))
        if compact:
            text = ", ".join(
                f"{t(f'queue.part.{name}')} {percent(share)}" for name, share in ranked
            )
            lines.append([(text, "")])
            return lines
        ranked += [(name, 0.0) for name in PARTS if name not in dict(ranked)]
        label_width = max(len(t(f"queue.part.{name}")) for name in PARTS)
        bar_width = max(3, min(BAR_WIDTH, width - label_width - 7))
        lines.append([])
        for name, share in ranked:
            lines.append(
                [
                    (f"{t(f'queue.part.{name}'):<{label_width}} ", ""),
                    (bar(share, bar_width), "bold" if share >= 0.2 else ""),
                    (f" {percent(share):>5}", ""),
                ]
            )
        return lines
