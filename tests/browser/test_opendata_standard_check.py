"""Producers see what the walidata will refuse before they submit (issue 14, item 4).

A produsen data uploads a valid file but has not described its columns (MS-Var): the
dataset page and the version page list what is missing, the "Ajukan ke walidata" button is
disabled; once the columns are described in the data dictionary form, the list is gone and
the version can be submitted.
"""

from __future__ import annotations

import pytest

from etam.opendata import services
from etam.opendata.models import DatasetVersion
from tests.opendata.conftest import POPULATION_CSV, make_dataset, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_producer_sees_missing_metadata_before_submitting(page, live_server, sign_in, province, screenshot_dir):
    producer = province.producer_diskominfo
    dataset = make_dataset(province, slug="penduduk-standar")
    version = services.version_upload(actor=producer, dataset=dataset, upload=upload(POPULATION_CSV))
    assert version.validation == "valid"

    sign_in(page, producer)
    page.goto(f"/staf/data/{dataset.pk}/")
    alert = page.get_by_role("alert")
    text = alert.inner_text()
    assert "Walidata akan menolak versi ini" in text
    for column in ("kode_wilayah", "nama", "tahun", "penduduk", "luas_km2"):
        assert f"Kolom {column}: definisi (MS-Var) kosong" in text
    page.screenshot(path=str(screenshot_dir / "opendata-standard-1-dataset.png"), full_page=True)

    page.get_by_role("link", name="1", exact=True).click()
    assert "definisi (MS-Var) kosong" in page.get_by_role("alert").inner_text()
    submit = page.get_by_role("button", name="Ajukan ke walidata")
    assert submit.is_disabled()
    page.screenshot(path=str(screenshot_dir / "opendata-standard-2-version.png"), full_page=True)

    # The link in the list leads to the data dictionary, where the producer fixes it.
    page.get_by_role("alert").get_by_role("link", name="kamus data").click()
    for definition in page.locator("main textarea[name$=-definition]").all():
        definition.fill("Definisi menurut BPS.")
    page.get_by_role("button", name="Simpan dan validasi").click()
    assert page.get_by_role("alert").count() == 0
    page.get_by_role("button", name="Ajukan ke walidata").click()
    assert "Diajukan" in page.get_by_role("main").inner_text()
    assert DatasetVersion.objects.get(pk=version.pk).status == "submitted"
