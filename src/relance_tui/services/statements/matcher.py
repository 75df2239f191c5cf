"""Deciding what each bank credit pays, against the book as it stands (rules: domain.matching).

In order: invoice numbers found in the label, remittance or reference (tolerant); else a debtor's
reference found there; else a payer (IBAN, then name) already known for a debtor; else the exact
balance of the one open invoice in the book with that balance, or of all the open invoices of the
one debtor who owes exactly that. Once the debtor is known (reference or payer), the payment goes
to the set of its open invoices that adds up to the amount, else to the oldest first. What a
payment does not use is a credit on the debtor (an over-payment).

The book is updated as credits are decided, so the same invoice is not paid twice by one file.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from relance_tui.domain.matching import (
    MatchRule,
    OpenItem,
    allocate,
    invoice_set,
    label_keys,
    label_words,
    number_key,
    plain,
    reference_key,
)
from relance_tui.services.statements.model import Movement
from relance_tui.storage.statements import Book


@dataclass(frozen=True, slots=True)
class Decision:
    debtor_id: int
    rule: MatchRule
    detail: str  # what the rule found: numbers, a reference, a payer
    shares: tuple[tuple[int, int], ...]  # (invoice id, cents)
    credit_cents: int  # what no invoice took


class Matcher:
    def __init__(self, book: Book) -> None:
        self.balance: dict[int, int] = {}
        self.debtor_of: dict[int, int] = {}
        self.number_of: dict[int, str] = {}
        self.by_key: dict[str, list[int]] = defaultdict(list)
        self.by_amount: dict[int, list[int]] = defaultdict(list)
        self.by_debtor: dict[int, list[tuple[str, int]]] = defaultdict(list)
        for invoice_id, number, debtor_id, due, cents in book.invoices:
            self.balance[invoice_id] = cents
            self.debtor_of[invoice_id] = debtor_id
            self.number_of[invoice_id] = number
            key = number_key(number)
            if key is not None:
                self.by_key[key].append(invoice_id)
            self.by_amount[cents].append(invoice_id)
            self.by_debtor[debtor_id].append((due, invoice_id))
        self.open_of: dict[int, list[int]] = {
            debtor: [i for _due, i in sorted(items)] for debtor, items in self.by_debtor.items()
        }
        self.by_total: dict[int, list[int]] = defaultdict(list)
        for debtor, invoices in self.open_of.items():
            self.by_total[sum(self.balance[i] for i in invoices)].append(debtor)
        self.reference_of: dict[int, str] = {}
        self.by_reference: dict[str, int] = {}
        for debtor_id, reference, _name in book.debtors:
            self.reference_of[debtor_id] = reference
            ref_key = reference_key(reference)
            if ref_key is not None:
                self.by_reference[ref_key] = debtor_id
        self.payers: dict[tuple[str, str], int] = {
            (kind, value): debtor for kind, value, debtor in book.payers
        }
        self.learnt: dict[tuple[str, str], int] = {}

    # --- the rules ------------------------------------------------------------------------

    def decide(self, movement: Movement) -> Decision | None:
        text = f"{movement.label} {movement.remittance} {movement.bank_reference}"
        return (
            self._by_numbers(movement, text)
            or self._by_reference(movement, text)
            or self._by_payer(movement)
            or self._by_amount(movement)
        )

    def _by_numbers(self, movement: Movement, text: str) -> Decision | None:
        found: list[int] = []
        for key in label_keys(text):
            for invoice_id in self.by_key.get(key, ()):
                if invoice_id not in found:
                    found.append(invoice_id)
        if not found:
            return None
        debtors = {self.debtor_of[i] for i in found}
        if len(debtors) > 1:  # the same key in two debtors' series: keep the numbers written out
            bare = plain(text).replace(" ", "")
            found = [i for i in found if plain(self.number_of[i]).replace(" ", "") in bare]
            debtors = {self.debtor_of[i] for i in found}
            if len(debtors) != 1:
                return None
        detail = ", ".join(self.number_of[i] for i in found)
        return self._pay(debtors.pop(), MatchRule.INVOICE_NUMBER, detail, found, movement)

    def _by_reference(self, movement: Movement, text: str) -> Decision | None:
        debtors = {self.by_reference[w] for w in label_words(text) if w in self.by_reference}
        if len(debtors) != 1:
            return None
        debtor = debtors.pop()
        return self._within(debtor, MatchRule.DEBTOR_REFERENCE, self.reference_of[debtor], movement)

    def _by_payer(self, movement: Movement) -> Decision | None:
        for kind, value in self._payer_keys(movement):
            debtor = self.payers.get((kind, value))
            if debtor is not None:
                shown = movement.payer_iban if kind == "iban" else movement.payer_name
                return self._within(debtor, MatchRule.KNOWN_PAYER, shown, movement)
        return None

    def _by_amount(self, movement: Movement) -> Decision | None:
        cents = movement.cents
        invoices = [i for i in self.by_amount.get(cents, ()) if self.balance[i] == cents]
        if len(invoices) == 1:
            invoice = invoices[0]
            detail = self.number_of[invoice]
            return self._pay(self.debtor_of[invoice], MatchRule.AMOUNT, detail, invoices, movement)
        if invoices:
            return None
        debtors = [d for d in self.by_total.get(cents, ()) if self._owed(d) == cents]
        if len(debtors) == 1:
            debtor = debtors[0]
            targets = [i for i in self.open_of[debtor] if self.balance[i] > 0]
            detail = ", ".join(self.number_of[i] for i in targets)
            return self._pay(debtor, MatchRule.INVOICE_SET, detail, targets, movement)
        return None

    # --- helpers --------------------------------------------------------------------------

    @staticmethod
    def _payer_keys(movement: Movement) -> list[tuple[str, str]]:
        keys = []
        if movement.payer_iban:
            keys.append(("iban", movement.payer_iban.replace(" ", "").upper()))
        name = plain(movement.payer_name)
        if len(name) >= 3:
            keys.append(("name", name))
        return keys

    def _owed(self, debtor: int) -> int:
        return sum(self.balance[i] for i in self.open_of.get(debtor, ()))

    def _within(self, debtor: int, rule: MatchRule, detail: str, movement: Movement) -> Decision:
        """The debtor is known: the set of its invoices that adds up, else the oldest first."""
        items = [OpenItem(i, self.balance[i]) for i in self.open_of.get(debtor, ())]
        items = [item for item in items if item.cents > 0]
        chosen = invoice_set(movement.cents, items)
        targets = list(chosen) if chosen is not None else [item.id for item in items]
        return self._pay(debtor, rule, detail, targets, movement)

    def _pay(
        self, debtor: int, rule: MatchRule, detail: str, targets: list[int], movement: Movement
    ) -> Decision:
        shares, left = allocate(movement.cents, [(i, self.balance[i]) for i in targets])
        for invoice_id, cents in shares:
            self.balance[invoice_id] -= cents
        if rule is not MatchRule.KNOWN_PAYER:
            for key in self._payer_keys(movement):
                if key not in self.payers:
                    self.payers[key] = debtor
                    self.learnt[key] = debtor
        return Decision(debtor, rule, detail, tuple(shares), left)

    def assign(self, movement: Movement, debtor: int, invoice_ids: list[int]) -> Decision:
        """A supervisor's decision: these invoices of this debtor, in this order."""
        return self._pay(debtor, MatchRule.MANUAL, "", invoice_ids, movement)
