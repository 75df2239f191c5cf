"""Why the selected case ranks where it does: urgency first, then each part of the score."""

from __future__ import annotations

from collections import OrderedDict
from typing import ClassVar, NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.visual import Visual, visualize

from relance_tui.domain.labels import PAYER_TYPE_KEYS
from relance_tui.domain.scoring import (
    PART_KEYS,
    PARTS,
    URGENCY_REASON_KEYS,
    top_parts,
    urgency_reason,
)
from relance_tui.domain.text import inert
from relance_tui.formatting import decimal, money, percent
from relance_tui.i18n import current_language, t
from relance_tui.services.queue import QueueRow
from relance_tui.tui.widgets.finished_lines import FinishedLines

BAR_WIDTH = 10
CACHE_SIZE = 64  # rendered panels kept (rows × width × layout): holding j/k revisits them

Piece = tuple[str, str]  # (text, style): one run of a line
Line = list[Piece]
TextLine = tuple[list[Segment], int]  # a line of the panel's text: its segments, its cells


RULE_BESIDE = "▏"  # Textual's "vkey" left border
RULE_ABOVE = "▔"  # Textual's "hkey" top border


class Frame(NamedTuple):
    """Where the panel's text sits: a rule and one column of padding either side."""

    before: tuple[Segment, ...]  # leading segments on every text line
    after: tuple[Segment, ...]
    above: tuple[Strip, ...]  # whole lines above the text
    blank: Strip  # a whole line without text
    background: Style  # what lines are padded with
    text_size: Size


def bar(share: float, width: int = BAR_WIDTH) -> str:
    filled = round(max(0.0, min(share, 1.0)) * width)
    return "█" * filled + "·" * (width - filled)


