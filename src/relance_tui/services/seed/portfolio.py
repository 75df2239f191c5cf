"""The base portfolio of a seed: debtors, contacts, phones, contracts, invoices and payments.

Rows are plain tuples in the column order of `storage.seeding` and are handed to a sink in batches
(so a million invoices never sit in memory at once). Ids are assigned here, from `first_ids`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from relance_tui.services.seed import data as sd

Row = tuple[object, ...]
Sink = Callable[[str, list[Row]], None]

SEGMENTS = ("large_account", "multi_site", "sme", "public_body", "consumer")
SEGMENT_SHARES = (4, 8, 50, 6, 32)
# Relative number of invoices per debtor, and median invoice amount in euros, by segment.
INVOICE_WEIGHT = {"large_account": 40, "multi_site": 20, "sme": 8, "public_body": 12, "consumer": 2}
MEDIAN_EUROS = {
    "large_account": 5200,
    "multi_site": 2400,
    "sme": 1100,
    "public_body": 2900,
    "consumer": 140,
}
PAYER_TYPES = ("good", "smart", "bad", "very_bad", "unknown")
PAYER_SHARES = {
    "large_account": (35, 45, 10, 2, 8),
    "multi_site": (40, 30, 15, 5, 10),
    "sme": (35, 15, 25, 10, 15),
    "public_body": (55, 10, 10, 0, 25),
    "consumer": (40, 5, 25, 10, 20),
}
STRATEGIC_SHARE = {
    "large_account": 0.4,
    "multi_site": 0.15,
    "sme": 0.03,
    "public_body": 0.1,
    "consumer": 0.0,
}
RISK_BASE = {"good": 18, "smart": 35, "bad": 62, "very_bad": 85, "unknown": 50}
# (probability the invoice is never paid, minimum days late, spread of days late)
LATENESS = {
    "good": (0.004, -4, 18),
    "smart": (0.01, 10, 50),
    "bad": (0.05, 20, 120),
    "very_bad": (0.20, 45, 250),
    "unknown": (0.03, 0, 90),
}
CONTACT_ROLES = {
    "large_account": ("buyer", "accounts_payable", "finance_director"),
    "multi_site": ("accounts_payable", "accounts_payable", "decision_maker"),
    "sme": ("decision_maker", "accounts_payable"),
    "public_body": ("public_accountant", "buyer"),
    "consumer": ("other",),
}
CONTRACT_TITLES = (
    "Contrat de maintenance",
    "Contrat cadre de fourniture",
    "Abonnement de services",
    "Contrat de location de matériel",
    "Convention de prestation",
    "Contrat d'entretien annuel",
)
PAYMENT_METHODS = ("Virement", "Virement", "Virement", "Chèque", "Prélèvement", "Carte bancaire")
CONSUMER_DOMAINS = ("orange.fr", "free.fr", "gmail.com", "laposte.net", "sfr.fr", "wanadoo.fr")
HISTORY_DAYS = 3 * 365
CONSUMER_HISTORY_DAYS = 2 * 365
BATCH_ROWS = 50_000


@dataclass
class PortfolioCounts:
    debtors: int = 0
    contacts: int = 0
    phones: int = 0
    invalid_phones: int = 0
    contracts: int = 0
    invoices: int = 0
    payments: int = 0
    by_segment: dict[str, int] = field(default_factory=dict)


class _Batches:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.rows: dict[str, list[Row]] = {}
        self.size = 0

    def add(self, table: str, row: Row) -> None:
        self.rows.setdefault(table, []).append(row)
        self.size += 1

    def flush(self, *, force: bool = False) -> None:
        if self.size < BATCH_ROWS and not force:
            return
        # Parents before children: the foreign keys are checked row by row.
        for table in ("debtors", "contacts", "phones", "contracts", "invoices", "payments"):
            rows = self.rows.get(table)
            if rows:
                self.sink(table, rows)
        self.rows = {}
        self.size = 0


def allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder): the counts add up exactly."""
    weight_sum = sum(weights) or 1.0
    exact = [total * w / weight_sum for w in weights]
    counts = [int(x) for x in exact]
    short = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[:short]:
        counts[i] += 1
    return counts


