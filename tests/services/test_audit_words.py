"""The audit trail in words (`relance audit`): every action the program records has a label,
and the codes and moments in an event's detail are shown as a person reads them."""

from __future__ import annotations

import re
from pathlib import Path

import relance_tui
from relance_tui.domain.enums import InteractionChannel, PlanStatus, PromiseStatus
from relance_tui.formatting import money
from relance_tui.services.audit_lines import AUDIT_ACTION_KEYS, action_label, summary
from relance_tui.services.importing.fields import ImportKind
from relance_tui.storage.audit import AuditRow

SOURCE = Path(relance_tui.__file__).parent
WRITTEN = re.compile(r"""action="([a-z_]+\.[a-z_]+)"|'(import\.[a-z_]+)'""")


def recorded_actions() -> set[str]:
    """The actions the code writes: the literals, and the families built from an enum."""
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        for match in WRITTEN.finditer(path.read_text(encoding="utf-8")):
            found.add(match.group(1) or match.group(2))
    found |= {f"{channel.value}.record" for channel in InteractionChannel}
    found |= {f"plan.{status.value}" for status in PlanStatus}
    found |= {f"promise.{status.value}" for status in PromiseStatus if status != "pending"}
    found |= {f"import.{kind.value}" for kind in ImportKind}
    return found


def test_every_action_the_program_records_has_words() -> None:
    actions = recorded_actions()
    assert {"dunning.step", "letter.produce", "import.invoice_change"} <= actions  # the scan works
    assert sorted(actions - AUDIT_ACTION_KEYS.keys()) == []
    assert action_label("penalties.waive") == "Pénalités abandonnées"


def row(entity: str, after: str, action: str = "x.y") -> AuditRow:
    return AuditRow(1, "2026-12-03T19:23:56+00:00", "agent1", action, entity, "1", None, after, "")


def test_codes_and_moments_read_as_words() -> None:
    call = row(
        "case",
        '{"outcome": "right_party", "cause": "cash_flow", "resolution": "callback",'
        ' "due_at": "2026-12-04T09:00:00+00:00", "next_action_on": "2026-12-04"}',
    )
    assert summary(call, full=True) == (
        "outcome=Bon interlocuteur, cause=Difficultés de trésorerie, resolution=Rappel demandé,"
        " due_at=04/12/2026 10:00, next_action_on=04/12/2026"
    )
    invoice = row("invoice", '{"outstanding_cents": 18382, "status": "partially_paid"}')
    assert summary(invoice) == f"outstanding={money(18382)}, status=payée en partie"
    promise = row("promise", '{"status": "broken"}')
    assert summary(promise) == "status=non tenue"
    # Recorded on the case, about a plan: the action says what the status belongs to.
    plan = row("case", '{"status": "completed", "frequency": "monthly"}', "plan.completed")
    assert summary(plan) == "status=soldé, frequency=Mensuelle"
    closed = row("case", '{"status": "closed", "in_dispute": false}', "import.case_close")
    assert summary(closed) == "status=clos, in_dispute=non"
