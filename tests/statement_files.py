"""Small statement files written to each format's specification, for the tests."""

from __future__ import annotations

from datetime import date

BANK, BRANCH, ACCOUNT = "30003", "01234", "00012345678"
_POSITIVE = "{ABCDEFGHI"
_NEGATIVE = "}JKLMNOPQR"


def overpunch(cents: int, width: int = 14) -> str:
    digits = f"{abs(cents):0{width}d}"
    table = _POSITIVE if cents >= 0 else _NEGATIVE
    return digits[:-1] + table[int(digits[-1])]


def _ddmmyy(day: date) -> str:
    return day.strftime("%d%m%y")


def _head(code: str, operation: str = "    ") -> str:
    return f"{code}{BANK}{operation}{BRANCH}EUR2 {ACCOUNT}"


def balance(code: str, day: date, cents: int) -> str:
    record = _head(code) + "  " + _ddmmyy(day)
    record = record.ljust(90) + overpunch(cents)
    return record.ljust(120)


def movement(
    day: date, cents: int, label: str, reference: str = "0000000000000000", entry: str = "0000001"
) -> str:
    record = _head("04", "0005") + "05" + _ddmmyy(day) + "  " + _ddmmyy(day) + label[:31].ljust(31)
    record = record.ljust(81) + entry + "  " + overpunch(cents) + reference[:16].ljust(16)
    assert len(record) == 120, len(record)
    return record


def complement(qualifier: str, text: str) -> str:
    record = _head("05", "0005") + "05" + "      " + "     " + qualifier + text[:70].ljust(70)
    assert len(record) == 118, len(record)
    return record.ljust(120)


def cfonb(
    opening: int,
    movements: list[tuple[date, int, str, list[tuple[str, str]]]],
    *,
    day: date = date(2026, 3, 2),
    closing: int | None = None,
    breaks: str = "\r\n",
) -> bytes:
    records = [balance("01", day, opening)]
    for when, cents, label, extras in movements:
        records.append(movement(when, cents, label))
        records += [complement(q, text) for q, text in extras]
    total = opening + sum(m[1] for m in movements)
    records.append(balance("07", day, total if closing is None else closing))
    return (breaks.join(records) + breaks).encode("latin-1")


def camt(
    opening: int,
    entries: list[tuple[date, int, str, str, str]],
    *,
    closing: int | None = None,
    version: str = "001.08",
) -> bytes:
    """entries: (booked, signed cents, remittance, payer name, payer IBAN)."""
    total = opening + sum(e[1] for e in entries)
    closing = total if closing is None else closing

    def amount(cents: int) -> str:
        sign = "CRDT" if cents >= 0 else "DBIT"
        value = f"{abs(cents) // 100}.{abs(cents) % 100:02d}"
        return f'<Amt Ccy="EUR">{value}</Amt><CdtDbtInd>{sign}</CdtDbtInd>'

    def bal(code: str, cents: int) -> str:
        return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>{amount(cents)}"
                "<Dt><Dt>2026-03-02</Dt></Dt></Bal>")  # fmt: skip

    body = "".join(
        f"<Ntry>{amount(cents)}<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{day.isoformat()}</Dt></BookgDt>"
        f"<ValDt><Dt>{day.isoformat()}</Dt></ValDt><AcctSvcrRef>NOTPROVIDED</AcctSvcrRef>"
        "<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
        f"<RltdPties><Dbtr><Pty><Nm>{name}</Nm></Pty></Dbtr>"
        f"<DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct></RltdPties>"
        f"<RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
        for day, cents, text, name, iban in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.{version}">'
        "<BkToCstmrStmt><GrpHdr><MsgId>1</MsgId></GrpHdr><Stmt><Id>S1</Id>"
        "<Acct><Id><IBAN>FR7630003012340001234567890</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        f"{bal('OPBD', opening)}{bal('CLBD', closing)}{body}</Stmt></BkToCstmrStmt></Document>"
    ).encode()


def mt940(
    opening: int, entries: list[tuple[date, int, str]], *, closing: int | None = None
) -> bytes:
    total = opening + sum(e[1] for e in entries)
    closing = total if closing is None else closing

    def amount(cents: int) -> str:
        return f"{abs(cents) // 100},{abs(cents) % 100:02d}"

    lines = [":20:REL1", ":25:30003012/00012345678", ":28C:1/1",
             f":60F:{'C' if opening >= 0 else 'D'}260301EUR{amount(opening)}"]  # fmt: skip
    for day, cents, details in entries:
        mark = "C" if cents >= 0 else "D"
        lines.append(f":61:{day.strftime('%y%m%d%m%d')}{mark}{amount(cents)}NTRFNONREF")
        lines.append(f":86:{details}")
    lines.append(f":62F:{'C' if closing >= 0 else 'D'}260302EUR{amount(closing)}")
    lines.append("-")
    return ("\r\n".join(lines) + "\r\n").encode()
