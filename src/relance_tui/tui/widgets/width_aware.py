"""Widgets that lay themselves out again whenever their width changes.

Textual posts `Resize` only for some layout passes: a widget squeezed when a sibling mounts
(the call checklist opening beside the case tabs) gets its new size without the event. The size
itself always goes through `Widget._size_updated`, so that is where the change is caught.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.geometry import Size
from textual.widget import Widget

if TYPE_CHECKING:
    _Base = Widget
else:  # a mixin placed before the widget class: a Widget base of its own would hide the
    _Base = object  # widget's component classes from Textual


class WidthAware(_Base):
    """Calls `width_changed()` after the refresh that follows any change of width."""

    _known_width = -1

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        changed: bool = super()._size_updated(size, virtual_size, container_size, layout)
        if size.width != self._known_width:
            self._known_width = size.width
            self.call_after_refresh(self.width_changed)
        return changed

    def width_changed(self) -> None:
        """Override: the widget's width is now `self.size.width`."""
