"""The case file's small forms by the key that opens them: `p` promise, `d` dispute, `s` callback,
`e` note, and the hold on a case, the penalty waiver (outside a call)."""

from __future__ import annotations

from datetime import datetime

from relance_tui.services.casefile import CaseFile
from relance_tui.tui.dialogs.record import RecordDialog


def dialog_for(kind: str, case_file: CaseFile, now: datetime) -> RecordDialog:
    # Deferred: not loaded until first used (start-up time).
    from relance_tui.tui.dialogs.callback import CallbackDialog
    from relance_tui.tui.dialogs.dispute import DisputeDialog
    from relance_tui.tui.dialogs.hold import HoldDialog
    from relance_tui.tui.dialogs.note import NoteDialog
    from relance_tui.tui.dialogs.promise import PromiseDialog
    from relance_tui.tui.dialogs.waiver import WaiverDialog

    dialogs: dict[str, type[RecordDialog]] = {
        "promise": PromiseDialog,
        "dispute": DisputeDialog,
        "callback": CallbackDialog,
        "note": NoteDialog,
        "hold": HoldDialog,
        "waiver": WaiverDialog,
    }
    return dialogs[kind](case_file, now)
