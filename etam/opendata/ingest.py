"""Reading uploads, inferring a Table Schema, validating every row, writing Parquet.

The file is read as a stream of Arrow record batches (``pyarrow.csv.open_csv`` for CSV,
``openpyxl`` read-only mode for XLSX), every cell first as raw text. Each batch is
checked and converted column by column with Arrow compute kernels, and written to a
Parquet file in row groups; nothing holds more than a few batches in memory, so a
1 GB CSV does not need 1 GB of RAM (docs/adr/0041-streamed-ingestion.md).

Nothing is coerced silently: a value either matches the column's declared format
exactly (``1.234.567,89`` for the Indonesian number style, ``2024-01-31`` for dates...)
or becomes an error naming row, column, value and rule. Any error means no Parquet.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from django.utils.translation import gettext as _

from etam.core import exports, spreadsheets

ROW_ID = "_id"
BATCH_ROWS = 65_536
ROW_GROUP_ROWS = 262_144
SAMPLE_ROWS = 2_000
SUMMARY_ERRORS = 200
NAME_RE = re.compile(r"^[^\x00-\x1f\"]{1,63}$")

BOOL_TRUE = ["true", "ya", "y", "yes", "benar", "t"]
BOOL_FALSE = ["false", "tidak", "n", "no", "salah", "f"]

# Per number style: (integer pattern, decimal pattern, group separator, decimal separator)
NUMBER_STYLES: dict[str, tuple[str, str, str, str]] = {
    "plain": (r"^[+-]?\d{1,18}$", r"^[+-]?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?$", "", "."),
    "id": (r"^[+-]?(\d{1,3}(\.\d{3}){1,5}|\d{1,18})$", r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$", ".", ","),
    "intl": (r"^[+-]?(\d{1,3}(,\d{3}){1,5}|\d{1,18})$", r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$", ",", "."),
}
DATE_FORMATS = {
    "%Y-%m-%d": r"^\d{4}-\d{2}-\d{2}$",
    "%d/%m/%Y": r"^\d{2}/\d{2}/\d{4}$",
    "%d-%m-%Y": r"^\d{2}-\d{2}-\d{4}$",
}
DATE_LABELS = {"%Y-%m-%d": "YYYY-MM-DD (2024-01-31)", "%d/%m/%Y": "DD/MM/YYYY (31/01/2024)", "%d-%m-%Y": "DD-MM-YYYY"}
REGION_RE = r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$"
NPSN_RE = r"^\d{8}$"

ARROW_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "year": pa.int32(),
}


class FileProblem(Exception):
    """The file as a whole cannot be read (not CSV/XLSX, no header, duplicate names...)."""


@dataclass
class Column:
    """What the validator needs to know about a column (a ColumnSpec or an inference)."""

    name: str
    type: str = "string"
    required: bool = False
    minimum: Decimal | float | None = None
    maximum: Decimal | float | None = None
    number_format: str = "plain"
    date_format: str = "%Y-%m-%d"
    reference: str = ""
    title: str = ""
    unit: str = ""
    definition: str = ""


@dataclass
class Dialect:
    format: str  # csv | xlsx
    encoding: str = "utf-8"
    delimiter: str = ","


@dataclass
class CellError:
    row: int
    column: str
    value: str
    rule: str
    message: str


@dataclass
class Result:
    row_count: int = 0
    error_count: int = 0
    by_column: Counter[tuple[str, str]] = field(default_factory=Counter)
    first_errors: list[CellError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def summary(self) -> dict[str, Any]:
        return {
            "rows": self.row_count,
            "errors": self.error_count,
            "by_column": [
                {"column": c, "rule": r, "count": n} for (c, r), n in sorted(self.by_column.items(), key=str)
            ],
            "first": [e.__dict__ for e in self.first_errors],
        }


# ---------------------------------------------------------------------------- detection


def detect_dialect(raw: IO[bytes], filename: str) -> Dialect:
    """Sniff the format from content (not the name), the encoding and the delimiter."""
    head = raw.read(65_536)
    raw.seek(0)
    if head[:4] == b"PK\x03\x04":
        return Dialect(format="xlsx")
    if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileProblem(_("File: old Excel format (.xls) is not supported; save it as .xlsx or CSV."))
    if b"\x00" in head:
        raise FileProblem(_("File: this is not a CSV text file or an XLSX workbook."))
    encoding = "utf-8"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        encoding = "cp1252"
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    first_lines = "\n".join(text.splitlines()[:20])
    if not first_lines.strip():
        raise FileProblem(_("File: the file is empty."))
    try:
        delimiter = csv.Sniffer().sniff(first_lines, delimiters=",;\t").delimiter
    except csv.Error:
        header = first_lines.splitlines()[0]
        delimiter = max(",;\t", key=header.count)
    return Dialect(format="csv", encoding=encoding, delimiter=delimiter)


# ---------------------------------------------------------------------------- reading


@dataclass
class Batch:
    """Raw text columns of consecutive records, and how to find each record's row number
    (as a spreadsheet shows it: the header is row 1)."""

    columns: dict[str, pa.Array]
    size: int
    first_record: int = 0  # CSV: records before this batch
    skipped: tuple[int, ...] = ()  # CSV: physical rows dropped as malformed, sorted
    numbers: list[int] | None = None  # XLSX: explicit sheet row numbers

    def row(self, index: int) -> int:
        if self.numbers is not None:
            return self.numbers[index]
        row = self.first_record + index + 2
        for bad in self.skipped:
            if bad <= row:
                row += 1
        return row


class _Reader:
    """Streams a file as batches of trimmed text columns, recording malformed rows."""

    def __init__(self, raw: IO[bytes], dialect: Dialect) -> None:
        self.raw = raw
        self.dialect = dialect
        self.header: list[str] = []
        self.structural: list[CellError] = []

    # CSV ------------------------------------------------------------------------
    def _csv_batches(self) -> Iterator[Batch]:
        skipped: list[int] = []

        def on_invalid(row: Any) -> str:
            number = row.number if row.number is not None else -1
            skipped.append(number)
            self.structural.append(
                CellError(
                    row=number,
                    column="",
                    value=(row.text or "")[:200],
                    rule="columns",
                    message=_("Row %(row)s has %(actual)s values; the header has %(expected)s columns.")
                    % {"row": number, "actual": row.actual_columns, "expected": row.expected_columns},
                )
            )
            return "skip"

        encoding = "utf8" if self.dialect.encoding in ("utf-8", "utf-8-sig", "utf8") else self.dialect.encoding
        # The header is read from a copy of the first megabyte: a reader left unfinished on
        # the real file would keep reading ahead through all of it.
        start = self.raw.tell()
        prefix = self.raw.read(1 << 20)
        self.raw.seek(start)
        if len(prefix) == 1 << 20 and b"\n" in prefix:
            prefix = prefix[: prefix.rindex(b"\n") + 1]
        header_reader = pacsv.open_csv(
            io.BytesIO(prefix),
            read_options=pacsv.ReadOptions(use_threads=False, block_size=1 << 16, encoding=encoding),
            parse_options=pacsv.ParseOptions(
                delimiter=self.dialect.delimiter, newlines_in_values=True, invalid_row_handler=lambda row: "skip"
            ),
        )
        names = list(header_reader.schema.names)
        self._check_header(names)
        try:
            reader = pacsv.open_csv(
                self.raw,
                read_options=pacsv.ReadOptions(use_threads=False, block_size=1 << 20, encoding=encoding),
                parse_options=pacsv.ParseOptions(
                    delimiter=self.dialect.delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
                ),
                convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.binary())),
            )
        except pa.ArrowInvalid as exc:
            raise FileProblem(_("File: cannot be read as CSV (%(detail)s).") % {"detail": exc}) from exc
        seen = 0
        while True:
            try:
                record_batch = reader.read_next_batch()
            except StopIteration:
                break
            except pa.ArrowInvalid as exc:
                raise FileProblem(
                    _("File: cannot be read as CSV after row %(row)s (%(detail)s).") % {"row": seen + 1, "detail": exc}
                ) from exc
            n = record_batch.num_rows
            if n == 0:
                continue
            batch = Batch(
                columns={name: record_batch.column(i) for i, name in enumerate(names)},
                size=n,
                first_record=seen,
                skipped=tuple(sorted(p for p in skipped if p > 0)),
            )
            seen += n
            yield batch

    # XLSX -----------------------------------------------------------------------
    def _xlsx_batches(self) -> Iterator[Batch]:
        from openpyxl import load_workbook

        try:
            spreadsheets.check_xlsx(self.raw)
            workbook = load_workbook(self.raw, read_only=True, data_only=True)
        except spreadsheets.SpreadsheetTooLarge as exc:
            raise FileProblem(exc.message) from exc
        except Exception as exc:
            raise FileProblem(_("File: cannot be opened as an XLSX workbook (%(detail)s).") % {"detail": exc}) from exc
        try:
            yield from self._xlsx_rows(workbook)
        except spreadsheets.SpreadsheetTooLarge as exc:
            raise FileProblem(exc.message) from exc
        finally:
            workbook.close()

    def _xlsx_rows(self, workbook: Any) -> Iterator[Batch]:
        sheet = workbook.worksheets[0]
        rows_iter = spreadsheets.iter_rows(sheet)
        try:
            header_row = next(rows_iter)
        except StopIteration as exc:
            raise FileProblem(_("File: the first sheet is empty.")) from exc
        names = [str(v).strip() if v is not None else "" for v in header_row]
        while names and names[-1] == "":
            names.pop()
        self._check_header(names)
        width = len(names)
        buffer: list[list[str | None]] = []
        numbers: list[int] = []
        for sheet_row, values in enumerate(rows_iter, start=2):
            cells = [_cell_text(v) for v in values]
            if all(c is None for c in cells):
                continue
            if len(cells) > width and any(c is not None for c in cells[width:]):
                self.structural.append(
                    CellError(
                        row=sheet_row,
                        column="",
                        value="",
                        rule="columns",
                        message=_("Row %(row)s has values beyond the last named column.") % {"row": sheet_row},
                    )
                )
                continue
            cells = (cells + [None] * width)[:width]
            buffer.append(cells)
            numbers.append(sheet_row)
            if len(buffer) >= BATCH_ROWS:
                yield self._xlsx_batch(names, buffer, numbers)
                buffer, numbers = [], []
        if buffer:
            yield self._xlsx_batch(names, buffer, numbers)

    @staticmethod
    def _xlsx_batch(names: list[str], buffer: list[list[str | None]], numbers: list[int]) -> Batch:
        columns = {name: pa.array([row[i] for row in buffer], type=pa.string()) for i, name in enumerate(names)}
        return Batch(columns=columns, size=len(numbers), numbers=numbers)

    def _check_header(self, names: list[str]) -> None:
        if not names:
            raise FileProblem(_("File: no header row found; the first row must name the columns."))
        for position, name in enumerate(names, start=1):
            if not name.strip():
                raise FileProblem(_("Header: column %(n)s has no name.") % {"n": position})
            if not NAME_RE.match(name):
                raise FileProblem(
                    _("Header: column name %(name)s is longer than 63 characters or has control characters.")
                    % {"name": name[:80]}
                )
            if name == ROW_ID:
                raise FileProblem(_("Header: the column name _id is reserved."))
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise FileProblem(_("Header: duplicate column names: %(names)s.") % {"names": ", ".join(duplicates)})
        self.header = names

    def batches(self) -> Iterator[Batch]:
        return self._csv_batches() if self.dialect.format == "csv" else self._xlsx_batches()


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e18 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _text(array: pa.Array, column: str, batch: Batch, errors: list[CellError]) -> pa.Array:
    """Raw cells → trimmed UTF-8 text with "" as null; undecodable bytes become errors."""
    if pa.types.is_binary(array.type):
        try:
            array = pc.cast(array, pa.string())
        except pa.ArrowInvalid:
            values = array.to_pylist()
            decoded: list[str | None] = []
            for i, v in enumerate(values):
                try:
                    decoded.append(v.decode("utf-8") if v is not None else None)
                except UnicodeDecodeError:
                    decoded.append(None)
                    errors.append(
                        CellError(
                            row=batch.row(i),
                            column=column,
                            value=v[:60].decode("latin-1"),
                            rule="encoding",
                            message=_(
                                "Row %(row)s, column %(column)s: bytes that are not UTF-8; "
                                "save the file as UTF-8 or choose the Windows-1252 encoding."
                            )
                            % {"row": batch.row(i), "column": column},
                        )
                    )
            array = pa.array(decoded, type=pa.string())
    trimmed = pc.utf8_trim_whitespace(array)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


# ---------------------------------------------------------------------------- inference


def read_sample(raw: IO[bytes], dialect: Dialect, limit: int = SAMPLE_ROWS) -> tuple[list[str], dict[str, list[str]]]:
    """Header and up to ``limit`` non-empty text values per column.

    CSV: only the first megabyte is read (cut at a line end), so no reader is left
    reading ahead through a large file."""
    if dialect.format == "csv":
        prefix = raw.read(1 << 20)
        if len(prefix) == 1 << 20 and b"\n" in prefix:
            prefix = prefix[: prefix.rindex(b"\n") + 1]
        raw = io.BytesIO(prefix)
    reader = _Reader(raw, dialect)
    sample: dict[str, list[str]] = {}
    taken = 0
    for batch in reader.batches():
        scratch: list[CellError] = []
        for name, array in batch.columns.items():
            text = _text(array, name, batch, scratch)
            sample.setdefault(name, []).extend(v for v in text.to_pylist()[: limit - taken] if v is not None)
        taken += batch.size
        if taken >= limit:
            break
    for name in reader.header:
        sample.setdefault(name, [])
    return reader.header, sample


# Column names that hold codes, not quantities: kode_wilayah, kode_kec, kd_desa, id_sekolah, nik...
CODE_NAME_RE = re.compile(r"(^|[_\s])(kode|kd|code|id|nik|nip|npsn|nomor|no)([_\s]|$)|wilayah")


def _all_match(values: list[str], pattern: str) -> bool:
    regex = re.compile(pattern)
    return bool(values) and all(regex.match(v) for v in values)


def infer_column(name: str, values: list[str], delimiter: str = ",") -> Column:
    """Propose a type for a column from a sample; the uploader confirms or corrects it."""
    lowered = name.lower()
    column = Column(name=name)
    if not values:
        return column
    if (_all_match(values, REGION_RE) and any("." in v for v in values)) or (
        "wilayah" in lowered and _all_match(values, REGION_RE)
    ):
        column.reference = "kode_wilayah"
        return column
    if "npsn" in lowered and _all_match(values, NPSN_RE):
        column.reference = "npsn"
        return column
    if CODE_NAME_RE.search(lowered):
        # A code column stays text, never a number ("64.7" is not 64,7). When most of the
        # sample looks like kode wilayah, the reference check reports the rest by row.
        region = re.compile(REGION_RE)
        if sum(1 for v in values if region.match(v)) >= 0.8 * len(values) and (
            "wilayah" in lowered or any("." in v for v in values)
        ):
            column.reference = "kode_wilayah"
        return column
    if any(len(v) > 1 and v[0] == "0" and v[1].isdigit() for v in values):
        return column  # leading zeros: a code or a phone number, not a number
    if ("tahun" in lowered or "year" in lowered) and _all_match(values, r"^\d{4}$"):
        column.type = "year"
        return column
    styles = ["plain", "id", "intl"]
    if delimiter != ",":
        # With ; or tab separators a comma is a decimal comma (Indonesian/European Excel).
        styles = ["id", "plain", "intl"] if any("," in v for v in values) else ["plain", "id", "intl"]
    for style in styles:
        if _all_match(values, NUMBER_STYLES[style][0]):
            column.type, column.number_format = "integer", style
            return column
    for style in styles:
        if _all_match(values, NUMBER_STYLES[style][1]):
            column.type, column.number_format = "number", style
            return column
    lowered_values = {v.lower() for v in values}
    if lowered_values <= set(BOOL_TRUE + BOOL_FALSE) and not lowered_values <= {"t", "f", "y", "n"}:
        column.type = "boolean"
        return column
    for fmt, pattern in DATE_FORMATS.items():
        if _all_match(values, pattern):
            column.type, column.date_format = "date", fmt
            return column
    return column


def infer_schema(raw: IO[bytes], dialect: Dialect) -> list[Column]:
    header, sample = read_sample(raw, dialect)
    return [infer_column(name, sample[name], dialect.delimiter) for name in header]


# ---------------------------------------------------------------------------- validation


def _message(rule: str, row: int, column: Column, value: str) -> str:
    params = {"row": row, "column": column.name, "value": value[:60]}
    if rule == "required":
        return _("Row %(row)s, column %(column)s: a value is required.") % params
    if rule == "type":
        expected = {
            "integer": _("a whole number"),
            "number": _("a number"),
            "boolean": _("ya/tidak or true/false"),
            "date": _("a date in the form %(format)s")
            % {"format": DATE_LABELS.get(column.date_format, column.date_format)},
            "year": _("a four-digit year"),
        }.get(column.type, column.type)
        style = {
            "id": _(" (Indonesian style: 1.234.567,89)"),
            "intl": _(" (international style: 1,234,567.89)"),
            "plain": _(" (plain: 1234567.89)"),
        }
        suffix = style.get(column.number_format, "") if column.type in ("integer", "number") else ""
        return _("Row %(row)s, column %(column)s: %(value)s is not %(expected)s%(suffix)s.") % {
            **params,
            "expected": expected,
            "suffix": suffix,
        }
    if rule == "minimum":
        return _("Row %(row)s, column %(column)s: %(value)s is below the minimum %(limit)s.") % {
            **params,
            "limit": column.minimum,
        }
    if rule == "maximum":
        return _("Row %(row)s, column %(column)s: %(value)s is above the maximum %(limit)s.") % {
            **params,
            "limit": column.maximum,
        }
    if rule == "reference" and column.reference == "kode_wilayah":
        return (
            _("Row %(row)s, column %(column)s: region code %(value)s is not in the Kemendagri reference table.")
            % params
        )
    if rule == "reference":
        return _("Row %(row)s, column %(column)s: %(value)s is not a valid NPSN (8 digits).") % params
    return _("Row %(row)s, column %(column)s: %(value)s is invalid.") % params


class Validator:
    """Checks and converts batches; collects errors; knows nothing about storage."""

    def __init__(
        self,
        columns: list[Column],
        *,
        region_codes: Iterable[str] = (),
        on_error: Callable[[CellError], None] | None = None,
    ) -> None:
        self.columns = columns
        self.region_codes = pa.array(sorted(set(region_codes)), type=pa.string())
        self.on_error = on_error
        self.result = Result()
        fields = [pa.field(ROW_ID, pa.int64(), nullable=False)]
        fields += [pa.field(c.name, ARROW_TYPES[c.type]) for c in columns]
        self.schema = pa.schema(fields)

    def _error(self, error: CellError) -> None:
        self.result.error_count += 1
        self.result.by_column[(error.column, error.rule)] += 1
        if len(self.result.first_errors) < SUMMARY_ERRORS:
            self.result.first_errors.append(error)
        if self.on_error:
            self.on_error(error)

    def _flag(self, mask: pa.Array, text: pa.Array, batch: Batch, column: Column, rule: str) -> None:
        mask = pc.fill_null(mask, False)
        if not pc.any(mask).as_py():
            return
        indices = pc.indices_nonzero(mask)
        values = text.take(indices).to_pylist()
        for index, value in zip(indices.to_pylist(), values, strict=True):
            row = batch.row(index)
            shown = "" if value is None else str(value)
            self._error(CellError(row, column.name, shown, rule, _message(rule, row, column, shown)))

    def _convert(self, column: Column, text: pa.Array, batch: Batch) -> pa.Array:
        missing = pc.is_null(text)
        if column.required:
            self._flag(missing, text, batch, column, "required")
        target = ARROW_TYPES[column.type]
        present = pc.invert(missing)
        if column.type == "string":
            typed = text
            if column.reference == "kode_wilayah":
                self._flag(
                    pc.and_(present, pc.invert(pc.is_in(text, self.region_codes))), text, batch, column, "reference"
                )
            elif column.reference == "npsn":
                self._flag(
                    pc.and_(present, pc.invert(pc.match_substring_regex(text, NPSN_RE))),
                    text,
                    batch,
                    column,
                    "reference",
                )
            return typed
        if column.type in ("integer", "number", "year"):
            if column.type == "year":
                pattern, group, decimal = r"^\d{4}$", "", "."
            else:
                int_re, num_re, group, decimal = NUMBER_STYLES[column.number_format]
                pattern = int_re if column.type == "integer" else num_re
            ok = pc.fill_null(pc.match_substring_regex(text, pattern), False)
            self._flag(pc.and_(present, pc.invert(ok)), text, batch, column, "type")
            normal = pc.if_else(ok, text, pa.scalar(None, pa.string()))
            if group:
                normal = pc.replace_substring(normal, group, "")
            if decimal != ".":
                normal = pc.replace_substring(normal, decimal, ".")
            typed = pc.cast(normal, target)
            if column.minimum is not None:
                self._flag(pc.less(typed, float(column.minimum)), text, batch, column, "minimum")
            if column.maximum is not None:
                self._flag(pc.greater(typed, float(column.maximum)), text, batch, column, "maximum")
            return typed
        if column.type == "boolean":
            lowered = pc.utf8_lower(text)
            is_true = pc.is_in(lowered, pa.array([*BOOL_TRUE, "1"]))
            is_false = pc.is_in(lowered, pa.array([*BOOL_FALSE, "0"]))
            self._flag(pc.and_(present, pc.invert(pc.or_(is_true, is_false))), text, batch, column, "type")
            return pc.if_else(is_true, True, pc.if_else(is_false, pa.scalar(False), pa.scalar(None, pa.bool_())))
        # date: the shape must match and the value must survive a round trip (no 31 February).
        shape = DATE_FORMATS.get(column.date_format, r"^.+$")
        parsed = pc.strptime(text, format=column.date_format, unit="s", error_is_null=True)
        round_trip = pc.equal(pc.strftime(parsed, format=column.date_format), text)
        ok = pc.fill_null(pc.and_(pc.match_substring_regex(text, shape), round_trip), False)
        self._flag(pc.and_(present, pc.invert(ok)), text, batch, column, "type")
        return pc.cast(pc.if_else(ok, parsed, pa.scalar(None, parsed.type)), pa.date32())

    def process(self, batch: Batch, first_id: int) -> pa.RecordBatch:
        arrays: list[pa.Array] = [pa.array(range(first_id, first_id + batch.size), type=pa.int64())]
        for column in self.columns:
            encoding_errors: list[CellError] = []
            text = _text(batch.columns[column.name], column.name, batch, encoding_errors)
            for error in encoding_errors:
                self._error(error)
            arrays.append(self._convert(column, text, batch))
        self.result.row_count += batch.size
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)


def validate_to_parquet(
    raw: IO[bytes],
    dialect: Dialect,
    columns: list[Column],
    *,
    region_codes: Iterable[str],
    parquet_out: str | None,
    on_error: Callable[[CellError], None] | None = None,
) -> Result:
    """Validate every row; while no error has been seen, write the rows to ``parquet_out``.

    Returns the result; the caller keeps the Parquet file only if ``result.ok``.
    """
    reader = _Reader(raw, dialect)
    validator = Validator(columns, region_codes=region_codes, on_error=on_error)
    writer: pq.ParquetWriter | None = None
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    next_id = 1

    def flush() -> None:
        nonlocal pending, pending_rows
        if writer is not None and pending:
            writer.write_table(pa.Table.from_batches(pending, schema=validator.schema), row_group_size=ROW_GROUP_ROWS)
        pending, pending_rows = [], 0

    try:
        for batch in reader.batches():
            if not reader.header:
                break
            missing = [c.name for c in columns if c.name not in batch.columns]
            if missing:
                raise FileProblem(
                    _("Header: the file lacks the columns %(names)s of the data dictionary.")
                    % {"names": ", ".join(missing)}
                )
            for error in reader.structural:
                validator._error(error)
            reader.structural.clear()
            record_batch = validator.process(batch, next_id)
            next_id += record_batch.num_rows
            if parquet_out is None or not validator.result.ok:
                pending = []
                continue
            if writer is None:
                writer = pq.ParquetWriter(parquet_out, validator.schema, compression="zstd")
            pending.append(record_batch)
            pending_rows += record_batch.num_rows
            if pending_rows >= ROW_GROUP_ROWS:
                flush()
        for error in reader.structural:
            validator._error(error)
        if reader.header and set(reader.header) != {c.name for c in columns}:
            extra = [n for n in reader.header if n not in {c.name for c in columns}]
            if extra:
                raise FileProblem(
                    _("Header: the columns %(names)s are not in the data dictionary.") % {"names": ", ".join(extra)}
                )
        if validator.result.ok and parquet_out is not None:
            if writer is None:
                writer = pq.ParquetWriter(parquet_out, validator.schema, compression="zstd")
            flush()
    finally:
        if writer is not None:
            writer.close()
    return validator.result


def cluster_keys(columns: list[Column]) -> list[str]:
    """Columns to sort the stored table by: region codes first, then the first year/date.

    Satu Data is mostly read by region and period; sorted Parquet row groups carry tight
    min/max statistics, so DuckDB skips every row group a region filter cannot match."""
    keys = [c.name for c in columns if c.reference == "kode_wilayah"]
    keys += [c.name for c in columns if c.type in ("year", "date")][:1]
    return keys


def cluster(src: str, dst: str, keys: list[str], *, temp_dir: str, memory_limit: str = "512MB") -> None:
    """Rewrite ``src`` sorted by ``keys`` (then ``_id``, which keeps the source row number).

    DuckDB sorts out of core (spilling to ``temp_dir``) within ``memory_limit``."""
    import duckdb

    def lit(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    order = ", ".join('"' + k.replace('"', '""') + '"' for k in [*keys, ROW_ID])
    con = duckdb.connect(":memory:", config={"threads": 2, "memory_limit": memory_limit, "temp_directory": temp_dir})
    try:
        con.execute(
            f"COPY (SELECT * FROM read_parquet({lit(src)}) ORDER BY {order}) TO {lit(dst)} "  # noqa: S608
            f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_ROWS // 2})"
        )
    finally:
        con.close()


def errors_csv_writer(stream: io.TextIOBase) -> Callable[[CellError], None]:
    writer = csv.writer(stream)
    writer.writerow(["baris", "kolom", "nilai", "aturan", "pesan"])

    def write(error: CellError) -> None:
        writer.writerow(exports.safe_row([error.row, error.column, error.value, error.rule, error.message]))

    return write
