"""Statement readers on small files written to each format's specification."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from relance_tui.services.statements.cfonb import read_cfonb
from relance_tui.services.statements.model import StatementError, movement_keys
from relance_tui.services.statements.reading import read_statements
from statement_files import balance, camt, cfonb, complement, movement, mt940, overpunch

DAY = date(2026, 3, 2)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_overpunch_signs_every_last_digit() -> None:
    text = "\r\n".join(
        [balance("01", DAY, 0)]
        + [movement(DAY, sign * (1000 + digit), "X") for sign in (1, -1) for digit in range(10)]
        + [balance("07", DAY, 0)]
    )
    statement = read_cfonb(text, "f.txt")[0]
    assert [m.cents for m in statement.movements] == [
        sign * (1000 + digit) for sign in (1, -1) for digit in range(10)
    ]
    assert overpunch(-1230) == "0000000000123}"


def test_cfonb_movements_with_their_complements(tmp_path: Path) -> None:
    data = cfonb(
        10_000,
        [
            (DAY, 123_456, "VIR SEPA GARAGE LEROY", [
                ("NPY", "GARAGE LEROY SARL"),
                ("IPY", "FR76 3000 6000 0112 3456 7890 189"),
                ("RCN", "FACT F-2026-0012"),
                ("LIB", "Réglement facture"),
            ]),
            (DAY, -5_000, "PRLV EDF", []),
        ],
    )  # fmt: skip
    statement = read_statements(write(tmp_path, "releve.txt", data))[0]
    assert statement.format == "cfonb120"
    assert (statement.opening_cents, statement.closing_cents) == (10_000, 128_456)
    credit, debit = statement.movements
    assert credit.cents == 123_456 and debit.cents == -5_000
    assert credit.payer_name == "GARAGE LEROY SARL"
    assert credit.payer_iban == "FR7630006000011234567890189"
    assert credit.remittance == "FACT F-2026-0012 Réglement facture"  # Latin-1 read as such
    assert credit.label == "VIR SEPA GARAGE LEROY"
    assert credit.line == 2


def test_cfonb_without_line_breaks_reads_the_same(tmp_path: Path) -> None:
    moves = [(DAY, 500, "VIR A", [("NPY", "A")]), (DAY, 700, "VIR B", [])]
    with_breaks = read_statements(write(tmp_path, "a.txt", cfonb(0, moves)))
    without = read_statements(write(tmp_path, "b.txt", cfonb(0, moves, breaks="")))
    assert with_breaks[0].movements[0].payer_name == "A"
    assert [m.cents for m in without[0].movements] == [m.cents for m in with_breaks[0].movements]
    assert [m.payer_name for m in without[0].movements] == ["A", ""]


def test_a_statement_that_does_not_add_up_is_refused(tmp_path: Path) -> None:
    data = cfonb(10_000, [(DAY, 500, "VIR", [])], closing=10_400)
    with pytest.raises(StatementError, match=r"ligne 1 .*ne tombe pas juste.*105,00"):
        read_statements(write(tmp_path, "bad.txt", data))


def test_a_truncated_cfonb_line_is_named(tmp_path: Path) -> None:
    lines = cfonb(0, [(DAY, 500, "VIR", [])]).decode("latin-1").split("\r\n")
    lines[1] = lines[1][:80]
    with pytest.raises(StatementError, match=r"ligne 2 .*120 caractères.*80"):
        read_statements(write(tmp_path, "cut.txt", "\r\n".join(lines).encode("latin-1")))


def test_a_complement_without_its_movement_is_refused() -> None:
    text = "\r\n".join([balance("01", DAY, 0), complement("NPY", "X"), balance("07", DAY, 0)])
    with pytest.raises(StatementError, match="ligne 2"):
        read_cfonb(text, "f.txt")


def test_camt053_entries(tmp_path: Path) -> None:
    data = camt(
        100_00,
        [
            (DAY, 250_00, "F-2026-0012", "Garage Leroy", "FR7630006000011234567890189"),
            (DAY, -10_00, "frais", "", ""),
        ],
    )
    statement = read_statements(write(tmp_path, "camt.xml", data))[0]
    assert statement.format == "camt053"
    assert statement.account == "FR7630003012340001234567890"
    credit, debit = statement.movements
    assert (credit.cents, debit.cents) == (250_00, -10_00)
    assert credit.remittance == "F-2026-0012"
    assert credit.payer_name == "Garage Leroy"
    assert credit.payer_iban == "FR7630006000011234567890189"
    assert credit.bank_reference == ""  # NOTPROVIDED is no reference


def test_camt053_balances_checked(tmp_path: Path) -> None:
    data = camt(0, [(DAY, 100, "x", "", "")], closing=99)
    with pytest.raises(StatementError, match="ne tombe pas juste"):
        read_statements(write(tmp_path, "camt.xml", data))


def test_xml_that_is_not_camt053_is_refused(tmp_path: Path) -> None:
    other = (
        b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08">'
        b"<camt.053/></Document>"
    )
    with pytest.raises(StatementError, match=r"pas un relevé camt\.053"):
        read_statements(write(tmp_path, "c.xml", other))
    with pytest.raises(StatementError, match="pas du XML valide"):
        read_statements(write(tmp_path, "d.xml", b"<?xml version='1.0'?><Document camt.053"))


def test_xml_entities_are_refused(tmp_path: Path) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&a;</Document>'
    )
    with pytest.raises(StatementError):
        read_statements(write(tmp_path, "bomb.xml", bomb))


def test_mt940_through_the_library(tmp_path: Path) -> None:
    data = mt940(
        1000_00,
        [(DAY, 1234_56, "/EREF/NOTPROVIDED/REMI/FACT F2026 0012/ORDP/GARAGE LEROY"
                        "/IBAN/FR7630006000011234567890189"),
         (DAY, -234_56, "PRLV EDF")],
    )  # fmt: skip
    statement = read_statements(write(tmp_path, "releve.sta", data))[0]
    assert statement.format == "mt940"
    credit, debit = statement.movements
    assert (credit.cents, debit.cents) == (1234_56, -234_56)
    assert "FACT F2026 0012" in credit.remittance
    assert credit.payer_name == "GARAGE LEROY"
    assert credit.payer_iban == "FR7630006000011234567890189"


def test_mt940_balances_checked(tmp_path: Path) -> None:
    data = mt940(0, [(DAY, 100, "x")], closing=150)
    with pytest.raises(StatementError, match="ne tombe pas juste"):
        read_statements(write(tmp_path, "r.sta", data))


def test_format_is_told_by_content_not_extension(tmp_path: Path) -> None:
    data = camt(0, [(DAY, 100, "x", "", "")])
    assert read_statements(write(tmp_path, "releve.txt", data))[0].format == "camt053"
    with pytest.raises(StatementError, match="ni un relevé CFONB"):
        read_statements(write(tmp_path, "x.xml", b"hello world"))


def test_identical_movements_keep_two_keys_and_the_same_ones_on_a_second_read() -> None:
    text = cfonb(0, [(DAY, 500, "VIR", []), (DAY, 500, "VIR", [])]).decode("latin-1")
    first = movement_keys(read_cfonb(text, "a")[0])
    assert len(set(first)) == 2  # all-zero bank references: still two payments
    assert movement_keys(read_cfonb(text, "a")[0]) == first
