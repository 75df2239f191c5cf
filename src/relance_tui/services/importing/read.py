"""Reading what French tools export: encodings, separators, headers, amounts and dates.

Pure functions over text (no SQL). Built for speed on million-row files: a file without quotes is
split in a handful of C-level string operations (no per-row Python loop), values are converted
column by column through caches keyed on the raw text, so each distinct value is parsed once.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import repeat
from pathlib import Path
from typing import Any

from relance_tui.i18n import number, t
from relance_tui.services.importing.opening import (
    MAX_CELL_CHARS,
    MAX_FILE_BYTES,
    ImportFileError,
    head_text,
    read_bounded,
    refuse_non_text,
)
from relance_tui.services.importing.sheets import is_spreadsheet, sheet_text

__all__ = ["ImportFileError"]  # where the import's callers have always found it

SEPARATORS = (";", "\t", ",", "|")
_BLANKS = ("\u00a0", "\u202f", "\u2009", " ")


@dataclass
class Table:
    """A CSV file as columns of raw strings, one list per header, all of the same length."""

    headers: list[str]
    columns: list[list[str]]
    separator: str
    encoding: str  # "utf-8-sig" (a BOM was there), "utf-8", "cp1252" or "utf-16"
    lines: list[int] | None = None  # file line of each row; None: row i is on line i + 2
    shape_errors: dict[int, str] = field(default_factory=dict)  # row index → reason
    oversized: set[int] = field(default_factory=set)  # rows with a cell too long (emptied)

    @property
    def row_count(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def line(self, index: int) -> int:
        return index + 2 if self.lines is None else self.lines[index]

    def row(self, index: int) -> list[str]:
        return [column[index] for column in self.columns]


# --- decoding -------------------------------------------------------------------------------


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Return (text, encoding): UTF-16 by BOM, UTF-8 with or without BOM, else Windows-1252."""
    refuse_non_text(data, path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8"), "utf-8-sig"
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ImportFileError(
            t("import.file.encoding", path=path, byte=f"0x{data[error.start]:02X}", line=line)
        ) from error


def sniff_separator(header_line: str) -> str:
    """The candidate separator found most often in the header line (ties: `;` first)."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = [(unquoted.count(sep), -rank, sep) for rank, sep in enumerate(SEPARATORS)]
    best = max(counts)
    return best[2] if best[0] else ";"


# --- splitting ------------------------------------------------------------------------------


_LEADING_NEWLINES = re.compile(r"[\r\n]*")


@dataclass
class Source:
    """A CSV file decoded, before splitting: its text, line end, separator and encoding."""

    text: str
    newline: str  # "\r\n" when the file has Windows line ends only, else "\n"
    separator: str
    encoding: str
    quoted: bool  # a `"` somewhere: cells may hold separators and line ends


def read_source(
    path: Path,
    check_head: Callable[[Source, bool], object] | None = None,
    *,
    sheet: str | None = None,
) -> Source:
    """Read and decode a CSV file, or one sheet of a spreadsheet (sheets.py). Raises
    ImportFileError for file-level problems.

    `check_head` sees the file's first lines (`head_source`), and whether they are all of it,
    before the rest is read; it raises to refuse the file. (A spreadsheet is a compressed whole:
    it sees its sheet's text once read.)
    """

    def check(head: bytes, whole: bool) -> None:
        assert check_head is not None
        if is_spreadsheet(head):
            return
        source = head_source(head, whole, path)
        if source is not None:
            check_head(source, whole)

    data = read_bounded(path, None if check_head is None else check)
    if is_spreadsheet(data[:8]):
        sheet_source = _source(sheet_text(data, path, sheet), "xlsx", path)
        del data
        if check_head is not None:
            check_head(sheet_source, True)
        return sheet_source
    text, encoding = decode(data, path)
    del data
    return _source(text, encoding, path)


def head_source(head: bytes, whole: bool, path: Path) -> Source | None:
    """The complete lines of a file's first bytes (`opening.head_text`), as `read_source` reads
    the whole file; None when they cannot tell."""
    text = head_text(head, whole, path)
    return None if text is None else _source(text, "utf-8", path)


def _source(text: str, encoding: str, path: Path) -> Source:
    quoted = '"' in text
    newline = "\n"
    if "\r" in text:
        if not quoted and text.count("\r") == text.count("\r\n"):
            newline = "\r\n"  # Windows line ends only: split on them, no 2nd copy of the text
        else:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text or text.isspace():  # not `text.strip()`: that copies a 100 MB text
        raise ImportFileError(t("import.file.empty", path=path))
    leading = _LEADING_NEWLINES.match(text)
    start = leading.end() if leading else 0
    end = text.find("\n", start)
    first_line = text[start : end if end >= 0 else len(text)].rstrip("\r")
    return Source(text, newline, sniff_separator(first_line), encoding, quoted)


def split_source(source: Source) -> Table:
    if source.quoted:
        table = _split_with_csv(source.text, source.separator, source.encoding)
        _limit_cells(table)
        return table
    return _split_fast(source.text, source.separator, source.encoding, source.newline)


def _limit_cells(table: Table) -> None:
    """A cell longer than MAX_CELL_CHARS refuses its row (a per-line error): it is emptied, and
    the row's other checks are not made (`Batch.fail` leaves `oversized` rows alone)."""
    for index, column in enumerate(table.columns):
        if not column or max(map(len, column)) <= MAX_CELL_CHARS:
            continue
        for row, cell in enumerate(column):
            if len(cell) > MAX_CELL_CHARS:
                column[row] = ""
                table.oversized.add(row)
                table.shape_errors[row] = t(
                    "import.row.cell_too_long",
                    column=table.headers[index],
                    length=number(len(cell)),
                    limit=number(MAX_CELL_CHARS),
                )


def read_table(path: Path) -> Table:
    """Read, decode and split a CSV file. Raises ImportFileError for file-level problems."""
    return split_source(read_source(path))


def cut_source(source: Source, first_share: float = 0.5) -> int | None:
    """Where to cut a file in two: the start of the line nearest `first_share` of its text.

    None for a quoted file (a quoted cell may hold a line end: only the csv module can cut it)
    or one too short to cut. `source_part` makes each part; rows keep their order: the first
    part's rows, then the second's, are the file's rows.
    """
    text, newline = source.text, source.newline
    if source.quoted:
        return None
    header_end = _header_end(source)
    if header_end < 0:
        return None
    cut = text.find(newline, header_end + int((len(text) - header_end) * first_share))
    return None if cut < 0 else cut + len(newline)


def source_part(source: Source, cut: int, second: bool) -> Source:
    """The first part of a cut file, or the second headed by the file's header line.

    Line numbers in the second part's table are not the file's: callers use its values only.
    """
    text, newline = source.text, source.newline
    if second:
        leading = _LEADING_NEWLINES.match(text)
        header = text[leading.end() if leading else 0 : _header_end(source)]
        text = header + newline + text[cut:]
    else:
        text = text[:cut]
    return Source(text, newline, source.separator, source.encoding, quoted=False)


def source_head(source: Source, rows: int) -> Source | None:
    """The header line and the `rows` lines after it; None when the file has no more lines."""
    text, newline = source.text, source.newline
    end = _header_end(source)
    for _ in range(rows):
        if end < 0:
            return None
        end = text.find(newline, end + len(newline))
    if end < 0 or _NOT_BLANK.search(text, end) is None:
        return None
    return Source(text[:end], newline, source.separator, source.encoding, source.quoted)


_NOT_BLANK = re.compile(r"\S")


def _header_end(source: Source) -> int:
    leading = _LEADING_NEWLINES.match(source.text)
    return source.text.find(source.newline, leading.end() if leading else 0)


def _split_fast(text: str, sep: str, encoding: str, newline: str = "\n") -> Table:
    lines = text.split(newline)
    del text
    table = _split_lines(lines, sep, encoding)
    if max(map(len, lines)) > MAX_CELL_CHARS:  # one pass over the lines, not one per column
        _limit_cells(table)
    return table


def _split_lines(lines: list[str], sep: str, encoding: str) -> Table:
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    headers = [cell.strip() for cell in lines[start].split(sep)]
    body = lines[start + 1 :]
    while body and not body[-1].strip(sep + " \t"):
        body.pop()
    width = len(headers)
    counts = set(map(str.count, body, repeat(sep)))
    if counts <= {width - 1} and not any(not line.strip(sep + " \t") for line in body):
        flat = sep.join(body).split(sep) if body else []
        columns = [flat[i::width] for i in range(width)]
        if start:
            lines_of = [start + 2 + i for i in range(len(body))]
            return Table(headers, columns, sep, encoding, lines_of)
        return Table(headers, columns, sep, encoding)
    records = ((start + 2 + i, line.split(sep)) for i, line in enumerate(body))
    return _regularise(headers, records, sep, encoding)


def _split_with_csv(text: str, sep: str, encoding: str) -> Table:
    # No cell can be longer than the file: the csv module never stops with a `_csv.Error`
    # (its default limit is 128 KiB); `_limit_cells` then refuses long cells line by line.
    limit = csv.field_size_limit(MAX_FILE_BYTES)
    try:
        return _split_records(text, sep, encoding)
    finally:
        csv.field_size_limit(limit)


def _split_records(text: str, sep: str, encoding: str) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    headers: list[str] | None = None
    header_line = 1
    records: list[tuple[int, list[str]]] = []
    previous_end = 0
    for record in reader:
        first_line = previous_end + 1
        previous_end = reader.line_num
        if headers is None:
            if not any(cell.strip() for cell in record):
                continue
            headers = [cell.strip() for cell in record]
            header_line = first_line
            continue
        records.append((first_line, record))
    assert headers is not None  # the text is not blank
    table = _regularise(headers, records, sep, encoding)
    if header_line != 1 and table.lines is None:
        table.lines = [header_line + 1 + i for i in range(table.row_count)]
    return table


def _regularise(
    headers: list[str], records: Iterable[tuple[int, list[str]]], sep: str, encoding: str
) -> Table:
    """Drop blank lines, pad short rows, flag rows with extra non-empty cells."""
    width = len(headers)
    lines: list[int] = []
    rows: list[list[str]] = []
    shape_errors: dict[int, str] = {}
    for line_no, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        elif len(cells) > width:
            if any(cell.strip() for cell in cells[width:]):
                shape_errors[len(rows)] = t(
                    "import.row.too_many_cells", found=len(cells), expected=width
                )
            cells = cells[:width]
        lines.append(line_no)
        rows.append(cells)
    columns = [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * width
    if not rows:
        columns = [[] for _ in range(width)]
    regular = all(line == index + 2 for index, line in enumerate(lines))
    return Table(headers, columns, sep, encoding, None if regular else lines, shape_errors)


def join_lines(column: list[str]) -> list[str]:
    """A multi-line cell on one line: `12 rue Haute\nBât. B` → `12 rue Haute, Bât. B`."""
    if "\n" not in "".join(column):  # read_source turned every line end of a quoted file into \n
        return column
    return [_one_line(cell) if "\n" in cell else cell for cell in column]


def _one_line(cell: str) -> str:
    # Spaces and tabs only: any other character around a line end is the value's own, and
    # checked like the rest (`str.strip` would drop some control characters unseen).
    return ", ".join(part for line in cell.split("\n") if (part := line.strip(" \t")))


# --- headers --------------------------------------------------------------------------------

_NUMBER_WORDS = {"n", "no", "num", "numero", "nr", "nro", "number", "nb", "nbr"}
_STOP_WORDS = {"de", "des", "d", "la", "le", "les", "l", "of", "the", "eur", "euro", "euros"}


def normalise_label(text: str) -> str:
    """Case, accents, punctuation and spacing removed: `N° de facture` → `n facture`."""
    decomposed = unicodedata.normalize("NFKD", text.replace("°", " n ").casefold())
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = re.sub(r"[^0-9a-z]+", " ", ascii_text).split()
    kept = ["n" if word in _NUMBER_WORDS else word for word in words if word not in _STOP_WORDS]
    collapsed: list[str] = []
    for word in kept:
        if not (word == "n" and collapsed and collapsed[-1] == "n"):
            collapsed.append(word)
    return " ".join(collapsed)


# --- value converters -----------------------------------------------------------------------


class Bad:
    """A raw value a converter could not read; `reason` is ready to show."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


class Converter(dict[str, Any]):
    """Raw text → converted value, each distinct raw text converted once (`__missing__`)."""

    def __init__(self, function: Callable[[str], Any]) -> None:
        super().__init__()
        self.function = function
        self.bad: set[str] = set()

    def __missing__(self, raw: str) -> Any:
        value = self.function(raw)
        if value.__class__ is Bad:
            self.bad.add(raw)
        self[raw] = value
        return value

    def convert(self, column: list[str]) -> list[Any]:
        return list(map(self.__getitem__, column))


_PLAIN_AMOUNTS = re.compile(r"(?:\d+[.,]\d\d\n)*\d+[.,]\d\d")


def amounts_fast(column: list[str]) -> list[int] | None:
    """The whole column at once when every cell reads `1 234,56`, `1234.56` or `1 234,56 €`.

    A few C-level string operations instead of a Python call per cell; None when any cell has
    another shape (negative, no decimals, empty…): the caller then converts cell by cell.
    """
    if not column:
        return []
    joined = "\n".join(column)
    if "€" in joined:
        joined = joined.replace(" €\n", "\n").replace("€\n", "\n")
        joined = joined[:-2] if joined.endswith(" €") else joined.rstrip("€")
    for blank in _BLANKS:
        if blank in joined:
            joined = joined.replace(blank, "")
    if not _PLAIN_AMOUNTS.fullmatch(joined):
        return None
    digits = joined.replace(",", "").replace(".", "").split("\n")
    return list(map(int, digits)) if len(digits) == len(column) else None


def parse_amount_cents(raw: str) -> int | Bad | None:
    """`1 234,56 €`, `1234.56`, `1.234,56`, `-12,5` → cents. Empty → None. More decimals → Bad."""
    text = raw.strip()
    if not text:
        return None
    for blank in _BLANKS:
        if blank in text:
            text = text.replace(blank, "")
    if text.endswith("€"):
        text = text[:-1]
    elif text.startswith("€"):
        text = text[1:]
    if text.upper().endswith("EUR"):
        text = text[:-3]
    negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
    text = text.strip("-+()")
    comma, dot = text.rfind(","), text.rfind(".")
    if comma >= 0 and dot >= 0:  # the last one is the decimal mark, the other groups thousands
        text = text.replace("." if comma > dot else ",", "").replace(",", ".")
    elif comma >= 0:
        text = text.replace(",", ".")
    units, _, decimals = text.partition(".")
    if not units.isdigit() and not (units == "" and decimals):
        return Bad(t("import.value.amount", value=raw.strip()))
    if decimals and not decimals.isdigit():
        return Bad(t("import.value.amount", value=raw.strip()))
    if len(decimals.rstrip("0")) > 2:
        return Bad(t("import.value.amount_decimals", value=raw.strip()))
    cents = int(units or "0") * 100 + int((decimals + "00")[:2])
    return -cents if negative else cents


DEFAULT_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
_MIDNIGHT = re.compile(r"\s+00:00(:00)?$")


def date_parser(date_format: str | None) -> Callable[[str], str | Bad | None]:
    """Return raw → ISO date (`31/12/2026` → `2026-12-31`); empty → None; unreadable → Bad."""
    formats = ((date_format,) if date_format else ()) + DEFAULT_DATE_FORMATS

    def parse(raw: str) -> str | Bad | None:
        text = _MIDNIGHT.sub("", raw.strip())
        if not text:
            return None
        for fmt in formats:
            try:
                return datetime.strptime(text, fmt).date().isoformat()
            except ValueError:
                continue
        hint = date_format or "JJ/MM/AAAA, AAAA-MM-JJ"
        return Bad(t("import.value.date", value=raw.strip(), formats=hint))

    return parse


_TRUE = {"oui", "o", "yes", "y", "true", "vrai", "1", "x"}
_FALSE = {"non", "n", "no", "false", "faux", "0", ""}


def parse_bool(raw: str) -> bool | Bad:
    text = normalise_label(raw)
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return Bad(t("import.value.bool", value=raw.strip()))


def label_parser(
    values: dict[str, str], choices: str, default: str | None
) -> Callable[[str], str | Bad | None]:
    """Return raw → enum value, from a table of normalised labels (both languages, the values)."""

    def parse(raw: str) -> str | Bad | None:
        text = normalise_label(raw)
        if not text:
            return default
        found = values.get(text)
        if found is None:
            return Bad(t("import.value.choice", value=raw.strip(), choices=choices))
        return found

    return parse


def is_iso_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
