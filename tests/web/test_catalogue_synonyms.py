"""Catalogue search understands everyday words (issue 15): a synonym list in the module's
reference data (etam/eservices/data/sinonim_pencarian.csv). Runs on the database of the
test run: SQLite by default, PostgreSQL in CI's PostgreSQL pass."""

from __future__ import annotations

import pytest

from etam.eservices import demo_definitions, selectors
from tests.eservices.conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def services_published(province):
    return {
        "ppdb": publish(province.admin_dpmptsp, province.dpmptsp, demo_definitions.ppdb_sma_smk()),
        "penelitian": publish(province.admin_dpmptsp, province.dpmptsp, demo_definitions.izin_penelitian()),
        "informasi": publish(province.admin_dpmptsp, province.dpmptsp, demo_definitions.informasi_publik()),
    }


def found(q: str) -> set[str]:
    return {s.slug for s in selectors.catalogue(q=q)}


def test_the_synonym_list_is_read_and_matched_as_whole_words():
    assert ("daftar sekolah", ("ppdb", "penerimaan peserta didik baru")) in selectors.search_synonyms()
    assert "ppdb" in selectors.synonym_terms("Daftar  Sekolah anak saya")
    assert "penelitian" in selectors.synonym_terms("izin riset")
    assert selectors.synonym_terms("periset") == []  # a word, not a substring
    assert "kartu tanda penduduk" in selectors.synonym_terms("KTP")


@pytest.mark.parametrize(
    "q, service",
    [
        ("daftar sekolah", "ppdb"),
        ("riset", "penelitian"),
        ("izin riset", "penelitian"),
        ("skripsi", "penelitian"),
        ("minta data", "informasi"),
        ("PPID", "informasi"),
    ],
)
def test_everyday_words_find_the_service(services_published, q, service):
    assert services_published[service].slug in found(q)


def test_words_without_a_synonym_search_as_before(services_published):
    assert found("penelitian") >= {services_published["penelitian"].slug}
    assert services_published["ppdb"].slug not in found("riset")
    assert found("kata-yang-tidak-ada-di-mana-pun") == set()


def test_the_catalogue_page_uses_the_synonyms(client, services_published):
    html = client.get("/layanan/", {"q": "daftar sekolah"}).content.decode()
    assert services_published["ppdb"].name in html
