"""A Footer that is rebuilt only when the keys it shows change.

Textual's Footer recomposes (removes, re-mounts and re-styles every key) each time its screen's
bindings are refreshed: every focus change, `refresh_bindings` call and screen resume. Opening
a case did that seven times, ~50 ms each, to show the same keys. Here the refreshes of one
frame are folded into one, skipped when nothing shown would differ, and reduced to restyling
the keys concerned when only some keys are enabled or disabled (a case loading, then loaded).
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class BindingsFooter(Footer):
    def __init__(
        self,
        *,
        id: str | None = None,
        classes: str | None = None,
        show_command_palette: bool = True,
        compact: bool = False,
    ) -> None:
        super().__init__(
            id=id, classes=classes, show_command_palette=show_command_palette, compact=compact
        )
        self._layout: tuple[Hashable, ...] | None = None  # what the last compose drew
        self._enabled: tuple[bool, ...] = ()  # and which keys were enabled since
        self._queued = False

    def _drawn(self) -> tuple[tuple[Hashable, ...], tuple[bool, ...]]:
        """What `Footer.compose` draws from the screen's bindings (shown or not: the command
        palette key comes from a hidden binding): the keys, and apart whether each is enabled."""
        layout: list[Hashable] = []
        enabled: list[bool] = []
        for key, (_node, binding, on, tooltip) in self.screen.active_bindings.items():
            group = binding.group
            layout.append(
                (
                    key,
                    binding.key,
                    binding.action,
                    binding.description,
                    binding.show,
                    binding.key_display,
                    tooltip,
                    None if group is None else (group.description, group.compact),
                )
            )
            enabled.append(on)
        return tuple(layout), tuple(enabled)

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._layout, self._enabled = self._drawn()
        yield from super().compose()

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if not screen.is_current:  # redrawn when it comes back (a resume refreshes bindings)
            return
        if self.is_attached and screen is self.screen and not self._queued:
            self._queued = True
            self.call_after_refresh(self._redraw)

    async def _redraw(self) -> None:
        self._queued = False
        layout, enabled = self._drawn()
        if layout != self._layout:
            await self.recompose()
        elif enabled != self._enabled:  # the same keys, some enabled or disabled: restyle those
            self._enabled = enabled
            states = {
                (binding.key, binding.action): on
                for _node, binding, on, _tooltip in self.screen.active_bindings.values()
            }
            for footer_key in self.query(FooterKey):
                on = states.get((footer_key.key, footer_key.action), True)
                footer_key._disabled = not on  # what FooterKey(disabled=...) sets
                footer_key.set_class(not on, "-disabled")
