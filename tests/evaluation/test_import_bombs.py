"""An XLSX bomb given as last year's results is refused in seconds, naming the file field
and the limit (issue 10, finding 5). "In seconds" is measured as work, not time: the bytes the
archive unpacked before the refusal are a small share of what its bomb part would unpack to."""

from __future__ import annotations

import io

import pytest

from etam.evaluation.models import Evaluation
from tests import bombs

pytestmark = pytest.mark.django_db


def _import_results(client, province, framework, workbook: bytes):
    """The coordinator imports `workbook` as last year's results; the answer and the bytes unpacked."""
    upload = io.BytesIO(workbook)
    upload.name = "hasil-2024.xlsx"
    client.force_login(province.coordinator_kaltim)
    with bombs.counting_unpacked_bytes() as unpacked:
        response = client.post(
            "/staf/evaluasi/impor/",
            {"institution": province.kaltim.pk, "framework": framework.pk, "period": "2024", "file": upload},
        )
    return response, unpacked


def test_the_shared_strings_bomb_is_refused_in_seconds(client, province, framework):
    bomb = bombs.shared_strings_bomb(["Nomor Indikator", "Tingkat Akhir"], entries=1_300_000)
    response, unpacked = _import_results(client, province, framework, bomb)
    bombs.assert_stopped_early(unpacked, bomb, bombs.SHARED_STRINGS)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Berkas: bagian xl/sharedStrings.xml" in body and "paling tinggi 100 banding 1" in body
    assert not Evaluation.objects.exists()


def test_a_results_sheet_stops_at_its_row_cap(client, province, framework, settings):
    settings.SPREADSHEET_MAX_RATIO = 100_000
    bomb = bombs.rows_bomb(["Nomor Indikator", "Tingkat Akhir"], rows=200_000)
    response, unpacked = _import_results(client, province, framework, bomb)
    bombs.assert_stopped_early(unpacked, bomb, bombs.SHEET)
    assert response.status_code == 400 and "lebih dari 2000 baris" in response.content.decode()
    assert not Evaluation.objects.exists()
