"""The shared table reader (etam.core.tabular, ADR 0091 and 0092): detection by content,
one delimiter list, the bounded XLSX reader, the formula-guard restore, the row cap, and
the yes/no parser that reports a lone "t" instead of guessing."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from django.utils import translation

from etam.core import spreadsheets, tabular
from tests import bombs


def detect(content: bytes) -> tabular.Dialect:
    return tabular.detect(io.BytesIO(content))


@pytest.mark.parametrize(
    ("content", "delimiter"),
    [
        (b"a,b\n1,2\n", ","),
        (b"a;b\n1;2,5\n", ";"),
        (b"a\tb\n1\t2\n", "\t"),
        (b"a|b\n1|2\n", "|"),
        (b"nama\nSamarinda\n", ","),  # one column: nothing to sniff
    ],
)
def test_one_delimiter_list_for_every_reader(content, delimiter):
    dialect = detect(content)
    assert (dialect.format, dialect.delimiter) == ("csv", delimiter)


def test_encoding_and_format_come_from_the_content_not_the_name():
    assert detect("nama\nNégeri\n".encode("cp1252")).encoding == "cp1252"
    assert detect("\ufeffnama\nNégeri\n".encode()).encoding == "utf-8"
    assert detect(bombs.workbook([["nama"], ["x"]])).format == "xlsx"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, ".xls"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a CSV"),
        (b"\n\n  \n", "empty"),
    ],
)
def test_files_that_are_no_table_are_refused_by_name(content, words):
    with translation.override("en"), pytest.raises(tabular.TableProblem) as refused:
        detect(content)
    assert words in refused.value.message and refused.value.message.startswith("File:")


def test_records_restore_our_formula_guard_skip_blank_rows_and_number_lines():
    raw = b"nama;rumus\nA;'=1+1\n;\nB;'tetap\n"
    header, rows = tabular.records(raw, max_rows=10)
    assert header == ["nama", "rumus"]
    assert rows == [(2, ["A", "=1+1"]), (4, ["B", "'tetap"])]


def test_records_of_a_workbook_as_text():
    raw = bombs.workbook([["nama", "jumlah", "tanggal", "aktif"], ["A", 3.0, datetime(2024, 1, 31), True], [None] * 4])
    header, rows = tabular.records(raw, max_rows=10)
    assert header == ["nama", "jumlah", "tanggal", "aktif"]
    assert rows == [(2, ["A", "3", "2024-01-31", "true"])]


def test_records_stop_at_the_row_cap():
    with translation.override("en"), pytest.raises(tabular.TableProblem) as refused:
        tabular.records(b"nama\n" + b"a\n" * 50, max_rows=5)
    assert "5 rows" in refused.value.message


def test_records_of_an_empty_table_and_a_broken_csv_are_file_problems():
    with pytest.raises(tabular.TableProblem):
        tabular.records(b"\xef\xbb\xbf", max_rows=5)
    with translation.override("en"), pytest.raises(tabular.TableProblem) as refused:
        tabular.records(b"nama\n" + b"x" * 200_000 + b"\n", max_rows=5)
    assert "line" in refused.value.message


def test_xlsx_rows_keep_the_spreadsheet_limits():
    bomb = bombs.rows_bomb(["nama"], rows=50)
    with pytest.raises(tabular.TableProblem):
        list(tabular.xlsx_rows(io.BytesIO(bomb), spreadsheets.limits(rows=10)))
    with translation.override("en"), pytest.raises(tabular.TableProblem) as refused:
        list(tabular.xlsx_rows(io.BytesIO(b"PK\x03\x04 broken")))
    assert "XLSX" in refused.value.message


def test_cell_text():
    assert tabular.cell_text(None) is None and tabular.cell_text("  ") is None
    assert tabular.cell_text(False) == "false" and tabular.cell_text(64.0) == "64" and tabular.cell_text(2.5) == "2.5"
    assert tabular.cell_text(date(2024, 1, 31)) == "2024-01-31"
    assert tabular.cell_text(datetime(2024, 1, 31, 8, 30)) == "2024-01-31T08:30:00"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[("ya", True), ("YA", True), ("true", True), ("1", True), ("benar", True), ("y", True)],
        *[("tidak", False), ("Tidak", False), ("false", False), ("0", False), ("salah", False), ("f", False)],
        *[("", None), ("  ", None), (None, None)],
    ],
)
def test_parse_boolean(value, expected):
    assert tabular.parse_boolean(value, column="aktif", row=3) is expected


@pytest.mark.parametrize("value", ["t", "T", " t "])
def test_a_lone_t_is_reported_in_indonesian_naming_the_row_and_column(value):
    with translation.override("id"), pytest.raises(tabular.TableProblem) as refused:
        tabular.parse_boolean(value, column="sso", row=7)
    message = refused.value.message
    assert "Baris 7" in message and "kolom sso" in message and "bermakna ganda" in message
    assert '"ya" atau "tidak"' in message


def test_other_text_in_a_yes_no_column_is_reported():
    with translation.override("id"), pytest.raises(tabular.TableProblem) as refused:
        tabular.parse_boolean("mungkin", column="sso", row=4)
    assert "Baris 4" in refused.value.message and "mungkin" in refused.value.message


def test_the_csv_field_limit_holds_even_when_a_library_raised_the_module_limit():
    import csv

    before = csv.field_size_limit()
    csv.field_size_limit(1 << 30)  # as frictionless does on import
    try:
        with pytest.raises(tabular.TableProblem) as refused:
            tabular.records(b"nama\n" + b"x" * 200_000 + b"\n", max_rows=5)
    finally:
        csv.field_size_limit(before)
    assert "131072" in refused.value.message
