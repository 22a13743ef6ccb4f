"""Defaults that catch mistakes (issue 14, ADR 0120): type and rules proposed by majority.

The planted fixture holds the four commonest mistakes of a new producer; with the proposed
dictionary (default settings) the validation must find each of them and nothing else. The
variants were not used to tune the thresholds: other columns, other formats, 1/2/5% bad
cells, impossible dates of every kind, nearly-full columns.
"""

from __future__ import annotations

import io
import random

import pytest

from etam.opendata import inference, ingest

pytestmark = pytest.mark.usefixtures("indonesian")


# The kabupaten/kota of Kalimantan Timur in the Kemendagri table.
CODES = ["64", "64.01", "64.02", "64.03", "64.07", "64.08", "64.09", "64.11", "64.71", "64.72", "64.74"]
DISTRICTS = CODES[1:]


def planted_rows(n: int = 60) -> tuple[list[str], list[list[str]], dict[str, tuple[int, str]]]:
    """A monthly report of n rows with four planted mistakes; returns header, rows and
    {mistake: (spreadsheet row, column)}."""
    header = [
        "kode_wilayah",
        "nama_puskesmas",
        "tanggal_laporan",
        "jumlah_kunjungan",
        "persentase_imunisasi",
        "catatan",
    ]
    rows = []
    for i in range(n):
        rows.append(
            [
                DISTRICTS[i % len(DISTRICTS)],
                f"Puskesmas {i + 1}",
                f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}",
                str(100 + 7 * i),
                f"{80 + (i % 20) / 2:.1f}",
                "rujukan" if i % 9 == 0 else "",  # an optional column: blanks are no mistake
            ]
        )
    planted = {
        "code": (7, "kode_wilayah"),
        "blank": (19, "nama_puskesmas"),
        "word": (33, "jumlah_kunjungan"),
        "date": (48, "tanggal_laporan"),
    }
    rows[planted["code"][0] - 2][0] = "64.99"
    rows[planted["blank"][0] - 2][1] = ""
    rows[planted["word"][0] - 2][3] = "belum ada"
    rows[planted["date"][0] - 2][2] = "2023-04-31"
    return header, rows, planted


def csv_bytes(header: list[str], rows: list[list[str]], delimiter: str = ",") -> bytes:
    return "\n".join(delimiter.join(r) for r in [header, *rows]).encode() + b"\n"


def check(content: bytes, codes=CODES):
    raw = io.BytesIO(content)
    dialect = ingest.detect_dialect(raw)
    columns = inference.infer_schema(raw, dialect, region_codes=codes)
    raw.seek(0)
    errors: list[ingest.CellError] = []
    result = ingest.validate_to_parquet(
        raw, dialect, columns, region_codes=codes, parquet_out=None, on_error=errors.append
    )
    return {c.name: c for c in columns}, result, errors


def test_every_planted_mistake_is_found_and_nothing_else():
    header, rows, planted = planted_rows()
    columns, result, errors = check(csv_bytes(header, rows))
    found = {(e.row, e.column): e for e in errors}
    assert set(found) == set(planted.values()), [e.message for e in errors]
    assert result.error_count == 4
    assert found[planted["code"]].rule == "reference"
    assert found[planted["blank"]].rule == "required"
    assert found[planted["word"]].rule == "type"
    assert found[planted["date"]].rule == "nonexistent_date"
    assert "31 April 2023 tidak ada" in found[planted["date"]].message
    assert "bentuk" not in found[planted["date"]].message  # not "not in the form YYYY-MM-DD"
    # Each reported cell says the inference saw it, and why.
    assert "disimpulkan: 98,3% nilai contoh berupa bilangan bulat" in found[planted["word"]].message
    assert "disimpulkan: 98,3% baris contoh mengisi kolom ini" in found[planted["blank"]].message
    assert "kode wilayah yang ada di tabel Kemendagri" in found[planted["code"]].message
    # The proposed dictionary: optional column stays optional, percentages are numbers.
    assert columns["catatan"].required is False and columns["catatan"].type == "string"
    assert (columns["persentase_imunisasi"].type, columns["persentase_imunisasi"].required) == ("number", True)
    assert columns["tanggal_laporan"].type == "date"


def test_row_numbers_are_spreadsheet_rows_header_is_row_one():
    _cols, _result, errors = check(b"jumlah,nama\n1,a\n2,b\n3,c\n4,d\n5,e\n6,f\n7,g\n8,h\n9,i\n10,j\n" * 1)
    assert errors == []
    header = ["jumlah"]
    rows = [[str(i)] for i in range(40)]
    rows[0] = ["x"]  # first data row: spreadsheet row 2
    _cols, _result, errors = check(csv_bytes(header, rows))
    assert [e.row for e in errors] == [2]


def test_the_producer_can_change_an_inferred_rule():
    header, rows, planted = planted_rows()
    content = csv_bytes(header, rows)
    raw = io.BytesIO(content)
    dialect = ingest.detect_dialect(raw)
    columns = inference.infer_schema(raw, dialect, region_codes=CODES)
    proposal = inference.infer_schema(io.BytesIO(content), dialect, region_codes=CODES)
    for c in columns:
        if c.name == "jumlah_kunjungan":
            c.type = "string"
        if c.name == "nama_puskesmas":
            c.required = False
    inference.mark_inferred(columns, proposal)
    by_name = {c.name: c for c in columns}
    assert "type" not in by_name["jumlah_kunjungan"].inferred
    assert "required" not in by_name["nama_puskesmas"].inferred
    assert "type" in by_name["tanggal_laporan"].inferred
    raw.seek(0)
    errors: list[ingest.CellError] = []
    ingest.validate_to_parquet(raw, dialect, columns, region_codes=CODES, parquet_out=None, on_error=errors.append)
    assert {(e.row, e.column) for e in errors} == {planted["code"], planted["date"]}


