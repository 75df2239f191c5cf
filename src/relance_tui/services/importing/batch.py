"""One import file as columns of checked values: headers matched to fields, each column converted
and validated with the domain models' own field types, bad rows named with their line and reason.

Shared by the pipeline (pipeline.py) and the per-kind handlers (kinds.py), which both build on it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import annotated_types
from pydantic import BaseModel, StringConstraints, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from relance_tui.domain.text import describe, inert, unsafe_character
from relance_tui.i18n import KeyedError, t
from relance_tui.services.importing.fields import (
    FIELD_LABEL_KEYS,
    FieldSpec,
    ImportKind,
    KindSpec,
    Read,
    choice_display,
    choice_labels,
    country_codes,
)
from relance_tui.services.importing.halves import CleanHalf
from relance_tui.services.importing.read import (
    Bad,
    Converter,
    ImportFileError,
    Table,
    amounts_fast,
    date_parser,
    join_lines,
    normalise_label,
    parse_amount_cents,
    parse_bool,
)

Progress = Callable[[int, int], None]
SHOWN_VALUE = 80  # characters of a bad value a report quotes


@dataclass
class ImportOptions:
    agent: str
    mapping: dict[str, str] = field(default_factory=dict)  # field name → header in the file
    date_format: str | None = None  # strptime syntax, tried before the usual formats
    skip_bad: bool = False
    rejects_path: Path | None = None
    sheet: str | None = None  # the sheet of a spreadsheet with several (sheets.py)
    preset: str | None = None  # a tool's header preset forced (presets.py); else recognised


@dataclass
class RowError:
    line: int  # line in the file, the header being line 1 (0: the whole file)
    field: str  # the header as written in the file
    value: str
    reason: str

    def __str__(self) -> str:
        if self.field:
            where = t("import.where", line=self.line, field=inert(self.field))
        else:  # the whole line (its shape), or the whole file (line 0)
            where = t("import.where_line", line=self.line) if self.line else ""
        shown = self.value if len(self.value) <= SHOWN_VALUE else self.value[:SHOWN_VALUE] + "…"
        value = f" « {inert(shown)} »" if self.value else ""
        return f"{where}{value} : {self.reason}" if where else f"{value} {self.reason}".strip()


@dataclass
class ImportReport:
    kind: ImportKind
    path: Path
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    committed: bool = False
    unchanged: int = 0  # rows already in the database (payments imported before)
    columns: dict[str, str] = field(default_factory=dict)  # field → header used
    ignored_columns: list[str] = field(default_factory=list)
    rejects_path: Path | None = None
    import_id: int | None = None
    stopped_after: int | None = None  # the file was not read past this line (all bad so far)
    preset: str = ""  # the tool whose export's headers were recognised (presets.py)


# --- header matching ------------------------------------------------------------------------


def match_headers(
    headers: list[str], spec: KindSpec, mapping: dict[str, str], path: Path
) -> tuple[dict[str, int], list[str]]:
    """Return (field → column index, ignored headers). Raises ImportFileError with the fix."""
    normalised = [normalise_label(header) for header in headers]
    columns: dict[str, int] = {}
    for name, wanted in mapping.items():
        if name not in {item.name for item in spec.fields}:
            raise ImportFileError(
                t("import.file.unknown_field", field=name, kind=spec.kind.value,
                  fields=", ".join(item.name for item in spec.fields))
            )  # fmt: skip
        target = normalise_label(wanted)
        if target not in normalised:
            raise ImportFileError(
                t("import.file.mapped_header_missing", header=wanted, path=path.name,
                  headers=" | ".join(headers))
            )  # fmt: skip
        columns[name] = normalised.index(target)
    taken = set(columns.values())
    for item in spec.fields:
        if item.name in columns:
            continue
        for alias in item.aliases:  # the first alias found wins: aliases are in order of trust
            hits = [i for i, text in enumerate(normalised) if text == alias and i not in taken]
            if hits:
                columns[item.name] = hits[0]
                taken.add(hits[0])
                break
    missing = [item for item in spec.fields if item.required and item.name not in columns]
    if missing:
        raise ImportFileError(
            t(
                "import.file.missing_columns",
                path=path.name,
                kind=spec.kind.value,
                missing=", ".join(
                    f"{field_label(spec, item.name)} ({item.name})" for item in missing
                ),
                headers=" | ".join(headers),
                example=missing[0].name,
            )
        )
    ignored = [h for i, h in enumerate(headers) if i not in taken and h.strip()]
    return columns, ignored


def field_label(spec: KindSpec, name: str) -> str:
    return t(FIELD_LABEL_KEYS[spec.kind, name])


# --- amounts: the model's constraints, checked on integer cents -----------------------------


def cents_bounds(info: FieldInfo) -> tuple[int | None, int | None]:
    """(exclusive low, exclusive high) in cents, read from a money field's own constraints.

    Refuses constraints it does not know, so a new rule on the model cannot be skipped here.
    """
    low: int | None = None
    high: int | None = None
    for item in info.metadata:
        if isinstance(item, annotated_types.Gt):
            low = int(Decimal(str(item.gt)) * 100)
        elif isinstance(item, annotated_types.Ge):
            low = int(Decimal(str(item.ge)) * 100) - 1
        elif isinstance(item, annotated_types.Lt):
            high = int(Decimal(str(item.lt)) * 100)
        elif isinstance(item, annotated_types.Le):
            high = int(Decimal(str(item.le)) * 100) + 1
        elif type(item).__name__ == "_PydanticGeneralMetadata" and set(vars(item)) <= {
            "max_digits",
            "decimal_places",
        }:
            places = getattr(item, "decimal_places", 2)
            if places != 2:
                raise TypeError(f"money field with {places} decimal places: cents cannot hold it")
            digits = getattr(item, "max_digits", None)
            if digits is not None:
                high = 10**digits if high is None else min(high, 10**digits)
        else:
            raise TypeError(f"constraint {item!r} is not checked by the importer")
    return low, high


def _field_type(model: type[BaseModel], name: str) -> Any:
    info = model.model_fields[name]
    return Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation


# Pydantic's error types, in the user's words (their text takes the error's ctx values).
PYDANTIC_REASON_KEYS: dict[str, str] = {
    "string_too_short": "import.reason.string_too_short",
    "string_too_long": "import.reason.string_too_long",
    "string_pattern_mismatch": "import.reason.string_pattern_mismatch",
    "greater_than": "import.reason.greater_than",
    "greater_than_equal": "import.reason.greater_than_equal",
    "less_than": "import.reason.less_than",
    "less_than_equal": "import.reason.less_than_equal",
    "decimal_max_places": "import.reason.decimal_max_places",
    "decimal_whole_digits": "import.reason.decimal_whole_digits",
    "decimal_max_digits": "import.reason.decimal_max_digits",
    "decimal_parsing": "import.reason.decimal_parsing",
    "int_parsing": "import.reason.int_parsing",
    "int_from_float": "import.reason.int_from_float",
    "enum": "import.reason.enum",
    "date_parsing": "import.reason.date_parsing",
    "date_from_datetime_parsing": "import.reason.date_from_datetime_parsing",
    "bool_parsing": "import.reason.bool_parsing",
}


def pydantic_reason(error: ErrorDetails) -> str:
    """A pydantic error in the user's language (the model's own rules raise `KeyedError`)."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        raised = ctx.get("error")
        return raised.text() if isinstance(raised, KeyedError) else str(raised or error["msg"])
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return t("import.reason.required")
    if kind in PYDANTIC_REASON_KEYS:
        return t(PYDANTIC_REASON_KEYS[kind], **ctx)
    return error["msg"]


