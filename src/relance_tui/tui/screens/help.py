"""`?`: every key of the screen underneath, read from the app's active bindings (generic)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from relance_tui.i18n import t
from relance_tui.tui.bindings import TranslatedBindings

KeyRow = tuple[str, str]  # (keys as shown, what they do)


def active_keys(app: App[Any], screen: Screen[Any] | None = None) -> list[KeyRow]:
    """The keys that work right now (focused widget, screen, app), grouped by action: on the
    current screen, or on `screen`. The keys in force: a keymap's, not the defaults.

    Only the application's own bindings (they carry an `id`) and the command palette are
    listed; Textual's built-in scrolling and focus keys are left out.
    """
    grouped: dict[tuple[str, str], list[str]] = {}
    for key, active in (screen if screen is not None else app.screen).active_bindings.items():
        binding = active.binding
        description = binding.description
        if binding.action in {"command_palette", "app.command_palette"}:
            description = t("key.palette")
        elif not description or binding.system or binding.id is None:
            continue
        shown = app.get_key_display(replace(binding, key=key, key_display=None))
        keys = grouped.setdefault((binding.action, description), [])
        if shown not in keys:
            keys.append(shown)
    return [(" / ".join(keys), description) for (_, description), keys in grouped.items()]


class HelpScreen(TranslatedBindings, ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "key.close", id="help.close"),
    ]

    def __init__(self, keys: list[KeyRow]) -> None:
        super().__init__()
        self.keys = keys

    @classmethod
    def for_app(cls, app: App[Any]) -> HelpScreen:
        """Read the bindings before this screen covers the one they belong to."""
        return cls(active_keys(app))

    def compose(self) -> ComposeResult:
        width = max((len(keys) for keys, _ in self.keys), default=4)
        table = Text()
        table.append(f"{t('queue.help.key'):<{width}}  {t('queue.help.action')}\n", style="bold")
        for keys, description in self.keys:
            table.append(f"{keys:<{width}}  ", style="bold")
            table.append(f"{description}\n")
        with Vertical(id="help-dialog"):
            yield Static(t("queue.help.title"), id="help-title")
            with VerticalScroll(id="help-keys"):
                yield Static(table, id="help-table")
            closing = " / ".join(keys for keys, _ in active_keys(self.app, self))
            yield Static(t("queue.help.close", keys=closing), id="help-close")

    def action_close(self) -> None:
        self.dismiss(None)
