"""Reading a statement file: bounded like every import, its format told by its content."""

from __future__ import annotations

from pathlib import Path

from relance_tui.i18n import t
from relance_tui.services.importing.opening import read_bounded
from relance_tui.services.statements.camt import looks_like_camt, read_camt
from relance_tui.services.statements.cfonb import looks_like_cfonb, read_cfonb
from relance_tui.services.statements.model import Statement, StatementError
from relance_tui.services.statements.swift import looks_like_mt940, read_mt940


def _decode(data: bytes) -> str:
    """UTF-8 when it is, else Latin-1 (CFONB's own encoding; every byte decodes)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_statements(path: Path) -> list[Statement]:
    """The statements of a CFONB 120, camt.053 or MT940 file, each checked to add up.

    Raises StatementError (an ImportFileError) naming the file, the line and the fix.
    """
    data = read_bounded(path)
    name = path.name
    if not data.strip():
        raise StatementError(t("statement.error.empty", file=name))
    text = _decode(data)
    if looks_like_camt(text):
        return read_camt(data, name)
    if looks_like_cfonb(text):
        return read_cfonb(data.decode("latin-1"), name)
    if looks_like_mt940(text):
        return read_mt940(text, name)
    if text.lstrip("\ufeff \r\n\t").startswith("<"):
        raise StatementError(t("statement.camt.not_camt", file=name, root=text.strip()[:40]))
    raise StatementError(t("statement.error.unknown_format", file=name))
