"""Spreadsheet-safe exports: neutralise text cells that a spreadsheet would run as a formula.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``). Every CSV and
XLSX file Etam produces passes its text cells through :func:`neutralise`, which prefixes such a cell with a
single quote (the OWASP "CSV injection" advice): the spreadsheet shows the text and runs nothing.
Only text is touched: a number (``-5`` in a numeric column) stays a number. JSON and Parquet downloads
carry typed data for programs and are left exact. See ADR 0076.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` unchanged unless it is text a spreadsheet would run; then prefixed with ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def restore(value: str) -> str:
    """The text a neutralised cell stood for: ``'=x`` read back from one of our exports is ``=x``.

    Used by importers that accept a file Etam exported, so an export → edit → import round trip
    does not keep the protective quote in the stored value. Only a quote followed by a trigger is
    taken off; any other leading quote is the user's own text.
    """
    if value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [neutralise(v) for v in row]


def safe_rows(rows: Iterable[Iterable[Any]]) -> Iterable[list[Any]]:
    for row in rows:
        yield safe_row(row)


def neutralise_workbook(workbook: Any) -> None:
    """Neutralise every text cell of an (ordinary, not write-only) openpyxl workbook, in place.

    openpyxl stores a string starting with ``=`` as a formula; assigning the prefixed text makes it a
    plain string cell again.
    """
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
                    cell.value = "'" + cell.value
                    cell.data_type = "s"


def neutralise_arrow_batch(batch: Any) -> Any:
    """The Arrow record batch with its text columns neutralised (vectorised; numbers untouched).

    The first byte of each text cell is compared with the triggers (a byte slice and a set lookup, no
    regular expression); only the cells that hit are copied with the prefix and put back in place.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    changed = False
    for column in batch.columns:
        large = pa.types.is_large_string(column.type)
        if large or pa.types.is_string(column.type):
            first = pc.binary_slice(column.view(pa.large_binary() if large else pa.binary()), 0, 1)
            hit = pc.is_in(first, value_set=_trigger_bytes())
            if pc.any(hit).as_py():
                quote, empty = pa.scalar("'", column.type), pa.scalar("", column.type)
                prefixed = pc.binary_join_element_wise(quote, pc.filter(column, hit), empty)
                column = pc.replace_with_mask(column, hit, prefixed)
                changed = True
        columns.append(column)
    if not changed:
        return batch
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema)


@cache
def _trigger_bytes() -> Any:
    import pyarrow as pa

    return pa.array([t.encode() for t in FORMULA_TRIGGERS], pa.binary())
