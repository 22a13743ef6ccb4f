"""Reading and validating uploads: encodings, delimiters, number styles, XLSX, streaming."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date

import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from etam.opendata import ingest

CODES = ["64", "64.01", "64.02", "64.71", "64.72"]


def run(content: bytes, columns=None, tmp_path=None):
    raw = io.BytesIO(content)
    dialect = ingest.detect_dialect(raw, "x")
    cols = columns or ingest.infer_schema(raw, dialect)
    raw.seek(0)
    out = str(tmp_path / "t.parquet") if tmp_path else None
    return dialect, cols, ingest.validate_to_parquet(raw, dialect, cols, region_codes=CODES, parquet_out=out)


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (b"kota;jumlah\nBalikpapan;1.234.567,89\nSamarinda;2,5\n", "utf-8"),
        ("\ufeffkota;jumlah\nBalikpapan;1.234.567,89\nSamarinda;2,5\n".encode(), "utf-8"),
        ("kota;jumlah\nBalikpapan;1.234.567,89\nSamarinda;2,5\n".encode("cp1252"), "utf-8"),
    ],
)
def test_indonesian_numbers_with_or_without_bom(encoded, encoding, tmp_path):
    dialect, cols, result = run(encoded, tmp_path=tmp_path)
    assert dialect.delimiter == ";"
    assert cols[0].name == "kota"  # the BOM is not part of the name
    assert (cols[1].type, cols[1].number_format) == ("number", "id")
    assert result.ok
    table = pq.read_table(tmp_path / "t.parquet")
    assert table.column("jumlah").to_pylist() == [1234567.89, 2.5]
    assert table.column("_id").to_pylist() == [1, 2]


def test_windows_1252_is_detected_and_decoded(tmp_path):
    content = "nama,kecamatan\nSMP Négeri 1,Sungai Kunjang\n".encode("cp1252")
    dialect, _cols, result = run(content, tmp_path=tmp_path)
    assert dialect.encoding == "cp1252"
    assert result.ok
    assert pq.read_table(tmp_path / "t.parquet").column("nama").to_pylist() == ["SMP Négeri 1"]


def test_tab_and_comma_delimiters(tmp_path):
    for content in (b"a\tb\n1\t2\n", b"a,b\n1,2\n"):
        _d, cols, result = run(content, tmp_path=tmp_path)
        assert [c.type for c in cols] == ["integer", "integer"] and result.ok


def test_every_error_reported_by_row_column_and_rule_nothing_coerced(tmp_path):
    content = (
        b"kode_wilayah;tahun;jumlah;tanggal;aktif\n"
        b"64.01;2024;1.000;2024-01-31;ya\n"
        b"64.77;2024;12,5;2024-02-30;tidak\n"  # unknown code, decimal in integer column, 30 Feb
        b"64.72;2024;;31/01/2024;mungkin\n"  # missing required, wrong date format, not a boolean
        b"64.72;2024\n"  # too few values
    )
    columns = [
        ingest.Column("kode_wilayah", reference="kode_wilayah"),
        ingest.Column("tahun", "year"),
        ingest.Column("jumlah", "integer", required=True, number_format="id"),
        ingest.Column("tanggal", "date"),
        ingest.Column("aktif", "boolean"),
    ]
    _d, _c, result = run(content, columns=columns, tmp_path=tmp_path)
    found = {(e.row, e.column, e.rule) for e in result.first_errors}
    assert found == {
        (3, "kode_wilayah", "reference"),
        (3, "jumlah", "type"),
        (3, "tanggal", "nonexistent_date"),  # 30 February: the right shape, no such day
        (4, "jumlah", "required"),
        (4, "tanggal", "type"),
        (4, "aktif", "type"),
        (5, "", "columns"),
    }
    assert result.error_count == 7 and result.row_count == 3
    message = next(e.message for e in result.first_errors if e.column == "jumlah" and e.rule == "type")
    assert "12,5" in message and "jumlah" in message and "3" in message


def test_xlsx_rows_are_read_with_sheet_row_numbers(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["kode_wilayah", "tanggal", "nilai"])
    sheet.append(["64.71", date(2024, 5, 1), 10.5])
    sheet.append(["64.72", date(2024, 5, 2), "sepuluh"])
    buffer = io.BytesIO()
    book.save(buffer)
    dialect, cols, result = run(buffer.getvalue(), tmp_path=tmp_path)
    assert dialect.format == "xlsx"
    assert [c.type for c in cols] == ["string", "date", "string"]
    cols[2].type = "number"
    _d, _c, result = run(buffer.getvalue(), columns=cols, tmp_path=tmp_path)
    assert [(e.row, e.column, e.rule) for e in result.first_errors] == [(3, "nilai", "type")]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "kosong"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", ".xls"),
        (b"a;a\n1;2\n", "ganda"),
        (b"a;;c\n1;2;3\n", "tidak bernama"),
    ],
)
def test_malformed_files_are_refused_with_a_reason(content, fragment):
    with pytest.raises(ingest.FileProblem) as exc:
        run(content)
    assert fragment in str(exc.value)


MEMORY_SCRIPT = """
import os, resource, sys
import django
import pyarrow
django.setup()
# One compute and one I/O thread: the peak then depends on the data path, not on how
# many read-ahead blocks the thread pools happen to hold on a busy machine.
pyarrow.set_cpu_count(1)
pyarrow.set_io_thread_count(1)
from etam.opendata import ingest
path, out = sys.argv[1], sys.argv[2]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
raw = open(path, "rb")
dialect = ingest.detect_dialect(raw, "x")
columns = ingest.infer_schema(raw, dialect)
raw.seek(0)
result = ingest.validate_to_parquet(raw, dialect, columns, region_codes=["64.72"], parquet_out=out)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(result.row_count, result.error_count, (after - before) * 1024)
"""


def _peak_growth(tmp_path, rows: int) -> tuple[int, int]:
    path = tmp_path / f"big{rows}.csv"
    with open(path, "w") as f:
        f.write("kode_wilayah,tahun,bulan,kategori,nilai\n")
        f.writelines(f"64.72,2024,{i % 12 + 1},kategori-{i % 7},{i}.5\n" for i in range(rows))
    env = {**os.environ, "ETAM_MODE": "test", "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT, str(path), str(tmp_path / "o.parquet")],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    counted, errors, growth = (int(x) for x in out.stdout.split())
    assert (counted, errors) == (rows, 0)
    return path.stat().st_size, growth


@pytest.mark.slow
def test_large_csv_streams_in_bounded_memory(tmp_path):
    """Peak memory does not follow the file size: 10x the rows (about 200 MB of CSV), about the same peak.

    (A fixed ~150 MB goes to Arrow's read-ahead queue of 1 MB blocks, compute kernels
    and the Parquet row group being built; docs/adr/0041-streamed-ingestion.md.)"""
    small_size, small_growth = _peak_growth(tmp_path, 600_000)
    big_size, big_growth = _peak_growth(tmp_path, 6_000_000)
    assert big_size > 9 * small_size
    assert big_growth < small_growth + 0.5 * (big_size - small_size), (small_growth, big_growth, big_size)
    assert big_growth < 400 * 1024 * 1024


def test_a_lone_t_in_a_boolean_column_is_reported_not_read_as_true(tmp_path):
    """Before issue 11 Satu Data read "t" as true and the inventory read it as "tidak"; now
    both report it (ADR 0091), by row and column, in Indonesian."""
    from django.utils import translation

    content = b"nama;aktif\nA;ya\nB;T\nC;tidak\nD;f\n"
    with translation.override("id"):
        _dialect, cols, result = run(content, tmp_path=tmp_path)
    assert cols[1].type == "boolean"  # still proposed as yes/no, so the "t" can be reported
    assert [(e.row, e.column, e.rule) for e in result.first_errors] == [(3, "aktif", "ambiguous")]
    message = result.first_errors[0].message
    assert "Baris 3" in message and "kolom aktif" in message and "bermakna ganda" in message
    assert not result.ok and not (tmp_path / "t.parquet").exists()
