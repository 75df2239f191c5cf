"""`relance queue`: print the ranked work queue, with why each case ranks where it does."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from relance_tui.cli import common
from relance_tui.cli.output import json_text
from relance_tui.i18n import t, tn

if TYPE_CHECKING:
    from relance_tui.services.queue import QueueRow

DEFAULT_LIMIT = 20


def register(subparsers: Any) -> None:
    parser = common.command(subparsers, "queue", t("cli.queue.help"))
    parser.add_argument(
        "--agent", dest="view_agent", metavar=t("cli.metavar.login"), help=t("cli.queue.agent")
    )
    parser.add_argument(
        "--limit",
        type=common.integer(1, common.MAX_COUNT),
        default=DEFAULT_LIMIT,
        metavar="N",
        help=t("cli.queue.limit", default=DEFAULT_LIMIT),
    )
    parser.add_argument("--json", action="store_true", help=t("cli.queue.json"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.services import queue
    from relance_tui.services.permissions import NotAllowedError, portfolio_scope

    settings = common.settings(args)
    conn = common.open_db(args)
    try:
        me = common.current_identity(args, conn).agent
        try:
            target = portfolio_scope(conn, me, args.view_agent)
        except NotAllowedError as error:
            raise common.CliError(str(error)) from error
        agent_id = None if target is None else target.id
        who = t("queue.everyone") if target is None else target.login
        now = datetime.now(UTC)
        queue.refresh_queue(conn, settings, now)
        query = queue.build_query(conn, queue.QueueFilters(agent_id=agent_id))
        counts = queue.count_queue(conn, query)
        rows = queue.page_after(conn, query, None, args.limit)
    finally:
        conn.close()
    today = queue.business_day(now)
    if args.json:
        payload = {
            "agent": None if agent_id is None else who,
            "total": counts.total,
            "urgent": counts.urgent,
            "cases": [_as_json(row, today, rank) for rank, row in enumerate(rows, 1)],
        }
        print(json_text(payload, indent=2))
        return common.EXIT_OK
    total, urgent = tn("queue.cases", counts.total), tn("queue.urgent", counts.urgent)
    if not counts.total:
        print(t("cli.queue.header_none", who=who))
    elif not counts.urgent:
        print(t("cli.queue.header_none_urgent", who=who, total=total))
    else:
        print(t("queue.cli.header", who=who, total=total, urgent=urgent))
    if not rows:
        print(t("queue.empty"))
        return common.EXIT_OK
    for rank, row in enumerate(rows, 1):
        print(_as_text(row, today, rank, show_agent=agent_id is None))
    if counts.total > len(rows):
        print(tn("queue.cli.more", counts.total - len(rows)))
    return common.EXIT_OK


def _days_late(row: QueueRow, today: date) -> int | None:
    if not row.oldest_due_date:
        return None
    return (today - date.fromisoformat(row.oldest_due_date)).days


def parts_text(parts: dict[str, float], count: int = 4) -> str:
    """`montant 41 %, ancienneté 30 %, type de payeur 15 %`."""
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.domain.scoring import PART_KEYS, top_parts
    from relance_tui.formatting import percent

    return ", ".join(
        f"{t(PART_KEYS[name])} {percent(share)}" for name, share in top_parts(parts, count)
    )


def _as_text(row: QueueRow, today: date, rank: int, *, show_agent: bool) -> str:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.domain.labels import SEGMENT_KEYS, STAGE_KEYS, next_action_label
    from relance_tui.domain.scoring import URGENCY_REASON_KEYS, urgency_reason
    from relance_tui.formatting import day, decimal, money

    days = _days_late(row, today)
    cells = [
        f"{rank:>3}.",
        f"[{t(URGENCY_REASON_KEYS[urgency_reason(row.urgency, row.next_action)])}]"
        if row.urgency
        else "",
        f"{row.debtor_name} ({row.debtor_reference})",
        "—",
        t(SEGMENT_KEYS[row.segment]),
        "·",
        money(row.overdue_cents),
        "·",
        t("queue.days", days=days) if days is not None else "",
        "·",
        t(STAGE_KEYS[row.stage]),
    ]
    if row.next_action:
        cells += ["·", f"{next_action_label(row.next_action)} {day(row.next_action_on)}".strip()]
    if show_agent:
        cells += ["·", row.agent_login or "—"]
    cells += ["·", t("queue.cli.score", score=decimal(row.priority))]
    first = " ".join(cell for cell in cells if cell)
    return f"{first}\n      {t('queue.cli.why', parts=parts_text(row.parts()))}"


def _as_json(row: QueueRow, today: date, rank: int) -> dict[str, object]:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.domain.labels import next_action_label
    from relance_tui.domain.scoring import URGENCY_REASON_KEYS, urgency_reason

    return {
        "rank": rank,
        "case_id": row.id,
        "debtor": row.debtor_name,
        "reference": row.debtor_reference,
        "segment": row.segment,
        "overdue_cents": row.overdue_cents,
        "disputed_cents": row.disputed_cents,
        "oldest_due_date": row.oldest_due_date,
        "days_past_due": _days_late(row, today),
        "stage": row.stage,
        "next_action": row.next_action,
        "next_action_label": next_action_label(row.next_action) if row.next_action else None,
        "next_action_on": row.next_action_on,
        "agent": row.agent_login,
        "urgency": row.urgency,
        "urgency_label": t(URGENCY_REASON_KEYS[urgency_reason(row.urgency, row.next_action)])
        or None,
        "priority": round(row.priority, 2),
        "score_parts": row.parts(),
        "why": parts_text(row.parts()),
    }