# --- the batch: columns being validated -----------------------------------------------------


class Batch:
    """One file being imported: raw columns in, validated columns and row errors out."""

    def __init__(
        self, table: Table, spec: KindSpec, columns: dict[str, int], options: ImportOptions
    ):
        self.table = table
        self.spec = spec
        self.columns = columns
        self.options = options
        self.values: dict[str, list[Any]] = {}
        self.errors: dict[int, list[RowError]] = {}
        self.bad_fields: dict[str, set[int]] = {}  # field → rows whose value in it is bad
        self.warnings: list[RowError] = []
        self.ignored_columns: list[str] = []  # headers of the file no field took
        self.preset = ""  # the tool whose headers were read (presets.py)
        for index, reason in table.shape_errors.items():
            self.fail(index, "", reason)

    @property
    def size(self) -> int:
        return self.table.row_count

    def has(self, name: str) -> bool:
        return name in self.columns

    def header(self, name: str) -> str:
        index = self.columns.get(name)
        return self.table.headers[index] if index is not None else field_label(self.spec, name)

    def raw(self, name: str, row: int) -> str:
        index = self.columns.get(name)
        return self.table.columns[index][row] if index is not None else ""

    def fail(self, row: int, name: str, reason: str) -> None:
        if name and row in self.table.oversized:  # refused already, its cells not all read
            return
        error = RowError(
            self.table.line(row), self.header(name) if name else "", self.raw(name, row), reason
        )
        self.errors.setdefault(row, []).append(error)
        self.bad_fields.setdefault(name, set()).add(row)

    def warn(self, row: int, name: str, reason: str) -> None:
        self.warnings.append(
            RowError(self.table.line(row), self.header(name), self.raw(name, row), reason)
        )

    def good_rows(self) -> list[int] | None:
        """Indices of the rows without error, or None when every row is good."""
        if not self.errors:
            return None
        return [i for i in range(self.size) if i not in self.errors]

    def column(self, name: str, keep: list[int] | None) -> list[Any]:
        values = self.values[name]
        return values if keep is None else [values[i] for i in keep]

    # -- conversion and validation, column by column

    def validate_fields(self) -> None:
        for spec in self.spec.fields:
            if spec.name in self.columns:
                index = self.columns[spec.name]
                if spec.lines:
                    self.table.columns[index] = join_lines(self.table.columns[index])
                raw = self.table.columns[index]
                distinct = self._validate(spec, raw)
                self._refuse_unsafe(spec, raw, raw if distinct is None else distinct)

    def _validate(self, spec: FieldSpec, raw: list[str]) -> Collection[str] | None:
        """Convert and validate a column; return its distinct cells when they are known."""
        if spec.read is Read.PHONE:
            self.values[spec.name] = [cell.strip() for cell in raw]
            return None
        if spec.read is Read.TEXT and not spec.distinct:
            self.values[spec.name] = self._validate_column(spec, raw)
            return None
        if spec.read is Read.AMOUNT:
            fast = amounts_fast(raw)
            if fast is not None:  # digits, separators and spaces only
                self._check_cents(spec, fast)
                self.values[spec.name] = fast
                return ()
            converter = Converter(parse_amount_cents)
            values = converter.convert(raw)
            self._conversion_errors(spec, raw, converter)
            self._check_cents(spec, values)
            self.values[spec.name] = values
            return converter.keys()
        # Few distinct raw texts (dates, codes, references): each one is converted and validated
        # once. The converted column is kept when the model leaves every value as it is (the
        # usual case), else it is one look-up per cell in a raw text → final value table.
        converter = Converter(self._reader(spec))
        converted = converter.convert(raw)
        self._conversion_errors(spec, raw, converter)
        final = self._validate_distinct(spec, raw, converter)
        unchanged = all(
            value is before or (value.__class__ is before.__class__ and value == before)
            for value, before in zip(final.values(), converter.values(), strict=True)
        )
        self.values[spec.name] = converted if unchanged else list(map(final.__getitem__, raw))
        return converter.keys()

    def _refuse_unsafe(self, spec: FieldSpec, raw: list[str], cells: Collection[str]) -> None:
        """Rows whose cell holds a control or bidirectional character (domain.text): refused
        like any bad value, unless the cell is reported already. One C-level scan of the
        column's (distinct) cells joined; cell by cell only when it finds one."""
        if unsafe_character("".join(cells)) is None:
            return
        reported = self.bad_fields.get(spec.name, set())
        for row, cell in enumerate(raw):
            found = unsafe_character(cell)
            if found is not None and row not in reported:
                self.fail(row, spec.name, t("import.reason.unsafe_character", code=describe(found)))

    def _conversion_errors(self, spec: FieldSpec, raw: list[str], converter: Converter) -> None:
        """Rows whose raw text could not be read, then required cells left empty."""
        if converter.bad:
            for row, cell in enumerate(raw):
                if cell in converter.bad:
                    self.fail(row, spec.name, converter[cell].reason)
        if spec.required and None in converter.values():
            empty = {cell for cell, value in converter.items() if value is None}
            for row, cell in enumerate(raw):
                if cell in empty:
                    self.fail(row, spec.name, t("import.reason.required"))

    def _reader(self, spec: FieldSpec) -> Callable[[str], Any]:
        info = self.spec.model.model_fields.get(spec.name)
        default = None if info is None or info.is_required() else info.default
        default = getattr(default, "value", default)
        if spec.read is Read.AMOUNT:
            return parse_amount_cents
        if spec.read is Read.DATE:
            return date_parser(self.options.date_format)
        if spec.read is Read.BOOL:
            return parse_bool
        if spec.read is Read.CHOICE:
            assert spec.choices is not None
            return _label_reader(choice_labels(spec.choices), choice_display(spec.choices), default)
        if spec.read is Read.COUNTRY:
            return _country_reader(default)
        if spec.read is Read.CURRENCY:
            return _currency_reader(default)
        if spec.read is Read.OPTIONAL:
            return lambda cell: cell if cell.strip() else None
        return lambda cell: cell if cell.strip() else default

    def _validate_column(self, spec: FieldSpec, values: list[str]) -> list[Any]:
        """Validate a whole column with the model's type (fast: pydantic-core in one call)."""
        if _plain_text_ok(self.spec.model.model_fields[spec.name], values):
            return values
        adapter = _list_adapter(self.spec.model, spec.name)
        try:
            return list(adapter.validate_python(values))
        except ValidationError as error:
            bad: dict[int, ErrorDetails] = {}
            for item in error.errors():
                bad.setdefault(int(item["loc"][0]), item)
        for row, item in bad.items():
            self.fail(row, spec.name, pydantic_reason(item))
        placeholder = next((v for i, v in enumerate(values) if i not in bad), None)
        if placeholder is None:
            return list(values)
        patched = [placeholder if i in bad else v for i, v in enumerate(values)]
        return list(adapter.validate_python(patched))

    def _validate_distinct(
        self, spec: FieldSpec, raw: list[str], converted: dict[str, Any]
    ) -> dict[str, Any]:
        """Validate each distinct converted value once with the model's type.

        Returns raw text → final value (the converted value itself when it is None, unreadable
        or refused by the model: those rows are already reported).
        """
        adapter = _adapter(self.spec.model, spec.name)
        results: dict[Any, Any] = {}
        failures: dict[Any, str] = {}
        distinct = [v for v in set(converted.values()) if v is not None and v.__class__ is not Bad]
        try:  # one call for all of them; value by value only to find the culprits
            outputs = _list_adapter(self.spec.model, spec.name).validate_python(distinct)
        except ValidationError as error:
            culprits = {int(item["loc"][0]) for item in error.errors()}
            for index in culprits:
                try:
                    adapter.validate_python(distinct[index])
                except ValidationError as single:
                    failures[distinct[index]] = pydantic_reason(single.errors()[0])
            distinct = [v for i, v in enumerate(distinct) if i not in culprits]
            outputs = _list_adapter(self.spec.model, spec.name).validate_python(distinct)
        for value, result in zip(distinct, outputs, strict=True):
            if isinstance(result, date):
                result = result.isoformat()
            results[value] = getattr(result, "value", result)
        if failures:
            refused = {cell for cell, value in converted.items() if value in failures}
            for row, cell in enumerate(raw):
                if cell in refused:
                    self.fail(row, spec.name, failures[converted[cell]])
        return {cell: results.get(value, value) for cell, value in converted.items()}

    def _check_cents(self, spec: FieldSpec, values: list[Any]) -> None:
        low, high = cents_bounds(self.spec.model.model_fields[spec.name])
        low = -(10**30) if low is None else low
        high = 10**30 if high is None else high
        try:  # C-level when every cell is an int (the usual case)
            if not values or (low < min(values) and max(values) < high):
                return
        except TypeError:  # a missing or unreadable value: the careful loop below
            pass
        out_of_bounds = [
            row
            for row, cents in enumerate(values)
            if cents.__class__ is int and not low < cents < high
        ]
        adapter = _adapter(self.spec.model, spec.name)
        for row in out_of_bounds:
            try:  # the model says why, in its own words
                adapter.validate_python(Decimal(values[row]) / 100)
                reason = t("import.reason.amount_range")
            except ValidationError as error:
                reason = pydantic_reason(error.errors()[0])
            self.fail(row, spec.name, reason)

    def model_errors(self, row: int, data: dict[str, Any], blame: dict[str, str]) -> None:
        """Run the model on a row flagged by a vectorised check; report its cross-field reasons.

        `blame` names the field to point at for each of the model's rule keys.
        """
        try:
            self.spec.model.model_validate(data)
        except ValidationError as error:
            for item in error.errors():
                if not item["loc"]:  # field errors were reported column by column
                    key = str((item.get("ctx") or {}).get("error", ""))
                    self.fail(row, blame.get(key, ""), pydantic_reason(item))


