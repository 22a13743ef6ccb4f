"""Issue 15, item 12 (server side): school choices in counting order with one spelling;
the inventory list counts "aplikasi"; the offline-form link is translated."""

from __future__ import annotations

import pytest

from etam.eservices import demo_definitions, formengine
from etam.eservices.formengine.fields import natural_key, school_name
from tests.eservices.conftest import publish


def test_school_names_in_capitals_get_one_spelling():
    assert school_name("SMAN 1 BATU ENGAU") == "SMA Negeri 1 Batu Engau"
    assert school_name("SMKS PGRI MUARA KOMAM") == "SMK Swasta PGRI Muara Komam"
    assert school_name("SMK Negeri 7 BERAU") == "SMK Negeri 7 Berau"
    assert school_name("SMA Negeri 4 Samarinda") == "SMA Negeri 4 Samarinda"


def test_school_choices_are_sorted_as_people_count():
    labels = [label for _v, label in formengine.source_choices({"choices_source": "sekolah_sma_smk_negeri"}, {})]
    samarinda = [label.split(" (")[0] for label in labels if label.startswith("SMA Negeri") and "Samarinda (" in label]
    assert samarinda[:3] == ["SMA Negeri 1 Samarinda", "SMA Negeri 2 Samarinda", "SMA Negeri 3 Samarinda"]
    assert samarinda.index("SMA Negeri 2 Samarinda") < samarinda.index("SMA Negeri 10 Samarinda")
    assert labels == sorted(labels, key=natural_key)
    assert not [label for label in labels if label.split(" (")[0].isupper()]


@pytest.mark.django_db
def test_the_inventory_list_counts_applications_as_aplikasi(client, province):
    client.force_login(province.superadmin)
    html = client.get("/staf/inventaris/aplikasi/").content.decode()
    assert " aplikasi ·" in html and " permohonan ·" not in html


@pytest.mark.django_db
def test_the_offline_form_link_is_rendered_and_translated(client, province):
    service = publish(province.admin_dpmptsp, province.dpmptsp, demo_definitions.informasi_publik())
    html = client.get(f"/layanan/{service.slug}/").content.decode()
    assert (
        f'<p data-offline-link hidden><a href="/luring/layanan/{service.slug}/">Isi formulir ini tanpa sinyal' in html
    )
    assert html.index("Ajukan sekarang") < html.index("Dasar hukum") if "Dasar hukum" in html else True
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(f"/layanan/{service.slug}/").content.decode()
    assert "Fill in this form without signal" in english


@pytest.mark.django_db
def test_staff_selects_say_choose_not_dashes(client, province):
    client.force_login(province.superadmin)
    html = client.get("/staf/organisasi/opd/baru/").content.decode()
    assert "<select" in html and "---------" not in html
    assert "— pilih —" in html
    assert ":</label>" not in html
