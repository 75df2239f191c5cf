"""Widgets whose new size costs no second layout of the screen.

During a layout Textual gives each widget its new size and, when the size changed, sets it as a
reactive whose watcher asks for another layout of the whole screen: the case screen was laid
out and painted twice whenever a case's summary was a line longer or shorter than the previous
case's, or had a warning line where the previous one had none. The layout that measured the
widget has placed it and its children already; scrollbars that come or go ask for their own
layout (`show_vertical_scrollbar` is a reactive of its own). Widgets that lay out their content
from their size (tables) keep Textual's way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import Horizontal, VerticalScroll
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Static

if TYPE_CHECKING:
    _Base = Widget
else:  # a mixin placed before the widget class (as WidthAware)
    _Base = object


class LaidOutOnce(_Base):
    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        changed: bool = super()._size_updated(size, virtual_size, container_size, layout=False)
        return changed


class OnceStatic(LaidOutOnce, Static):
    pass


class OnceHorizontal(LaidOutOnce, Horizontal):
    pass


class OnceVerticalScroll(LaidOutOnce, VerticalScroll):
    pass


class OnceContentSwitcher(LaidOutOnce, ContentSwitcher):
    pass
