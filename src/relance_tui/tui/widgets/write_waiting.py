"""The line that says a save is waiting for another process's write ("enregistrement en attente…").

The app (tui/database.py) mounts it on the screen shown when a write starts to wait, and removes
it when no write waits any more; keys keep working meanwhile (the wait is on a database thread).
"""

from __future__ import annotations

from textual.widgets import Static

from relance_tui.i18n import t


class WriteWaiting(Static):
    DEFAULT_CSS = """
    WriteWaiting {
        dock: top;
        height: 1;
        width: 100%;
        padding: 0 1;
        color: $text-warning;
        background: $warning-muted;
        text-style: bold;
    }
    """

    def __init__(self) -> None:
        super().__init__(t("write_waiting.saving"), markup=False, id="write-waiting")
