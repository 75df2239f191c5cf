"""What every statement reader returns: statements of one account with their movements."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from relance_tui.formatting import money
from relance_tui.i18n import t
from relance_tui.services.importing.opening import ImportFileError


class StatementError(ImportFileError):
    """A statement file that cannot be read or does not add up; names the line and the fix."""


@dataclass(frozen=True, slots=True)
class Movement:
    booked_on: date
    cents: int  # signed: credits (money in) are positive
    label: str
    line: int  # line (CFONB, MT940) or entry number (camt.053) in the file
    value_on: date | None = None
    bank_reference: str = ""
    remittance: str = ""  # remittance information, complementary records
    payer_name: str = ""
    payer_iban: str = ""


@dataclass(slots=True)
class Statement:
    format: str  # cfonb120, camt053, mt940
    account: str
    currency: str
    opening_on: date | None
    opening_cents: int
    closing_on: date | None
    closing_cents: int
    line: int  # where the statement starts
    movements: list[Movement] = field(default_factory=list)

    def check_balances(self, file_name: str) -> None:
        """Opening + movements = closing, else the file is refused."""
        total = sum(movement.cents for movement in self.movements)
        if self.opening_cents + total != self.closing_cents:
            raise StatementError(
                t(
                    "statement.error.unbalanced",
                    file=file_name,
                    line=self.line,
                    account=self.account,
                    opening=money(self.opening_cents),
                    movements=money(total),
                    closing=money(self.closing_cents),
                    expected=money(self.opening_cents + total),
                )
            )


def movement_keys(statement: Statement) -> list[str]:
    """A stable key per movement, the same whenever the same statement is read again.

    Banks often send an all-zero (or no) reference: the key is made of everything the movement
    says, plus its rank among identical movements of the same statement, so two identical
    transfers on one day stay two and a re-import finds both.
    """
    seen: Counter[tuple[object, ...]] = Counter()
    keys = []
    for movement in statement.movements:
        reference = movement.bank_reference.strip("0 ")
        content = (
            statement.account, movement.booked_on.isoformat(), movement.cents, reference,
            movement.label, movement.remittance, movement.payer_name, movement.payer_iban,
        )  # fmt: skip
        rank = seen[content]
        seen[content] += 1
        digest = hashlib.sha256("\x1f".join(map(str, (*content, rank))).encode()).hexdigest()
        keys.append(digest[:32])
    return keys
