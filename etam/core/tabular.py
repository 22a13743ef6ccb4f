"""Reading uploaded tables, CSV or XLSX, one way for every importer.

- ``detect``: the format by content (``etam.core.filetypes``, never the file name), the
  text encoding (UTF-8, with or without BOM, else Windows-1252) and the delimiter (one of
  ``DELIMITERS``, sniffed from the first lines, else the one the header uses most).
- ``xlsx_rows``: the first sheet's rows as text, behind the bounded-spreadsheet guard
  (``etam.core.spreadsheets``: the zip's parts and the rows are counted before and while
  openpyxl reads).
- ``csv_rows``: a CSV's rows as a stream, so a reader that stops at its row cap reads no
  further.
- ``records``: header and numbered rows of either, with the formula guard of our exports
  taken off (``etam.core.exports.restore``), up to a row cap.
- ``parse_boolean``: ya/tidak cells. A lone "t" is refused as ambiguous: it is "true" to
  one spreadsheet and "tidak" to an Indonesian clerk (docs/adr/0091-ambiguous-t-is-reported.md).

Streaming Arrow readers (Satu Data) use ``detect``, ``xlsx_rows``, ``cell_text`` and the
boolean value sets here and keep their own batching. Every refusal is a ``TableProblem``
whose message names the file or the row and column, Indonesian first.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from django.utils.translation import gettext as _

from etam.core import exports, filetypes, spreadsheets

DELIMITERS = ",;\t|"
SNIFF_BYTES = 65_536
CSV_FIELD_LIMIT = 131_072  # the csv module's default

BOOLEAN_TRUE = frozenset({"ya", "y", "yes", "true", "benar", "1"})
BOOLEAN_FALSE = frozenset({"tidak", "n", "no", "false", "salah", "f", "0"})
BOOLEAN_AMBIGUOUS = frozenset({"t"})


class TableProblem(Exception):
    """The file as a whole (or one cell, for ``parse_boolean``) cannot be read; ``message``
    says why, naming the file or the row and column."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Dialect:
    format: str  # csv | xlsx
    encoding: str = "utf-8"
    delimiter: str = ","


def detect(stream: IO[bytes]) -> Dialect:
    """Format, encoding and delimiter of an upload; ``stream`` is put back where it was."""
    kind = filetypes.sniff(stream, ["xlsx", filetypes.ZIP, filetypes.OLE])
    if kind in ("xlsx", filetypes.ZIP):  # another zip: openpyxl refuses it with the XLSX message
        return Dialect(format="xlsx")
    if kind == filetypes.OLE:
        raise TableProblem(_("File: old Excel format (.xls) is not supported; save it as .xlsx or CSV."))
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    if b"\x00" in head:
        raise TableProblem(_("File: this is not a CSV text file or an XLSX workbook."))
    encoding = "utf-8"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        encoding = "cp1252"
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    first_lines = "\n".join(text.splitlines()[:20])
    if not first_lines.strip():
        raise TableProblem(_("File: the file is empty."))
    return Dialect(format="csv", encoding=encoding, delimiter=sniff_delimiter(first_lines))


def sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        return max(DELIMITERS, key=header.count)  # "," when the header uses none


def decode(raw: bytes) -> str:
    """The whole file as text: UTF-8 (a BOM dropped), else Windows-1252."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def cell_text(value: Any) -> str | None:
    """An XLSX cell as the text a CSV would hold; None for an empty cell."""
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


def xlsx_rows(stream: IO[bytes], lim: spreadsheets.Limits | None = None) -> Iterator[list[str | None]]:
    """The first sheet's rows as text cells, checked against the spreadsheet limits first and
    while streaming; a damaged or oversized workbook is a ``TableProblem``."""
    from openpyxl import load_workbook

    try:
        spreadsheets.check_xlsx(stream, lim)
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except spreadsheets.SpreadsheetTooLarge as exc:
        raise TableProblem(exc.message) from exc
    except Exception as exc:  # openpyxl raises several types for a damaged file
        raise TableProblem(_("File: this is not a readable XLSX workbook.")) from exc
    try:
        if not workbook.worksheets:
            raise TableProblem(_("File: the first sheet is empty."))
        for row in spreadsheets.iter_rows(workbook.worksheets[0], lim):
            yield [cell_text(v) for v in row]
    except spreadsheets.SpreadsheetTooLarge as exc:
        raise TableProblem(exc.message) from exc
    finally:
        workbook.close()


def csv_rows(raw: bytes, delimiter: str) -> Iterator[list[str]]:
    """A CSV's rows, streamed. Only the delimiter is sniffed: the sniffer takes the leading '
    of our exports' formula guard (ADR 0076) for a quote character; quotes are always "."""
    reader = csv.reader(io.StringIO(decode(raw)), delimiter=delimiter)
    try:
        for row in reader:
            # The csv module's own limit is process-wide and a library may raise it (frictionless
            # does on import): the reader holds its own.
            if any(len(cell) > CSV_FIELD_LIMIT for cell in row):
                raise csv.Error(f"field larger than field limit ({CSV_FIELD_LIMIT})")
            yield row
    except csv.Error as exc:
        raise TableProblem(
            _("File: line %(line)s cannot be read as CSV (%(detail)s).") % {"line": reader.line_num, "detail": exc}
        ) from exc


def records(
    raw: bytes, *, max_rows: int, xlsx_limits: spreadsheets.Limits | None = None
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and [(row number, cells)] of a small upload, blank rows skipped, at most
    ``max_rows`` rows (reading stops there). A cell our export neutralised ('=…) comes back
    as it was typed (ADR 0076)."""
    stream = io.BytesIO(raw)
    dialect = detect(stream)
    rows: Iterator[Sequence[str | None]] = (
        xlsx_rows(stream, xlsx_limits) if dialect.format == "xlsx" else csv_rows(raw, dialect.delimiter)
    )
    first = next(rows, None)
    if first is None:
        raise TableProblem(_("File: no header row found."))
    header = [(v or "").strip() for v in first]
    out: list[tuple[int, list[str]]] = []
    for line, values in enumerate(rows, start=2):
        cells = [exports.restore((v or "").strip()) for v in values]
        if not any(cells):
            continue
        out.append((line, cells))
        if len(out) > max_rows:
            raise TableProblem(_("File: at most %(n)d rows per import.") % {"n": max_rows})
    return header, out


def ambiguous_message(row: int, column: str, value: str) -> str:
    return _('Row %(row)s, column %(column)s: "%(value)s" is ambiguous (true or tidak?); write "ya" or "tidak".') % {
        "row": row,
        "column": column,
        "value": value[:60],
    }


def parse_boolean(value: str | None, *, column: str, row: int) -> bool | None:
    """ya/tidak (and true/false, yes/no, benar/salah, y/n, 1/0, f) → bool; a blank → None.

    A lone "t" and any other text raise ``TableProblem`` naming the row and column."""
    text = (value or "").strip()
    lowered = text.lower()
    if not lowered:
        return None
    if lowered in BOOLEAN_TRUE:
        return True
    if lowered in BOOLEAN_FALSE:
        return False
    if lowered in BOOLEAN_AMBIGUOUS:
        raise TableProblem(ambiguous_message(row, column, text))
    raise TableProblem(
        _('Row %(row)s, column %(column)s: write "ya" or "tidak" (found "%(value)s").')
        % {"row": row, "column": column, "value": text[:60]}
    )
