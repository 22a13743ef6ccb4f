"""Reading a Satu Data upload: the dialect, the file as a stream of raw-text Arrow batches
(``pyarrow.csv.open_csv`` for CSV; the shared bounded XLSX reader, ``etam.core.tabular``,
for XLSX), a sample of every column, and the proposed type of each column.

Every cell is read as raw text; ``etam.opendata.ingest`` checks, converts and stores it.
The format, encoding, delimiter and yes/no words are the shared ones (ADR 0091, 0092).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.utils.translation import gettext as _

from etam.core import tabular
from etam.core.tabular import Dialect

ROW_ID = "_id"
BATCH_ROWS = 65_536
SAMPLE_ROWS = 2_000
NAME_RE = re.compile(r"^[^\x00-\x1f\"]{1,63}$")
# Words a yes/no column may hold (1/0 read as numbers first); "t" is in, to be reported.
BOOL_WORDS = (tabular.BOOLEAN_TRUE | tabular.BOOLEAN_FALSE | tabular.BOOLEAN_AMBIGUOUS) - {"1", "0"}

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
REGION_RE = r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$"
NPSN_RE = r"^\d{8}$"

FileProblem = tabular.TableProblem  # the file as a whole cannot be read (not CSV/XLSX, no header...)


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
    # Rules the inference proposed (rule → why, e.g. "type" → "97% of the sampled values are
    # numbers"); a reported cell under such a rule carries the note (etam.opendata.inference).
    inferred: dict[str, str] = field(default_factory=dict)


@dataclass
class CellError:
    row: int
    column: str
    value: str
    rule: str
    message: str


# ---------------------------------------------------------------------------- detection


def detect_dialect(raw: IO[bytes], filename: str = "") -> Dialect:
    """Format by content (not ``filename``), encoding and delimiter: the shared detection."""
    return tabular.detect(raw)


def csv_prefix(raw: IO[bytes]) -> bytes:
    """The first megabyte of a CSV, cut at a line end; ``raw`` is put back where it was.

    Read from a copy: a reader left unfinished on the real file would read ahead through it."""
    start = raw.tell()
    prefix = raw.read(1 << 20)
    raw.seek(start)
    if len(prefix) == 1 << 20 and b"\n" in prefix:
        prefix = prefix[: prefix.rindex(b"\n") + 1]
    return prefix


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
        header_reader = pacsv.open_csv(
            io.BytesIO(csv_prefix(self.raw)),
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
        rows_iter = tabular.xlsx_rows(self.raw)  # bounded by the spreadsheet limits
        header_row = next(rows_iter, None)
        if header_row is None:
            raise FileProblem(_("File: the first sheet is empty."))
        names = [v or "" for v in header_row]
        while names and names[-1] == "":
            names.pop()
        self._check_header(names)
        width = len(names)
        buffer: list[list[str | None]] = []
        numbers: list[int] = []
        for sheet_row, cells in enumerate(rows_iter, start=2):
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


# ---------------------------------------------------------------------------- sampling


@dataclass
class Sample:
    """The first rows of a file: the header, each column's non-empty values, and how many
    rows were read (so a column's fill rate is ``len(values[name]) / rows``)."""

    header: list[str]
    values: dict[str, list[str]]
    rows: int


def sample_file(raw: IO[bytes], dialect: Dialect, limit: int = SAMPLE_ROWS) -> Sample:
    """Header and up to ``limit`` rows' non-empty text values per column.

    CSV: only the first megabyte is read (cut at a line end), so no reader is left
    reading ahead through a large file."""
    if dialect.format == "csv":
        raw = io.BytesIO(csv_prefix(raw))
    reader = _Reader(raw, dialect)
    sample: dict[str, list[str]] = {}
    taken = 0
    for batch in reader.batches():
        scratch: list[CellError] = []
        room = min(batch.size, limit - taken)
        for name, array in batch.columns.items():
            text = _text(array, name, batch, scratch)
            sample.setdefault(name, []).extend(v for v in text.to_pylist()[:room] if v is not None)
        taken += room
        if taken >= limit:
            break
    for name in reader.header:
        sample.setdefault(name, [])
    return Sample(header=reader.header, values=sample, rows=taken)


def read_sample(raw: IO[bytes], dialect: Dialect, limit: int = SAMPLE_ROWS) -> tuple[list[str], dict[str, list[str]]]:
    """Header and up to ``limit`` non-empty text values per column."""
    sample = sample_file(raw, dialect, limit)
    return sample.header, sample.values