def bank_label(method: str, name: str, number: str, sequence: int) -> str:
    """What the bank statement says about a receipt, by payment method."""
    if method == "Chèque":
        return f"REMISE CHQ {sequence % 10_000_000:07d}"
    if method == "Prélèvement":
        return f"PRLV SEPA {name} {number}"
    if method == "Carte bancaire":
        return f"CB {name} {number}"
    return f"VIR SEPA {name} FACT {number}"


class PortfolioGenerator:
    def __init__(
        self,
        rng: random.Random,
        *,
        today: date,
        now: str,
        first_ids: dict[str, int],
        created_by: str = "seed",
    ) -> None:
        self.rng = rng
        self.today = today
        self.now = now
        self.created_by = created_by
        self.ids = dict(first_ids)
        self.counts = PortfolioCounts()
        base = today.toordinal() - HISTORY_DAYS - 400
        self._base = base
        span = HISTORY_DAYS + 800
        self._iso = [date.fromordinal(base + i).isoformat() for i in range(span)]
        self._eom: list[int] = []
        for i in range(span):
            day = date.fromordinal(base + i)
            following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
            self._eom.append(following.toordinal() - 1 - base)
        self._sirens: set[str] = set()

    def _next(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    # -- debtors --------------------------------------------------------------------------------

    def run(
        self, debtors: int, invoices: int, sink: Sink, progress: Callable[[str], None] | None = None
    ) -> PortfolioCounts:
        rng = self.rng
        segments = rng.choices(SEGMENTS, SEGMENT_SHARES, k=debtors)
        weights = [INVOICE_WEIGHT[s] * (0.3 + 1.4 * rng.random()) for s in segments]
        per_debtor = allocate(invoices, weights)
        batches = _Batches(sink)
        step = max(1, debtors // 10)
        for index, (segment, count) in enumerate(zip(segments, per_debtor, strict=True)):
            self._debtor(batches, segment, count)
            batches.flush()
            if progress and (index + 1) % step == 0:
                progress(f"{index + 1}/{debtors}")
        batches.flush(force=True)
        return self.counts

    def _debtor(self, out: _Batches, segment: str, invoice_count: int) -> None:
        rng = self.rng
        counts = self.counts
        debtor_id = self._next("debtors")
        payer_type = rng.choices(PAYER_TYPES, PAYER_SHARES[segment])[0]
        place = sd.city(rng)
        consumer = segment == "consumer"
        if consumer:
            civility, first, last = sd.person_name(rng)
            legal_name = f"{civility} {first} {last}"
            siren = siret = None
        else:
            legal_name = sd.company_name(rng, segment, place)
            siren = self._unique_siren(segment == "public_body")
            establishment = 1 if rng.random() < 0.7 else 1 + int(rng.random() * 60)
            siret = sd.siret(siren, establishment)
        strategic = 1 if rng.random() < STRATEGIC_SHARE[segment] else 0
        risk = RISK_BASE[payer_type] + int(rng.gauss(0, 9))
        risk = 0 if risk < 0 else 100 if risk > 100 else risk
        out.add(
            "debtors",
            (
                debtor_id, f"C{debtor_id:06d}", legal_name, siren, siret, segment, payer_type,
                strategic, risk, "FR", sd.street_address(rng), place.postal_code, place.name,
                0.0, 0, 0, self.now, self.now,
            ),
        )  # fmt: skip
        counts.debtors += 1
        counts.by_segment[segment] = counts.by_segment.get(segment, 0) + 1
        self._contacts(out, debtor_id, segment, legal_name, place)
        contract_terms = self._contracts(out, debtor_id, segment)
        self._invoices(
            out, debtor_id, segment, payer_type, legal_name, contract_terms, invoice_count
        )

    def _unique_siren(self, public: bool) -> str:
        while True:
            value = sd.siren(self.rng, public=public)
            if value not in self._sirens:
                self._sirens.add(value)
                return value

    # -- contacts and phones --------------------------------------------------------------------

    def _contacts(
        self, out: _Batches, debtor_id: int, segment: str, legal_name: str, place: sd.City
    ) -> None:
        rng = self.rng
        roles = CONTACT_ROLES[segment]
        if segment == "consumer":
            how_many = 1
        elif segment in ("large_account", "public_body"):
            how_many = 2 + (1 if rng.random() < 0.4 else 0)
        else:
            how_many = 1 + (1 if rng.random() < 0.45 else 0)
        domain = sd.domain_for(legal_name)
        seen: set[str] = set()
        for position in range(how_many):
            role = roles[position % len(roles)]
            if segment == "consumer":
                name = legal_name.split(" ", 1)[1]
                first, last = name.split(" ", 1)
                mail = f"{sd.slug(first)}.{sd.slug(last)}{int(rng.random() * 100)}@" + sd.pick(
                    rng, CONSUMER_DOMAINS
                )
            else:
                _civ, first, last = sd.person_name(rng)
                name = f"{first} {last}"
                if name in seen:
                    continue
                mail = sd.email(first, last, domain) if rng.random() < 0.9 else ""
            seen.add(name)
            channel_roll = rng.random()
            if segment == "consumer":
                channel = (
                    "sms" if channel_roll < 0.2 else "phone" if channel_roll < 0.7 else "email"
                )
            else:
                channel = (
                    "phone"
                    if channel_roll < 0.5
                    else "email"
                    if channel_roll < 0.88
                    else "letter"
                    if channel_roll < 0.96
                    else "sms"
                )
            if not mail and channel == "email":
                channel = "phone"
            opposed = 1 if rng.random() < 0.025 else 0
            contact_id = self._next("contacts")
            out.add(
                "contacts",
                (contact_id, debtor_id, name, role, mail, channel, opposed, self.now, self.now),
            )
            self.counts.contacts += 1
            self._phones(out, contact_id, segment, place)

    def _phones(self, out: _Batches, contact_id: int, segment: str, place: sd.City) -> None:
        rng = self.rng
        roll = rng.random()
        how_many = 0 if roll < 0.05 else 1 if roll < 0.72 else 2
        if segment == "consumer":
            kinds = ("mobile", "fixed")
        else:
            kinds = ("fixed", "mobile") if rng.random() < 0.7 else ("mobile", "fixed")
        raws: set[str] = set()
        for position in range(how_many):
            if rng.random() < 0.015:
                row = sd.invalid_phone(rng)
                self.counts.invalid_phones += 1
            else:
                kind = kinds[position]
                if place.region == "FR" and kind == "fixed" and rng.random() < 0.1:
                    kind = "voip"
                row = sd.phone(rng, place.region, kind)
            if row.raw in raws:
                continue
            raws.add(row.raw)
            out.add(
                "phones",
                (
                    self._next("phones"), contact_id, row.raw, row.e164, row.kind, row.region,
                    row.time_zone, row.valid,
                ),
            )  # fmt: skip
            self.counts.phones += 1

    # -- contracts ------------------------------------------------------------------------------

    def _contracts(self, out: _Batches, debtor_id: int, segment: str) -> list[tuple[int, int, int]]:
        """Insert the debtor's contracts; return (contract id, terms days, end of month)."""
        rng = self.rng
        if segment == "consumer":
            how_many = 1 if rng.random() < 0.5 else 0
        elif segment in ("large_account", "multi_site"):
            how_many = 1 + int(rng.random() * 3)
        else:
            how_many = 1 if rng.random() < 0.8 else 0
        terms: list[tuple[int, int, int]] = []
        for position in range(how_many):
            if segment == "public_body":
                days, eom = 30, 0
                year, number = 2019 + int(rng.random() * 7), 100 + int(rng.random() * 900)
                title = f"Marché public n° {year}-{number}"
            elif segment == "consumer":
                days, eom = (0, 0) if rng.random() < 0.5 else (15, 0)
                title = "Abonnement particulier"
            else:
                roll = rng.random()
                if segment == "large_account":
                    days, eom = (60, 0) if roll < 0.5 else (45, 1)
                elif roll < 0.55:
                    days, eom = 30, 0
                elif roll < 0.8:
                    days, eom = 45, 1
                else:
                    days, eom = 60, 0
                title = sd.pick(rng, CONTRACT_TITLES)
            start = self.today.toordinal() - 400 - int(rng.random() * 2000)
            end = start + 365 * 5 if rng.random() < 0.5 else None
            contract_id = self._next("contracts")
            out.add(
                "contracts",
                (
                    contract_id, f"CT-{debtor_id:06d}-{position + 1}", debtor_id, title,
                    date.fromordinal(start).isoformat(),
                    None if end is None else date.fromordinal(end).isoformat(), days, eom,
                ),
            )  # fmt: skip
            self.counts.contracts += 1
            terms.append((contract_id, days, eom))
        return terms

    # -- invoices and payments ------------------------------------------------------------------

    def _invoices(
        self,
        out: _Batches,
        debtor_id: int,
        segment: str,
        payer_type: str,
        legal_name: str,
        contract_terms: list[tuple[int, int, int]],
        count: int,
    ) -> None:
        rng = self.rng
        r = rng.random
        gauss = rng.gauss
        iso = self._iso
        eom = self._eom
        today_i = self.today.toordinal() - self._base
        history = CONSUMER_HISTORY_DAYS if segment == "consumer" else HISTORY_DAYS
        median_cents = MEDIAN_EUROS[segment] * 100
        never, late_min, late_spread = LATENESS[payer_type]
        default_terms = 0 if segment == "consumer" else 30
        po_style = segment in ("large_account", "public_body") or (
            segment == "multi_site" and r() < 0.5
        )
        label_name = sd.slug(legal_name).upper().replace("-", " ")[:24].strip()
        now = self.now
        by = self.created_by
        for _ in range(count):
            invoice_id = self._next("invoices")
            issue_i = today_i - int(r() * history)
            if contract_terms and r() < 0.75:
                contract_id, terms, end_of_month = contract_terms[int(r() * len(contract_terms))]
            else:
                contract_id, terms, end_of_month = None, default_terms, 0
            due_i = issue_i + terms
            if end_of_month:
                due_i = eom[due_i]
            amount = int(median_cents * math.exp(gauss(0, 0.85)))
            if amount < 500:
                amount = 500 + int(r() * 1000)
            amount = amount - amount % 10 if r() < 0.7 else amount
            issue_date = iso[issue_i]
            number = f"FA{issue_date[:4]}-{invoice_id:07d}"
            po = ""
            if po_style:
                po = (
                    f"BC-{issue_date[:4]}-{int(r() * 99999):05d}"
                    if segment == "public_body"
                    else f"45{int(r() * 100_000_000):08d}"
                )
            status = "open"
            outstanding = amount
            paid_on = None
            payment: tuple[int, int] | None = None  # (day index, cents)
            if r() < 0.004:
                status, outstanding = "cancelled", 0
            elif r() >= never:
                late = late_min + int(r() * late_spread)
                paid_i = due_i + late
                if paid_i < issue_i:
                    paid_i = issue_i
                if paid_i < today_i:
                    status, outstanding, paid_on = "paid", 0, iso[paid_i]
                    payment = (paid_i, amount)
            if status == "open" and due_i < today_i:
                if r() < 0.15:
                    part = int(amount * (0.2 + 0.5 * r()))
                    if 0 < part < amount:
                        paid_i = due_i + int(r() * (today_i - due_i))
                        status, outstanding = "partially_paid", amount - part
                        payment = (paid_i, part)
                elif payer_type == "very_bad" and today_i - due_i > 700 and r() < 0.3:
                    status = "written_off"
            out.add(
                "invoices",
                (
                    invoice_id, number, debtor_id, contract_id, po, issue_date, iso[due_i],
                    amount, outstanding, "EUR", status, 0, paid_on,
                ),
            )  # fmt: skip
            if payment is not None:
                payment_id = self._next("payments")
                method = PAYMENT_METHODS[int(r() * 6)]
                out.add(
                    "payments",
                    (
                        payment_id, debtor_id, invoice_id, f"RG{payment_id:08d}",
                        iso[payment[0]], payment[1], method,
                        bank_label(method, label_name, number, payment_id), 1, payment[1],
                        now, by,
                    ),
                )  # fmt: skip
                self.counts.payments += 1
        self.counts.invoices += count
