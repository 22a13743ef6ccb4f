"""Formula injection (issue 10, finding 4): dataset downloads and error reports carry no live formula."""

from __future__ import annotations

import csv
import io

import pytest

from tests.export_checks import assert_no_formula, xlsx_cells

pytestmark = pytest.mark.django_db


DANGEROUS = (
    'kode_wilayah,nama,jumlah\n64.71,"=HYPERLINK(""http://evil.example"",""x"")",-5\n64.72,@SUM(A1),12\n64.01,Biasa,7\n'
)


def test_opendata_download_csv_and_xlsx(client, published):
    published(slug="bahaya", content=DANGEROUS)
    response = client.get("/api/v1/datasets/bahaya/download.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows[0]["nama"] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[1]["nama"] == "'@SUM(A1)" and rows[2]["nama"] == "Biasa"
    assert rows[0]["jumlah"] == "-5"  # a number stays a number
    xlsx = client.get("/api/v1/datasets/bahaya/download.xlsx")
    cells = xlsx_cells(b"".join(xlsx.streaming_content))
    assert_no_formula(cells, "@SUM(A1)")
    assert any(c.value == -5 and c.data_type == "n" for c in cells)
    # JSON carries the exact data for programs
    data = b"".join(client.get("/api/v1/datasets/bahaya/download.json").streaming_content).decode()
    assert '"nama": "@SUM(A1)"' in data


def test_opendata_error_report_csv():
    from etam.opendata import ingest

    stream = io.StringIO()
    write = ingest.errors_csv_writer(stream)
    write(ingest.CellError(row=2, column="jumlah", value="=1+1", rule="type", message="bukan angka"))
    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    assert rows[1][2] == "'=1+1"


def test_opendata_download_neutralises_a_formula_like_column_name(client, published):
    published(slug="judul", content="kode_wilayah,=HYPERLINK(1),jumlah\n64.71,a,1\n64.72,b,2\n")
    body = b"".join(client.get("/api/v1/datasets/judul/download.csv").streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0] == '"kode_wilayah","\'=HYPERLINK(1)","jumlah"'
    cells = xlsx_cells(b"".join(client.get("/api/v1/datasets/judul/download.xlsx").streaming_content))
    assert_no_formula(cells, "=HYPERLINK(1)")
