"""services.spreadsheet: CSV cells for Excel never start a formula; signed numbers stay numbers."""

from __future__ import annotations

import csv
import io

import pytest

from relance_tui.services.spreadsheet import SpreadsheetWriter, neutralise


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("https://evil.example";"x")',
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)",
        "\t=1+1",
        "\r=1+1",
        "-",
        "-1,5E+3",
        "+33 6 12 34 56 78 =1",
    ],
)
def test_formulas_get_a_leading_quote(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize(
    "cell", ["-12,50", "-1 234,56 €", "-1\u202f234,56\u00a0€", "+33 6 12 34 56 78", "-5", "x=1", ""]
)
def test_text_and_signed_numbers_are_kept(cell: str) -> None:
    assert neutralise(cell) == cell


def test_writer_neutralises_every_cell() -> None:
    out = io.StringIO()
    SpreadsheetWriter(out, delimiter=";").writerow(["=1+1", "ok", "-3,00", "@x"])
    assert list(csv.reader(io.StringIO(out.getvalue()), delimiter=";")) == [
        ["'=1+1", "ok", "-3,00", "'@x"]
    ]
    assert out.getvalue().endswith("\r\n")