class StartOver(Exception):
    """Joined halves met a problem: the one-process path makes the report (raw values, lines)."""


class HalfBatch(Batch):
    """The validated values of one clean half of a file (halves.py).

    The half's raw text may be in another process, so it cannot report a row: `fail` and `warn`
    raise StartOver instead.
    """

    def __init__(self, like: Batch, half: CleanHalf) -> None:
        super().__init__(like.table, like.spec, like.columns, like.options)
        self.values = half.values
        self._size = half.size

    @property
    def size(self) -> int:
        return self._size

    def fail(self, row: int, name: str, reason: str) -> None:
        raise StartOver

    def warn(self, row: int, name: str, reason: str) -> None:
        raise StartOver


def _plain_text_ok(info: FieldInfo, values: list[str]) -> bool:
    """Whether a `str` field's constraints surely accept every cell unchanged (C-level checks).

    Only for plain `str` with length limits and whitespace stripping; any other rule, or any
    cell with surrounding whitespace (which the model would strip), answers False and pydantic
    decides. Python's `str.strip` removes a superset of the characters pydantic trims, so a cell
    `str.strip` leaves alone is one the model leaves alone too.
    """
    if info.annotation is not str or len(info.metadata) != 1:
        return False
    rule = info.metadata[0]
    if not isinstance(rule, StringConstraints) or (
        rule.to_upper or rule.to_lower or rule.pattern is not None or rule.ascii_only
    ):
        return False
    if not values:
        return True
    if rule.strip_whitespace and not all(map(operator.is_, map(str.strip, values), values)):
        return False
    if rule.min_length is not None and min(map(len, values)) < rule.min_length:
        return False
    return rule.max_length is None or max(map(len, values)) <= rule.max_length


