"""The footer: the keys of the active screen, drawn by one widget.

Textual's Footer mounts one widget per key, and every widget costs on each frame and idle cycle
(message pump, compositor map) and again when a screen is composed. This footer renders all the
keys as one line of content; a click on a key runs its binding through `@click` meta.

Bindings are refreshed on every focus change, `refresh_bindings` call and screen resume: the
refreshes of one frame are folded into one, and the line is repainted only when what it shows
differs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, NamedTuple

from rich.style import Style as RichStyle
from textual.content import Content
from textual.reactive import reactive
from textual.style import Style
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.screen import Screen

PALETTE_SEPARATOR = "▏"  # what Textual's Footer draws left of the palette key (a vkey border)
PALETTE_ACTIONS = frozenset({"command_palette", "app.command_palette"})
# Always shown: with them the agent finds every other key (`?`) and the way out.
ESSENTIAL_ACTIONS = frozenset({"help", "app.help", "quit", "app.quit", "quit_case"})
# When the line is too long, these go first (in this order), then the others from the right.
FIRST_DROPPED = (
    "cursor_down",
    "cursor_up",
    "page_down",
    "page_up",
    "top",
    "bottom",
    "next_page",
    "previous_page",
    "reload",
    "refresh",
    "clear",
    "portfolio",
    "reassign",
    "agenda",
    "filters",
    "search",
)


class FooterItem(NamedTuple):
    key: str  # the key of `screen.active_bindings`, what a click presses
    key_display: str
    description: str
    enabled: bool
    action: str = ""


class BindingsFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "bindings-footer--key",
        "bindings-footer--description",
        "bindings-footer--disabled",
        "bindings-footer--hover",
        "bindings-footer--separator",
    }

    compact = reactive(False, toggle_class="-compact")
    """Less whitespace: no padding around keys, one space between entries."""

    def __init__(
        self,
        *,
        id: str | None = None,
        classes: str | None = None,
        show_command_palette: bool = True,
        compact: bool = False,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.show_command_palette = show_command_palette
        self.set_reactive(BindingsFooter.compact, compact)
        self.set_class(compact, "-compact", update=False)
        # Link styles would recolour every clickable key; hover is drawn here instead.
        self.set_reactive(Widget.auto_links, False)
        self._items: tuple[FooterItem, ...] = ()
        self._palette: FooterItem | None = None
        self._hover: str | None = None  # the key under the mouse
        self._queued = False

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[object]) -> None:
        if not screen.app.app_focus:
            return
        if not screen.is_current:  # read when it comes back (a resume refreshes bindings)
            return
        if self.is_attached and screen is self.screen and not self._queued:
            self._queued = True
            self.call_after_refresh(self._update)

    def _update(self) -> None:
        self._queued = False
        items, palette = self._shown()
        if items != self._items or palette != self._palette:
            self._items, self._palette = items, palette
            self.refresh()

    def _shown(self) -> tuple[tuple[FooterItem, ...], FooterItem | None]:
        """What Textual's Footer shows: the first shown binding of each action, in order, and
        the command palette key (a hidden binding) on the right."""
        app = self.app
        active = self.screen.active_bindings
        items: dict[str, FooterItem] = {}
        for key, (_node, binding, enabled, _tooltip) in active.items():
            if binding.show and binding.action not in items:
                display = app.get_key_display(binding)
                items[binding.action] = FooterItem(
                    key, display, binding.description, enabled, binding.action
                )
        palette = None
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            # Found by its action: a keymap may have moved it off COMMAND_PALETTE_BINDING.
            for key, (_node, binding, enabled, _tooltip) in active.items():
                if binding.action in PALETTE_ACTIONS:
                    palette = FooterItem(
                        key, app.get_key_display(binding), binding.description, enabled
                    )
                    break
        return tuple(items.values()), palette

    def _entry(self, item: FooterItem, compact: bool) -> Content:
        key_style = self.get_visual_style("bindings-footer--key", partial=True)
        description_style = self.get_visual_style("bindings-footer--description", partial=True)
        extra = Style.from_meta({"@click": f"press({item.key!r})", "footer_key": item.key})
        if not item.enabled:
            extra += self.get_visual_style("bindings-footer--disabled", partial=True)
        if item.key == self._hover:
            extra += self.get_visual_style("bindings-footer--hover", partial=True)
        if not item.description:
            return Content.assemble((item.key_display, key_style + extra))
        key = item.key_display if compact else f" {item.key_display} "
        description = f" {item.description}" if compact else f"{item.description} "
        return Content.assemble((key, key_style + extra), (description, description_style + extra))

    def render(self) -> Content:
        compact = self.compact
        width = self.size.width
        right = Content("")
        if self._palette is not None:
            separator = self.get_visual_style("bindings-footer--separator", partial=True)
            right = Content.assemble(
                (PALETTE_SEPARATOR, separator),
                self._entry(self._palette, compact=True),  # Textual draws this one compact
                "" if compact else " ",
            )
        gap = " " if compact else ""
        left_width = max(width - right.cell_length, 0)
        entries = [self._entry(item, compact) for item in self._items]
        kept = fitted(self._items, [entry.cell_length for entry in entries], len(gap), left_width)
        left = Content(gap).join(entry for entry, keep in zip(entries, kept, strict=True) if keep)
        return left.truncate(left_width, pad=True) + right

    def watch_hover_style(self, previous_hover_style: RichStyle, hover_style: RichStyle) -> None:
        meta = hover_style.meta
        hover = meta.get("footer_key") if meta else None
        if hover != self._hover:
            self._hover = hover
            self.refresh()

    async def action_press(self, key: str) -> None:
        """Run the binding a click landed on, as its key would (a disabled one rings)."""
        found = self.screen.active_bindings.get(key)
        if found is None or not found.enabled:
            self.app.bell()
            return
        await self.app.run_action(found.binding.action, found.node)


def fitted(
    items: tuple[FooterItem, ...] | list[FooterItem], widths: list[int], gap: int, room: int
) -> list[bool]:
    """Which entries stay so that the line fits `room` cells: the least useful go first
    (moves, reloads…, then from the right); `?` and `q` always stay."""
    kept = [True] * len(items)

    def length() -> int:
        shown = [width for width, keep in zip(widths, kept, strict=True) if keep]
        return sum(shown) + gap * max(len(shown) - 1, 0)

    actions = [item_action(item) for item in items]
    rank = {action: n for n, action in enumerate(FIRST_DROPPED)}
    order = sorted(
        (n for n, action in enumerate(actions) if action not in ESSENTIAL_ACTIONS),
        key=lambda n: (rank.get(actions[n], len(rank)), -n),
    )
    for victim in order:
        if length() <= room:
            break
        kept[victim] = False
    return kept


def item_action(item: FooterItem) -> str:
    return item.action.rsplit(".", 1)[-1] if "." in item.action else item.action
