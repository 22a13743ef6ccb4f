"""Formula injection (issue 10, finding 4): the application export carries no live formula."""

from __future__ import annotations

import csv
import io

import pytest

from tests.export_checks import assert_no_formula, xlsx_cells

pytestmark = pytest.mark.django_db


def test_inventory_export_csv_and_xlsx(client, province):
    from tests.inventory.factories import ApplicationFactory

    payload = '=HYPERLINK("http://evil.example","klik")'
    ApplicationFactory(agency=province.diskominfo, name=payload, purpose="=cmd|' /C calc'!A0", user_count=5)
    client.force_login(province.admin_diskominfo)
    body = client.get("/staf/inventaris/aplikasi/ekspor.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    cells = [c for r in rows[1:] for c in r]
    assert "'" + payload in cells and "'=cmd|' /C calc'!A0" in cells
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    xlsx = client.get("/staf/inventaris/aplikasi/ekspor.xlsx")
    assert_no_formula(xlsx_cells(xlsx.content), payload)


def test_a_neutralised_value_reads_back_as_typed():
    """Export → import round trip: the protective quote is ours, so the importer takes it off."""
    from etam.inventory.imports import read_table

    body = b"nama,tujuan\n'=SUM(A1),'- dipakai semua OPD\n'kutip sendiri,biasa\n"
    rows = read_table("aplikasi.csv", body)
    assert rows[0][1] == {"nama": "=SUM(A1)", "tujuan": "- dipakai semua OPD"}
    assert rows[1][1] == {"nama": "'kutip sendiri", "tujuan": "biasa"}