class ScorePanel(FinishedLines):
    """Shows one case's breakdown; `show(None)` clears it. Compact (a few lines) under the table
    on narrow terminals, with a bar per part beside it on wide ones."""

    # A plain widget redrawn in place: its size never depends on the case shown, so moving the
    # cursor repaints the panel without a layout pass (a Static's update() would cost one).
    # Drawn with the Line API: each line is a few segments built once per case, width and
    # layout (no rich wrapping on every repaint), and only the lines that changed are repainted.
    # The panel draws its rule (beside the rows, or above them when compact) and its padding
    # itself, each line built once per case: in a bordered container, Textual padded and cut
    # every changed line again (with one Strip per line: 23.3 → 21.9 M instructions per page
    # down).

    COMPONENT_CLASSES: ClassVar[set[str]] = {"score-panel--rule"}

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.row: QueueRow | None = None
        self.compact = False
        self._cache: OrderedDict[tuple[object, ...], list[Strip]] = OrderedDict()
        self._styles: dict[object, Style] = {}
        self._wraps: dict[tuple[object, ...], list[TextLine]] = {}
        self._last: tuple[tuple[object, ...], list[Strip]] | None = None
        self._shown: list[Strip] | None = None  # the strips on screen (None: repaint all)
        self._frame_made: tuple[tuple[int, int, bool], Frame] | None = None

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
        self._frame_made = None

    def on_resize(self) -> None:
        self._shown = None

    def render(self) -> Text:
        return self.describe(self.row)

    def render_line(self, y: int) -> Strip:
        if self.text_selection is not None:  # a mouse selection: drawn by Textual's text layout
            self._shown = None
            frame = self._frame()
            width, height = frame.text_size
            text = self._textual_lines(self.describe(self.row), width, height)
            strips = self._framed(text)
        else:
            strips = self._shown = self._strips()
        if 0 <= y < len(strips):
            return strips[y]
        return self._frame().blank

    def _frame(self) -> Frame:
        width, height = self.frame_size
        key = (width, height, self.compact)
        if self._frame_made is not None and self._frame_made[0] == key:
            return self._frame_made[1]
        background = self._blank_style()
        pad = Segment(" ", background)
        base_background, _ = self.background_colors
        rule_color = base_background + self.get_component_styles("score-panel--rule").color
        rule = self.truecolor(Style(color=rule_color.rich_color, bgcolor=background.bgcolor))
        before: tuple[Segment, ...]
        above: tuple[Strip, ...]
        if self.compact:
            before, above = (pad,), (Strip([Segment(RULE_ABOVE * width, rule)], width),)
            text_size = Size(max(0, width - 2), max(0, height - 1))
        else:
            before, above = (Segment(RULE_BESIDE, rule), pad), ()
            text_size = Size(max(0, width - 3), height)
        after = (pad,)
        blank = Strip([*before, Segment(" " * text_size.width, background), *after], width)
        frame = Frame(before, after, above, blank, background, text_size)
        self._frame_made = (key, frame)
        return frame

    def _framed(self, text: list[TextLine]) -> list[Strip]:
        """The text's lines inside the frame, as many as the panel is high."""
        frame = self._frame()
        width, height = self.frame_size
        text_width = frame.text_size.width
        background = frame.background
        before, after = frame.before, frame.after
        strips = list(frame.above)
        for segments, cells in text[: frame.text_size.height]:
            if cells < text_width:
                segments = [*segments, Segment(" " * (text_width - cells), background)]
            elif cells > text_width:
                segments = Segment.adjust_line_length(segments, text_width, background)
            strips.append(Strip([*before, *segments, *after], width))
        strips += [frame.blank] * (height - len(strips))
        return strips

    def _blank_style(self) -> Style:
        """The background, as Textual pads lines with it."""
        base_background, background = self.background_colors
        return Style(bgcolor=(base_background + background).rich_color)

    def _strips(self) -> list[Strip]:
        """The panel's lines for the current case, size and layout (cached)."""
        width, height = self.frame_size
        key = (self.row, width, height, self.compact, current_language())
        last = self._last
        if last is not None and last[0] == key:
            return last[1]
        strips = self._cache.get(key)
        if strips is None:
            strips = self._framed(self._text_lines(*self._frame().text_size))
            self._cache[key] = strips
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        self._last = (key, strips)
        return strips

    def _text_lines(self, width: int, height: int) -> list[TextLine]:
        """The lines of the panel's text, as Textual's text layout would make them."""
        row = self.row
        if row is None:
            return self._textual_lines(self.describe(row), width, height)
        styles = self._styles
        lines: list[TextLine] = []
        for y, line in enumerate(self.lines(row, width)):
            if len(lines) >= height:
                break
            runs: list[Piece] = []  # adjacent runs in one style merged, as Textual does
            for text, name in line:
                if not text:
                    continue
                if runs and runs[-1][1] == name:
                    runs[-1] = (runs[-1][0] + text, name)
                else:
                    runs.append((text, name))
            used = cell_len("".join(text for text, _ in runs))
            if used > width:
                # Too long for the panel: wrapped by Textual, as render() would be. The text
                # starts on line y so that the selection offsets in the styles stay the same.
                lines += self._wrapped(tuple(runs), y, width)
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
            lines.append((segments, used))
        return lines[:height]

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            base = self.visual_style.rich_style
            style = self._styles[name] = self.truecolor(base + Style.parse(name) if name else base)
        return style

    def _wrapped(self, runs: tuple[Piece, ...], y: int, width: int) -> list[TextLine]:
        """A line too long for the panel, wrapped by Textual (the urgency line repeats: kept)."""
        key = (runs, y, width)
        lines = self._wraps.get(key)
        if lines is None:
            text = Text("\n" * y, overflow="ellipsis")
            for piece, name in runs:
                text.append(piece, style=name)
            lines = self._textual_lines(text, width, None)[y:]
            if len(self._wraps) >= CACHE_SIZE:
                self._wraps.clear()
            self._wraps[key] = lines
        return lines

    def _textual_lines(self, text: Text, width: int, height: int | None) -> list[TextLine]:
        visual = visualize(self, text, markup=False)
        strips = Visual.to_strips(self, visual, width, height, self.visual_style)
        return [(list(s), s.cell_length) for s in map(self.truecolor_strip, strips)]

    def describe(self, row: QueueRow | None) -> Text:
        if row is None:
            return Text(t("queue.panel.none"), style="dim")
        text = Text(overflow="ellipsis")
        for number, line in enumerate(self.lines(row, self._frame().text_size.width)):
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
        reference = t("queue.panel.reference", reference=inert(row.debtor_reference))
        name = inert(row.debtor_name)
        strategic = [(" · " + t("queue.strategic"), "")] if row.strategic else []
        lines: list[Line]
        if compact:
            lines = [
                [(f"{title} — ", "bold underline"), (name, "bold")],
            ]
            lines[0] += [(" · " + reference, ""), *strategic]
        else:
            lines = [
                [(title, "bold underline")],
                [(name, "bold")],
                [(reference, ""), *strategic],
            ]
        line: Line = []
        if row.urgency:
            if row.urgency > 0:
                urgent = "▲ " + t(
                    "queue.panel.urgent_first",
                    label=t(URGENCY_REASON_KEYS[urgency_reason(row.urgency, row.next_action)]),
                )
            else:
                urgent = "▼ " + t("queue.panel.worked_today")
            line.append((urgent, "bold reverse"))
            if compact:
                line.append((" · ", ""))
            else:
                lines.append(line)
                line = []
        line.append((t("queue.panel.priority", score=decimal(row.priority)), "bold"))
        facts = [
            t("queue.panel.payer", payer=t(PAYER_TYPE_KEYS[row.payer_type])),
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
            text = ", ".join(f"{t(PART_KEYS[name])} {percent(share)}" for name, share in ranked)
            lines.append([(text, "")])
            return lines
        ranked += [(name, 0.0) for name in PARTS if name not in dict(ranked)]
        label_width = max(len(t(PART_KEYS[name])) for name in PARTS)
        bar_width = max(3, min(BAR_WIDTH, width - label_width - 7))
        lines.append([])
        for name, share in ranked:
            lines.append(
                [
                    (f"{t(PART_KEYS[name]):<{label_width}} ", ""),
                    (bar(share, bar_width), "bold" if share >= 0.2 else ""),
                    (f" {percent(share):>5}", ""),
                ]
            )
        return lines
