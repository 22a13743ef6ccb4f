"""Checks shared by the export tests of each module."""

from __future__ import annotations

import io

from openpyxl import load_workbook


def xlsx_cells(content: bytes) -> list:
    wb = load_workbook(io.BytesIO(content))
    return [cell for sheet in wb.worksheets for row in sheet.iter_rows() for cell in row]


def assert_no_formula(cells, payload):
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a formula cell in the export"
    assert any(c.value == "'" + payload for c in cells)
