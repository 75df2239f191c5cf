"""`relance audit verify`: check the audit trail's hash chain, name its first broken link.

Exit code 0 when the chain holds (the head's id and seal are printed, to note elsewhere: a
trail rewritten whole would no longer end with that seal), 1 when it is broken.
"""

from __future__ import annotations

import argparse
import sys

from relance_tui.cli import common
from relance_tui.i18n import t


def verify(args: argparse.Namespace) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.services.audit_chain import describe, verify_trail
    from relance_tui.services.permissions import NotAllowedError

    conn = common.open_db(args)
    try:
        viewer = common.current_identity(args, conn).agent
        try:
            verdict = verify_trail(conn, viewer)
        except NotAllowedError as error:
            raise common.CliError(str(error)) from error
    finally:
        conn.close()
    if verdict.broken is not None:
        print(
            t("audit_chain.broken", id=verdict.broken.event_id, reason=describe(verdict.broken)),
            file=sys.stderr,
        )
        return common.EXIT_BAD_INPUT
    if not verdict.last_id:
        print(t("audit_chain.empty"))
    else:
        print(
            t("audit_chain.ok", count=verdict.checked, id=verdict.last_id, seal=verdict.last_seal)
        )
    return common.EXIT_OK