_ADAPTERS: dict[tuple[type[BaseModel], str, bool], TypeAdapter[Any]] = {}


def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    key = (model, name, False)
    if key not in _ADAPTERS:
        _ADAPTERS[key] = TypeAdapter(_field_type(model, name))
    return _ADAPTERS[key]


def _list_adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    key = (model, name, True)
    if key not in _ADAPTERS:
        _ADAPTERS[key] = TypeAdapter(list[_field_type(model, name)])  # type: ignore[misc,arg-type]
    return _ADAPTERS[key]


def _label_reader(
    labels: dict[str, str], choices: str, default: str | None
) -> Callable[[str], str | Bad | None]:
    def read(cell: str) -> str | Bad | None:
        text = normalise_label(cell)
        if not text:
            return default
        return labels.get(text) or Bad(
            t("import.value.choice", value=cell.strip(), choices=choices)
        )

    return read


def _country_reader(default: str | None) -> Callable[[str], str | Bad | None]:
    def read(cell: str) -> str | Bad | None:
        text = normalise_label(cell)
        if not text:
            return default
        return country_codes().get(text) or Bad(t("import.value.country", value=cell.strip()))

    return read


def _currency_reader(default: str | None) -> Callable[[str], str | None]:
    def read(cell: str) -> str | None:
        text = cell.strip()
        if not text:
            return default
        if text == "€" or normalise_label(text) in {"", "euro", "euros", "eur"}:
            return "EUR"
        return text.upper()

    return read
