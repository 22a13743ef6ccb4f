"""Query counts of the inventory list/search pages and API, pinned on a larger inventory.

Each page is measured twice: on a small inventory and after growing it to 500 applications
spread over 20 OPDs in two instansi, with national Aplikasi Umum instances, data centres and
duplicate flags. The count must be the same both times (no query per row, per OPD, per
flag) and equal to the pinned figure.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from etam.inventory.models import Application, DataCentre, DuplicateFlag, NationalApplication
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

# Pinned. Pages: session, user, the actor's grants, COUNT, the page of rows (OPD, instansi and
# national application joined) and, on the application list, the two filter choice lists
# (instansi, OPD). API: bearer/session auth, grants, COUNT, page.
LIST_QUERIES = 7
SEARCH_QUERIES = 7
API_QUERIES = 5
DUPLICATES_QUERIES = 5

WORDS = [
    "perizinan",
    "beasiswa",
    "retribusi",
    "pasar",
    "arsip",
    "surat",
    "kepegawaian",
    "aset",
    "jalan",
    "puskesmas",
    "pajak",
    "pariwisata",
]


def _grow(province, total: int) -> None:
    """Bulk-create applications (and a flag for every fifth pair) up to ``total``."""
    agencies = [AgencyFactory(institution=province.kaltim if i % 2 else province.samarinda) for i in range(20)]
    national = NationalApplication.objects.order_by("id").first()
    centre = DataCentre.objects.create(institution=province.kaltim, name="Pusat Data Kaltim", kind="pusat_data")
    start = Application.objects.count()
    rows = []
    for i in range(start, total):
        agency = agencies[i % len(agencies)]
        word = WORDS[i % len(WORDS)]
        general = i % 7 == 0 and national is not None
        rows.append(
            Application(
                institution_id=agency.institution_id,
                agency=agency,
                name=f"Aplikasi {word.title()} {i:04d}",
                acronym=f"A{i}",
                purpose=f"Pengelolaan {word} untuk layanan nomor {i}",
                kind="umum" if general else "khusus",
                national_application=national if general else None,
                lifecycle="produksi" if i % 3 else "pengembangan",
                hosting="pusat_data_sendiri",
                data_centre=centre if i % 4 == 0 else None,
                datasets=[f"Data {word}"],
            )
        )
    Application.objects.bulk_create(rows, batch_size=500)
    apps = list(Application.objects.filter(pk__gt=0).order_by("id").values_list("id", "institution_id"))
    flags = []
    for (a, inst_a), (b, inst_b) in zip(apps[start::5], apps[start + 1 :: 5], strict=False):
        flags.append(
            DuplicateFlag(
                application_id=a,
                other_id=b,
                score=0.8,
                reasons=[{"kind": "purpose", "similarity": 0.8, "terms": ["uji"]}],
                signature_a="a",
                signature_b="b",
                institution_a_id=inst_a,
                institution_b_id=inst_b,
            )
        )
    DuplicateFlag.objects.bulk_create(flags, batch_size=500)


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


PAGES = {
    "list": (reverse("inventory:application_list") + "?halaman=2", LIST_QUERIES),
    "search": (reverse("inventory:application_list") + "?q=beasiswa&status=produksi&jenis=khusus", SEARCH_QUERIES),
    "api": ("/api/v1/inventory/applications?q=pasar&page_size=50", API_QUERIES),
    "duplicates": (reverse("inventory:duplicate_list") + "?status=semua&halaman=2", DUPLICATES_QUERIES),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_query_count_does_not_grow_with_the_inventory(client, province, django_assert_num_queries, name):
    url, pinned = PAGES[name]
    client.force_login(province.admin_kaltim)
    _grow(province, 120)
    client.get(url)  # warm the session
    small = _count(client, url)
    _grow(province, 500)
    assert Application.objects.count() == 500
    assert DuplicateFlag.objects.count() >= 90
    with django_assert_num_queries(pinned):
        response = client.get(url)
    assert small == pinned, f"{name}: {small} queries on 120 applications, {pinned} on 500"
    if name in ("list", "search", "duplicates"):
        rows = response.context["page"].object_list
        assert len(rows) == 50 if name != "search" else len(rows) > 10
    else:
        assert response.json()["count"] > 20 and len(response.json()["results"]) > 20
