"""`?`: every key of the screen underneath, read from the app's active bindings (generic)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from relance_tui.i18n import t
from relance_tui.tui.bindings import TranslatedBindings

KeyRow = tuple[str, str]  # (keys as shown, what they do)
FRAME_LINES = 7  # the dialog's border, title and its margin, table header, closing line
TWO_COLUMNS_WIDTH = 80


def active_keys(app: App[Any], screen: Screen[Any] | None = None) -> list[KeyRow]:
    """The keys that work right now (focused widget, screen, app), grouped by action: on the
    current screen, or on `screen`. The keys in force: a keymap's, not the defaults.

    Only the application's own bindings (they carry an `id`) and the command palette are
    listed; Textual's built-in scrolling and focus keys are left out.
    """
    grouped: dict[tuple[str, str], list[str]] = {}
    for key, active in (screen if screen is not None else app.screen).active_bindings.items():
        binding = active.binding
        # The footer's label may cover a pair of keys (`j/k Bas/haut`): here each key has its
        # own line, with its own label when the binding gives one (its tooltip).
        description = binding.tooltip or binding.description
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

    def __init__(self, keys: list[KeyRow], notes: list[str] | None = None) -> None:
        super().__init__()
        self.keys = keys
        self.notes = notes or []  # what the screen underneath explains besides its keys

    @classmethod
    def for_app(cls, app: App[Any]) -> HelpScreen:
        """Read the bindings before this screen covers the one they belong to."""
        notes = getattr(app.screen, "help_notes", None)
        return cls(active_keys(app), notes() if callable(notes) else None)

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Static(t("queue.help.title"), id="help-title")
            with VerticalScroll(id="help-keys"):
                yield Static(self._table(), id="help-table")
            for note in self.notes:
                yield Static(note, classes="help-note", markup=False)
            closing = " / ".join(keys for keys, _ in active_keys(self.app, self))
            yield Static(t("queue.help.close", keys=closing), id="help-close", markup=False)

    def _table(self) -> Table:
        """The keys in one column pair, or two side by side when one would not fit the height
        (80×24 with the queue's twenty keys)."""
        room = self.app.size.height - FRAME_LINES - 2 * len(self.notes)
        halves = 2 if len(self.keys) + 1 > room and self.app.size.width >= TWO_COLUMNS_WIDTH else 1
        self.set_class(halves == 2, "-two-columns")
        table = Table.grid(padding=(0, 1))
        for half in range(halves):
            table.add_column(style="bold", no_wrap=True)
            table.add_column(no_wrap=True, overflow="ellipsis")
            if half + 1 < halves:
                table.add_column(width=1)  # the gap between the two pairs
        per_column = -(-len(self.keys) // halves)
        columns = [self.keys[n * per_column : (n + 1) * per_column] for n in range(halves)]
        header = [Text(t("queue.help.key"), style="bold"), Text(t("queue.help.action"), "bold")]
        table.add_row(*self._joined([header] * halves))
        for line in range(per_column):
            cells = []
            for column in columns:
                keys, description = column[line] if line < len(column) else ("", "")
                cells.append([Text(keys), Text(description)])
            table.add_row(*self._joined(cells))
        return table

    @staticmethod
    def _joined(pairs: list[list[Text]]) -> list[Text]:
        cells: list[Text] = []
        for n, pair in enumerate(pairs):
            cells += pair
            if n + 1 < len(pairs):
                cells.append(Text(""))
        return cells

    def action_close(self) -> None:
        self.dismiss(None)
