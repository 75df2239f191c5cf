"""Deterministic collection history on top of existing cases (shared by `relance seed` and
`relance demo`): portfolios, dunning-ladder stages, reminders, calls with outcomes and causes,
promises kept/broken/pending (some due today), payment plans, callbacks (some due now), disputes.

Reads what is in the database (cases, contacts, invoices, payments), so it works the same on a
synthetic portfolio and on one imported from the demo CSV files.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from relance_tui.storage import seeding
from relance_tui.storage.cases import sync_cases
from relance_tui.storage.seeding import CaseInput, CaseUpdate, ContactInput, InvoiceInput

Row = tuple[object, ...]

STAGE_ORDER = (
    "pre_reminder", "friendly_reminder", "phone_reminder", "second_reminder",
    "registered_letter", "formal_notice", "legal_action",
)  # fmt: skip
# (days after the oldest due date, stage reached by then)
LADDER = ((0, "friendly_reminder"), (30, "phone_reminder"), (45, "second_reminder"),
          (60, "registered_letter"), (90, "formal_notice"), (180, "legal_action"))  # fmt: skip
NEXT_STEP_DAYS = {
    "friendly_reminder": ("phone_reminder", 30),
    "phone_reminder": ("second_reminder", 45),
    "second_reminder": ("registered_letter", 60),
    "registered_letter": ("formal_notice", 90),
    "formal_notice": ("legal_action", 180),
    "legal_action": ("legal_action", 240),
}
ROLE_PREFERENCE = {
    "large_account": ("buyer", "accounts_payable", "finance_director"),
    "multi_site": ("accounts_payable", "decision_maker"),
    "sme": ("decision_maker", "accounts_payable"),
    "public_body": ("public_accountant", "buyer"),
    "consumer": ("other",),
}
OUTCOMES = ("right_party", "voicemail", "no_answer", "wrong_person", "refused", "wrong_number")
OUTCOME_WEIGHTS = (38, 24, 24, 7, 4, 3)
CAUSES_BY_PAYER = {
    "good": (("invoice_not_received", 35), ("dispute", 20), ("awaiting_approval", 25),
             ("oversight", 20)),
    "smart": (("awaiting_approval", 40), ("oversight", 25), ("invoice_not_received", 20),
              ("other", 15)),
    "bad": (("cash_flow", 65), ("oversight", 15), ("other", 20)),
    "very_bad": (("cash_flow", 70), ("other", 30)),
    "unknown": (("oversight", 30), ("cash_flow", 30), ("invoice_not_received", 20),
                ("other", 20)),
}  # fmt: skip
CALL_NOTES = {
    "invoice_not_received": "Facture non reçue : renvoyée par e-mail pendant l'appel.",
    "cash_flow": "Difficultés de trésorerie annoncées ; échéancier évoqué.",
    "oversight": "Oubli reconnu, règlement annoncé.",
    "dispute": "Conteste la facture : réclamation transmise au service concerné.",
    "awaiting_approval": "En attente de validation interne (bon de commande ou mandat).",
    "other": "Rappel demandé par l'interlocuteur.",
    "voicemail": "Message laissé sur le répondeur.",
    "no_answer": "Pas de réponse.",
    "wrong_person": "Interlocuteur absent ; rappeler.",
    "refused": "L'interlocuteur refuse l'échange.",
    "wrong_number": "Numéro erroné.",
}
LETTER_NOTES = {
    "friendly_reminder": "Relance amiable envoyée.",
    "second_reminder": "Deuxième relance envoyée.",
    "registered_letter": "Relance par lettre recommandée.",
    "formal_notice": "Mise en demeure par lettre recommandée avec accusé de réception.",
}
DISPUTE_REASONS = (
    "Livraison incomplète",
    "Prix non conforme au devis",
    "Prestation contestée",
    "Facture en double",
    "Bon de commande manquant",
    "Marchandise endommagée",
)
DISPUTE_OWNERS = ("Service commercial", "ADV", "Service technique", "Comptabilité clients")


@dataclass
class HistorySummary:
    interactions: int = 0
    disputes: int = 0
    promises: dict[str, int] | None = None
    plans: int = 0
    callbacks: int = 0
    assigned: int = 0


def stamp(day: date | str, hour: int, minute: int = 0) -> str:
    text = day if isinstance(day, str) else day.isoformat()
    return f"{text}T{hour:02d}:{minute:02d}:00+00:00"


def stage_for(days_late: int, segment: str, rng: random.Random) -> str:
    stage = "friendly_reminder"
    for threshold, name in LADDER:
        if days_late >= threshold:
            stage = name
    if stage == "legal_action" and rng.random() < 0.5:
        stage = "formal_notice"
    if segment == "public_body" and STAGE_ORDER.index(stage) > STAGE_ORDER.index("formal_notice"):
        stage = "formal_notice"
    if rng.random() < 0.12 and stage != "friendly_reminder":
        stage = STAGE_ORDER[STAGE_ORDER.index(stage) - 1]  # an agent running behind
    return stage


def agent_logins(count: int) -> list[str]:
    return [f"agent{n}" for n in range(1, count + 1)]


def assign_agent(case: CaseInput, agents: Sequence[int], rng: random.Random) -> int | None:
    """Key accounts desk (agent1), overseas desk (agent2), the rest shared; a few unassigned."""
    if not agents or rng.random() < 0.02:
        return None
    if len(agents) >= 3:
        if case.segment in ("large_account", "public_body"):
            return agents[0]
        if case.postal_code.startswith("97"):
            return agents[1]
        rest = agents[2:]
        return rest[case.debtor_id % len(rest)]
    return agents[case.debtor_id % len(agents)]


def portfolio_rules(agents: Sequence[int]) -> list[Row]:
    if len(agents) < 3:
        return []
    return [
        (agents[0], "large_account", None, None, None),
        (agents[0], "public_body", None, None, None),
        (agents[1], None, "97", None, None),
    ]


class HistoryGenerator:
    def __init__(
        self, conn: sqlite3.Connection, rng: random.Random, *, today: date, now: str
    ) -> None:
        self.conn = conn
        self.rng = rng
        self.today = today
        self.today_iso = today.isoformat()
        self.now = now
        self.ids = seeding.next_ids(conn)
        self.rows: dict[str, list[Row]] = {}
        self.promises: dict[str, int] = {"pending": 0, "kept": 0, "broken": 0}

    def _next(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def _add(self, table: str, row: Row) -> None:
        self.rows.setdefault(table, []).append(row)

    def _flush(self) -> None:
        for table in (
            "disputes", "dispute_invoices", "interactions", "promises", "payment_plans",
            "plan_installments", "callbacks",
        ):  # fmt: skip
            rows = self.rows.pop(table, [])
            if rows:
                seeding.insert_rows(self.conn, table, rows)

    # -- entry point ----------------------------------------------------------------------------

    def run(self, agents: Sequence[int]) -> HistorySummary:
        summary = HistorySummary()
        conn = self.conn
        seeding.insert_rows(conn, "portfolio_rules", portfolio_rules(agents))
        cases = seeding.open_cases(conn)
        overdue = seeding.overdue_invoices_by_debtor(conn, self.today)
        disputed_debtors = self._disputes(cases, overdue, agents)
        summary.disputes = len(self.rows.get("disputes", []))
        self._flush()
        if disputed_debtors:
            sync_cases(conn, self.today, disputed_debtors)
            cases = seeding.open_cases(conn)
        contacts = seeding.contacts_by_debtor(conn)
        late = seeding.late_payments_by_debtor(conn)
        updates: list[CaseUpdate] = []
        for case in cases:
            agent = assign_agent(case, agents, self.rng)
            if agent is not None:
                summary.assigned += 1
            updates.append(self._case(case, agent, contacts.get(case.debtor_id, []), late))
        summary.interactions = len(self.rows.get("interactions", []))
        summary.plans = len(self.rows.get("payment_plans", []))
        summary.callbacks = len(self.rows.get("callbacks", []))
        self._flush()
        seeding.update_cases(conn, updates)
        seeding.refresh_payer_history(conn, self.today)
        seeding.stamp_cases(conn, self.now)
        summary.promises = dict(self.promises)
        return summary

    # -- disputes -------------------------------------------------------------------------------

    def _disputes(
        self,
        cases: list[CaseInput],
        overdue: dict[int, list[InvoiceInput]],
        agents: Sequence[int],
    ) -> list[int]:
        rng = self.rng
        disputed: list[int] = []
        marked: list[int] = []
        for case in cases:
            invoices = overdue.get(case.debtor_id)
            if not invoices:
                continue
            share = 0.12 if case.payer_type == "good" else 0.06
            roll = rng.random()
            if roll >= share:
                continue
            chosen = invoices[-1:] if len(invoices) == 1 or rng.random() < 0.7 else invoices[-2:]
            due = date.fromisoformat(chosen[0].due_date)
            opened = min(
                due + timedelta(days=5 + int(rng.random() * 25)), self.today - timedelta(1)
            )
            resolved = roll < share * 0.2  # a few were settled and went back on the ladder
            dispute_id = self._next("disputes")
            opener = agents[int(rng.random() * len(agents))] if agents else None
            resolution = rng.choice(("rejected", "corrected_invoice")) if resolved else None
            self._add(
                "disputes",
                (
                    dispute_id, case.case_id, rng.choice(DISPUTE_REASONS),
                    rng.choice(DISPUTE_OWNERS), opened.isoformat(), opener,
                    "resolved" if resolved else "open", resolution,
                    min(opened + timedelta(days=20), self.today).isoformat() if resolved else None,
                    "",
                ),
            )  # fmt: skip
            for invoice in chosen:
                self._add("dispute_invoices", (dispute_id, invoice.invoice_id))
                if not resolved:
                    marked.append(invoice.invoice_id)
            if not resolved:
                disputed.append(case.debtor_id)
        seeding.mark_disputed(self.conn, marked)
        return disputed

    # -- one case -------------------------------------------------------------------------------

    def _best_contact(self, case: CaseInput, contacts: list[ContactInput]) -> ContactInput | None:
        for role in ROLE_PREFERENCE[case.segment]:
            for contact in contacts:
                if contact.role == role and not contact.opposed and contact.phone_id is not None:
                    return contact
        for contact in contacts:
            if not contact.opposed and contact.phone_id is not None:
                return contact
        return None

    def _case(
        self,
        case: CaseInput,
        agent: int | None,
        contacts: list[ContactInput],
        late: dict[int, seeding.LatePayment],
    ) -> CaseUpdate:
        rng = self.rng
        today = self.today
        oldest = date.fromisoformat(case.oldest_due_date) if case.oldest_due_date else today
        days_late = (today - oldest).days
        stage = stage_for(days_late, case.segment, rng)
        reached = STAGE_ORDER.index(stage)
        caller = self._best_contact(case, contacts)
        writer = contacts[0].contact_id if contacts else None
        last_contact: str | None = None
        last_right_party: tuple[date, str, int, str] | None = None  # day, cause, interaction, at
        previous_call: tuple[str, str] | None = None  # (outcome, stamp)

        def letter(offset: int, kind: str, channel: str) -> None:
            nonlocal last_contact
            day = oldest + timedelta(days=offset)
            if day >= today:
                return
            interaction_id = self._next("interactions")
            at = stamp(day, 7 + int(rng.random() * 3), int(rng.random() * 60))
            self._add(
                "interactions",
                (
                    interaction_id, case.case_id, agent, channel, at, writer, None, None, None,
                    LETTER_NOTES[kind], kind, f"REL-{case.case_id:06d}-{interaction_id}",
                ),
            )  # fmt: skip
            last_contact = at

        def call(day: date, *, force_right_party: bool = False) -> None:
            nonlocal last_contact, last_right_party, previous_call
            if caller is None or day >= today:
                return
            if force_right_party:
                outcome = "right_party"
            elif not caller.phone_valid:
                outcome = "wrong_number"
            else:
                outcome = rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0]
            cause = None
            if outcome == "right_party":
                causes = CAUSES_BY_PAYER[case.payer_type]
                if case.segment == "public_body" and rng.random() < 0.6:
                    cause = "awaiting_approval"
                else:
                    cause = rng.choices([c for c, _ in causes], [w for _, w in causes])[0]
            interaction_id = self._next("interactions")
            at = stamp(day, 8 + int(rng.random() * 9), int(rng.random() * 60))
            if previous_call is not None and previous_call[0] in ("voicemail", "no_answer"):
                self._add(
                    "callbacks",
                    (
                        self._next("callbacks"), case.case_id, at, caller.contact_id,
                        caller.phone_id, "Rappel après absence", "done", previous_call[1],
                        agent, at,
                    ),
                )  # fmt: skip
            self._add(
                "interactions",
                (
                    interaction_id, case.case_id, agent, "call", at, caller.contact_id,
                    caller.phone_id, outcome, cause, CALL_NOTES[cause or outcome], None, "",
                ),
            )  # fmt: skip
            last_contact = at
            previous_call = (outcome, at)
            if cause is not None:
                last_right_party = (day, cause, interaction_id, at)

        # A promise kept earlier, on a payment that came in late.
        paid_late = late.get(case.debtor_id)
        if paid_late is not None and caller is not None and rng.random() < 0.6:
            received = date.fromisoformat(paid_late.received_on)
            call(received - timedelta(days=3 + int(rng.random() * 10)), force_right_party=True)
            if last_right_party is not None:
                self._promise(
                    case,
                    paid_late.amount_cents,
                    received,
                    "kept",
                    agent,
                    last_right_party,
                    settled=received,
                )
                last_right_party = None

        # The ladder so far.
        letter(15, "friendly_reminder", "email")
        if reached >= STAGE_ORDER.index("phone_reminder") or case.payer_type in ("very_bad",):
            call(oldest + timedelta(days=30 + int(rng.random() * 5)))
            if previous_call and previous_call[0] != "right_party" and rng.random() < 0.6:
                call(oldest + timedelta(days=37 + int(rng.random() * 5)))
        if reached >= STAGE_ORDER.index("second_reminder"):
            letter(45, "second_reminder", "email" if rng.random() < 0.6 else "letter")
        if reached >= STAGE_ORDER.index("registered_letter"):
            letter(60, "registered_letter", "registered_letter")
            call(oldest + timedelta(days=70 + int(rng.random() * 10)))
        if reached >= STAGE_ORDER.index("formal_notice"):
            letter(90, "formal_notice", "registered_letter")
        # Recent activity: more calls in the last weeks for the serious cases.
        if caller is not None and days_late > 20 and rng.random() < 0.35:
            call(today - timedelta(days=1 + int(rng.random() * 12)))

        urgency = 0
        owed = case.overdue_cents
        promise_roll = rng.random()
        if owed > 0 and caller is not None and promise_roll < 0.05:
            # A promise falling due today.
            call(today - timedelta(days=3 + int(rng.random() * 10)), force_right_party=True)
            assert last_right_party is not None
            amount = self._portion(owed)
            self._promise(case, amount, today, "pending", agent, last_right_party)
            urgency = 2
        elif owed > 0 and last_right_party is not None:
            day, cause, interaction_id, _at = last_right_party
            if cause == "cash_flow" and owed >= 30_000 and rng.random() < 0.35:
                self._plan(case, owed, day, agent, interaction_id)
            elif cause == "oversight" and promise_roll < 0.2:
                # "We paid last week": to verify when the bank statement comes in.
                due = day + timedelta(days=7)
                status = "broken" if due < today else "pending"
                self._promise(
                    case, owed, due, status, agent, last_right_party,
                    claimed_paid_on=day - timedelta(days=2),
                )  # fmt: skip
                urgency = 1 if status == "broken" else 2 if due == today else 0
            elif cause != "dispute" and promise_roll < 0.6:
                due = day + timedelta(days=5 + int(rng.random() * 16))
                status = "broken" if due < today else "pending"
                self._promise(case, self._portion(owed), due, status, agent, last_right_party)
                if status == "broken":
                    urgency = 1
                elif due == today:
                    urgency = 2

        # Pending callbacks: some due already this morning, some later, some another day.
        if caller is not None and rng.random() < 0.08:
            which = rng.random()
            if which < 0.4:
                due_at, urgency = stamp(today, 6, int(rng.random() * 60)), 3
            elif which < 0.7:
                due_at = stamp(today, 9 + int(rng.random() * 8), 0)
            else:
                due_at = stamp(today + timedelta(days=1 + int(rng.random() * 6)), 8, 30)
            self._add(
                "callbacks",
                (
                    self._next("callbacks"), case.case_id, due_at, caller.contact_id,
                    caller.phone_id, "Rappel convenu avec l'interlocuteur", "pending",
                    last_contact or self.now, agent, None,
                ),
            )  # fmt: skip

        next_stage, offset = NEXT_STEP_DAYS[stage]
        next_on = max(oldest + timedelta(days=offset), today)
        return CaseUpdate(
            case.case_id, stage, agent, next_stage, next_on.isoformat(), urgency, last_contact
        )

    def _portion(self, owed: int) -> int:
        if owed < 2_000 or self.rng.random() < 0.5:
            return owed
        return max(100, int(owed * (0.3 + 0.6 * self.rng.random())) // 100 * 100)

    def _promise(
        self,
        case: CaseInput,
        amount: int,
        due: date,
        status: str,
        agent: int | None,
        call: tuple[date, str, int, str],
        *,
        settled: date | None = None,
        claimed_paid_on: date | None = None,
    ) -> None:
        """A promise to pay; with `claimed_paid_on`, a payment the debtor says was made."""
        self._add(
            "promises",
            (
                self._next("promises"), case.case_id, amount, due.isoformat(), 1, status,
                call[2], call[3], agent, settled.isoformat() if settled else None,
                "promise" if claimed_paid_on is None else "payment_claimed",
                claimed_paid_on.isoformat() if claimed_paid_on else None,
            ),
        )  # fmt: skip
        self.promises[status] = self.promises.get(status, 0) + 1

    def _plan(
        self, case: CaseInput, owed: int, day: date, agent: int | None, interaction_id: int
    ) -> None:
        rng = self.rng
        count = 3 + int(rng.random() * 4)
        roll = rng.random()
        frequency, step = (
            ("monthly", 30) if roll < 0.7 else ("fortnightly", 14) if roll < 0.9 else ("weekly", 7)
        )
        broken = rng.random() < 0.25
        plan_id = self._next("payment_plans")
        share = owed // count
        first = day + timedelta(days=10)
        status = "active"
        installments: list[Row] = []
        for sequence in range(1, count + 1):
            due = first + timedelta(days=step * (sequence - 1))
            amount = share if sequence < count else owed - share * (count - 1)
            state, paid = "pending", 0
            if due < self.today:
                # One missed installment makes the whole balance due: the plan is broken.
                state, paid = ("missed", 0) if broken else ("paid", amount)
                status = "broken" if broken else status
            installments.append(
                (self._next("plan_installments"), plan_id, sequence, due.isoformat(), amount,
                 paid, state)
            )  # fmt: skip
        total = owed
        self._add(
            "payment_plans",
            (
                plan_id, case.case_id, frequency, total, status, interaction_id,
                stamp(day, 10), agent,
            ),
        )  # fmt: skip
        for row in installments:
            self._add("plan_installments", row)
