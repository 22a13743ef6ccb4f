"""Validating every row of an upload and writing Parquet.

``etam.opendata.reading`` streams the file as Arrow record batches of raw text (CSV or
XLSX). Each batch is checked and converted column by column with Arrow compute kernels,
and written to a Parquet file in row groups; nothing holds more than a few batches in
memory, so a 1 GB CSV does not need 1 GB of RAM (docs/adr/0041-streamed-ingestion.md).

Nothing is coerced silently: a value either matches the column's declared format
exactly (``1.234.567,89`` for the Indonesian number style, ``2024-01-31`` for dates...)
or becomes an error naming row, column, value and rule. Any error means no Parquet.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from etam.core import exports, tabular
from etam.opendata.inference import infer_column, infer_schema  # noqa: F401 (the names callers have used)
from etam.opendata.reading import (  # noqa: F401 (the names callers have used from ingest)
    DATE_FORMATS,
    NPSN_RE,
    NUMBER_STYLES,
    ROW_ID,
    Batch,
    CellError,
    Column,
    Dialect,
    FileProblem,
    _Reader,
    _text,
    detect_dialect,
    read_sample,
)

ROW_GROUP_ROWS = 262_144
SUMMARY_ERRORS = 200
# The parts of a date in each accepted format, to name a date that does not exist.
DATE_PARTS = {
    "%Y-%m-%d": re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})$"),
    "%d/%m/%Y": re.compile(r"^(?P<d>\d{2})/(?P<m>\d{2})/(?P<y>\d{4})$"),
    "%d-%m-%Y": re.compile(r"^(?P<d>\d{2})-(?P<m>\d{2})-(?P<y>\d{4})$"),
}
DATE_LABELS = {"%Y-%m-%d": "YYYY-MM-DD (2024-01-31)", "%d/%m/%Y": "DD/MM/YYYY (31/01/2024)", "%d-%m-%Y": "DD-MM-YYYY"}

ARROW_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "year": pa.int32(),
}


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


# ---------------------------------------------------------------------------- validation


def _nonexistent_date(params: dict[str, object], column: Column, value: str) -> str:
    """ "31 April 2023 does not exist", not "not in the form YYYY-MM-DD": the value has the
    right shape and names a day that no calendar has."""
    parts = DATE_PARTS[column.date_format].match(value) if column.date_format in DATE_PARTS else None
    if parts is None:
        return _("Row %(row)s, column %(column)s: %(value)s is not a date that exists.") % params
    year, month, day = int(parts["y"]), int(parts["m"]), int(parts["d"])
    if not 1 <= month <= 12:
        return _("Row %(row)s, column %(column)s: month %(month)s does not exist (%(value)s).") % {
            **params,
            "month": month,
        }
    named = f"{day} {MONTHS[month]} {year}"
    if month == 2 and day == 29 and not calendar.isleap(year):
        return _(
            "Row %(row)s, column %(column)s: %(date)s does not exist; %(year)s is not a leap year (%(value)s)."
        ) % {
            **params,
            "date": named,
            "year": year,
        }
    return _("Row %(row)s, column %(column)s: %(date)s does not exist (%(value)s).") % {**params, "date": named}


def _message(rule: str, row: int, column: Column, value: str) -> str:
    text = _plain_message(rule, row, column, value)
    note = column.inferred.get("type" if rule == "nonexistent_date" else rule)
    return f"{text.rstrip('.')} ({note})." if note else text


def _plain_message(rule: str, row: int, column: Column, value: str) -> str:
    params: dict[str, object] = {"row": row, "column": column.name, "value": value[:60]}
    if rule == "nonexistent_date":
        return _nonexistent_date(params, column, value)
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
    if rule == "ambiguous":
        return tabular.ambiguous_message(row, column.name, value)
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
            # The shared yes/no words; a lone "t" (true? tidak?) is reported, never guessed (ADR 0091).
            lowered = pc.utf8_lower(text)
            is_true = pc.is_in(lowered, pa.array(sorted(tabular.BOOLEAN_TRUE)))
            is_false = pc.is_in(lowered, pa.array(sorted(tabular.BOOLEAN_FALSE)))
            ambiguous = pc.is_in(lowered, pa.array(sorted(tabular.BOOLEAN_AMBIGUOUS)))
            self._flag(ambiguous, text, batch, column, "ambiguous")
            known = pc.or_(pc.or_(is_true, is_false), ambiguous)
            self._flag(pc.and_(present, pc.invert(known)), text, batch, column, "type")
            return pc.if_else(is_true, True, pc.if_else(is_false, pa.scalar(False), pa.scalar(None, pa.bool_())))
        # date: the shape must match and the value must survive a round trip; a value of the
        # right shape that fails it (31 April, 29 February 2023, month 13) does not exist.
        shape = DATE_FORMATS.get(column.date_format, r"^.+$")
        parsed = pc.strptime(text, format=column.date_format, unit="s", error_is_null=True)
        round_trip = pc.fill_null(pc.equal(pc.strftime(parsed, format=column.date_format), text), False)
        shaped = pc.fill_null(pc.match_substring_regex(text, shape), False)
        ok = pc.and_(shaped, round_trip)
        self._flag(pc.and_(present, pc.invert(shaped)), text, batch, column, "type")
        self._flag(pc.and_(present, pc.and_(shaped, pc.invert(round_trip))), text, batch, column, "nonexistent_date")
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