# ---------------------------------------------------------------------------- variants


def _column_with_bad_cells(n: int, share: float, good, bad, seed: int) -> tuple[list[str], set[int]]:
    rng = random.Random(seed)
    bad_count = round(n * share)
    positions = set(rng.sample(range(n), bad_count))
    values = [bad(i) if i in positions else good(i) for i in range(n)]
    return values, {p + 2 for p in positions}


KINDS = {
    # name: (column name, good value, bad value, inferred type, reference)
    "integer_id_style": (
        "luas_panen_ha",
        lambda i: f"{1000 + 37 * i:,}".replace(",", "."),
        lambda i: "n/a",
        "integer",
        "",
    ),
    "decimal": ("rasio_guru_murid", lambda i: f"{10 + i % 13}.{i % 10}", lambda i: "tidak tahu", "number", ""),
    "date_dmy": ("tgl_survei", lambda i: f"{1 + i % 28:02d}/{1 + i % 12:02d}/2022", lambda i: "Maret 2022", "date", ""),
    "region": ("kd_kab", lambda i: DISTRICTS[i % len(DISTRICTS)], lambda i: "Kutai Barat", "string", "kode_wilayah"),
    "year": ("tahun_anggaran", lambda i: str(2015 + i % 9), lambda i: "2O21", "year", ""),
}


@pytest.mark.parametrize("share", [0.01, 0.02, 0.05])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_bad_cells_under_five_percent_are_each_reported(kind, share):
    name, good, bad, expected_type, reference = KINDS[kind]
    values, bad_rows = _column_with_bad_cells(400, share, good, bad, seed=len(kind) * 1000 + int(share * 100))
    header = ["no_urut", name]
    rows = [[f"A{i}", v] for i, v in enumerate(values)]
    columns, _result, errors = check(csv_bytes(header, rows, delimiter=";"))
    assert (columns[name].type, columns[name].reference) == (expected_type, reference)
    assert {e.row for e in errors} == bad_rows
    assert {e.column for e in errors} == {name}
    assert all("disimpulkan" in e.message for e in errors)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_more_than_five_percent_other_values_leave_the_column_as_text(kind):
    name, good, bad, _type, reference = KINDS[kind]
    values, bad_rows = _column_with_bad_cells(400, 0.10, good, bad, seed=7)
    columns, _result, errors = check(csv_bytes([name], [[v] for v in values]))
    if reference:
        # A column named like a code and 90% shaped like kode wilayah is still checked.
        assert columns[name].reference == reference
        assert {e.row for e in errors} == bad_rows
        return
    assert (columns[name].type, columns[name].reference) == ("string", "")
    assert errors == []


@pytest.mark.parametrize(
    ("fmt", "value", "expected"),
    [
        ("ymd", "2023-02-29", "29 Februari 2023 tidak ada; 2023 bukan tahun kabisat"),
        ("ymd", "2100-02-29", "29 Februari 2100 tidak ada; 2100 bukan tahun kabisat"),
        ("ymd", "2023-04-31", "31 April 2023 tidak ada"),
        ("ymd", "2023-06-31", "31 Juni 2023 tidak ada"),
        ("ymd", "2023-13-01", "bulan 13 tidak ada"),
        ("ymd", "2023-00-10", "bulan 0 tidak ada"),
        ("dmy", "31/11/2024", "31 November 2024 tidak ada"),
        ("dmy", "29/02/2019", "29 Februari 2019 tidak ada; 2019 bukan tahun kabisat"),
        ("dmy", "10/13/2024", "bulan 13 tidak ada"),
    ],
)
def test_impossible_dates_are_named_as_such(fmt, value, expected):
    good = (
        (lambda i: f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}")
        if fmt == "ymd"
        else (lambda i: f"{1 + i % 28:02d}/{1 + i % 12:02d}/2024")
    )
    values = [good(i) for i in range(50)]
    values[20] = value
    _cols, _result, errors = check(csv_bytes(["tanggal_pelaksanaan"], [[v] for v in values]))
    assert [(e.row, e.rule) for e in errors] == [(22, "nonexistent_date")]
    assert expected in errors[0].message
    assert "bentuk" not in errors[0].message


def test_leap_day_of_a_leap_year_is_a_date():
    values = [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(50)] + ["2024-02-29", "2000-02-29"]
    _cols, _result, errors = check(csv_bytes(["tanggal"], [[v] for v in values]))
    assert errors == []


@pytest.mark.parametrize(("filled", "required"), [(200, True), (197, True), (196, True), (195, False), (190, False)])
def test_nearly_full_columns_are_proposed_as_required(filled, required):
    """200 rows: 196 filled is 98% (required, its 4 blanks reported), 195 is 97.5% (optional)."""
    rng = random.Random(filled)
    blanks = set(rng.sample(range(200), 200 - filled))
    rows = [[str(i), "" if i in blanks else f"Desa {i}"] for i in range(200)]
    columns, _result, errors = check(csv_bytes(["nomor", "nama_desa"], rows))
    assert columns["nama_desa"].required is required
    expected = {i + 2 for i in blanks} if required else set()
    assert {e.row for e in errors if e.column == "nama_desa"} == expected
    assert all(e.rule == "required" for e in errors)


def test_inference_works_the_same_on_xlsx():
    from openpyxl import Workbook

    header, rows, planted = planted_rows()
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for r in rows:
        sheet.append([int(v) if v.isdigit() else (v or None) for v in r])
    out = io.BytesIO()
    book.save(out)
    _cols, _result, errors = check(out.getvalue())
    assert {(e.row, e.column) for e in errors} == set(planted.values()), [e.message for e in errors]
