"""Village connectivity: public page budget, staff update with history, CSV import with a per-row report."""

from __future__ import annotations

import gzip

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from etam.core.models import AuditEvent, Region
from etam.inventory import imports, services
from etam.inventory.models import AccessPoint, ConnectivityChange, ImportBatch, ProgrammeTarget, VillageConnectivity

pytestmark = pytest.mark.django_db


@pytest.fixture
def villages(db):
    if not Region.objects.filter(level="desa_kelurahan").exists():
        pytest.skip("reference regions not loaded")
    imports.ensure_villages()
    return VillageConnectivity.objects.all()


def test_every_desa_and_kelurahan_has_a_row(villages):
    assert villages.filter(is_kelurahan=False).count() == 841
    assert villages.filter(is_kelurahan=True).count() == 197


def test_public_page_without_sign_in_within_budget(client, villages):
    ProgrammeTarget.objects.create(regency_code="64.03", target_villages=100)
    berau = villages.filter(regency_code="64.03", is_kelurahan=False)[:3]
    for v in berau:
        AccessPoint.objects.create(
            village=v, programme="internet_desa", provider="Telkom", technology="vsat", bandwidth_mbps=50
        )
    villages.filter(regency_code="64.11").update(coverage="tidak_ada")
    response = client.get(reverse("inventory:public_connectivity"))
    assert response.status_code == 200
    html = response.content
    assert b"<svg" in html and html.count(b"<path") >= 100
    assert b"3/100" in html
    size = len(gzip.compress(html))
    print(f"\npublic connectivity page: {len(html)} bytes, {size} bytes gzip")
    assert size <= 14 * 1024


def test_staff_update_writes_history_and_audit(province, villages):
    village = villages.get(region_code=villages.filter(regency_code="64.72").first().region_code)
    services.village_update(
        actor=province.admin_samarinda,
        village=village,
        coverage="4g",
        access_points=[
            {
                "site": "Kantor lurah",
                "programme": "kabkota",
                "provider": "Telkom",
                "technology": "fiber",
                "bandwidth_mbps": 100,
                "power": "pln",
                "installed_on": None,
                "status": "aktif",
            }
        ],
    )
    change = ConnectivityChange.objects.get(village=village)
    assert change.before["coverage"] == "" and change.after["coverage"] == "4g"
    assert len(change.after["access_points"]) == 1
    assert AuditEvent.objects.filter(action="inventory.village_update", object_id=str(village.pk)).count() == 1


def test_other_kabkota_cannot_update_village(province, villages):
    village = villages.filter(regency_code="64.01").first()  # Paser, not Samarinda
    with pytest.raises(PermissionDenied):
        services.village_update(actor=province.admin_samarinda, village=village, coverage="5g")
    with pytest.raises(PermissionDenied):
        services.village_update(actor=province.admin_dpmptsp, village=village, coverage="5g")
    village.refresh_from_db()
    assert village.coverage == "" and not ConnectivityChange.objects.exists()
    assert not AuditEvent.objects.filter(action="inventory.village_update").exists()


def test_csv_import_reports_rows_and_imports_only_when_chosen(province, villages):
    good = villages.filter(regency_code="64.72").first().region_code
    paser = villages.filter(regency_code="64.01").first().region_code
    content = (
        "kode_wilayah;sinyal;penyedia;teknologi;bandwidth_mbps;tanggal_pasang\n"
        f"{good};4g;Telkom;fiber;100;2025-08-01\n"
        "64.72.99.9999;3g;;;;\n"
        f"{paser};4g;;;;\n"
        f"{good};6g;Telkom;laser;abc;31/02/2025\n"
    ).encode("cp1252")
    batch = imports.stage(
        actor=province.admin_samarinda, kind=ImportBatch.Kind.CONNECTIVITY, filename="d.csv", raw=content
    )
    errors = {(r["line"], e["column"]) for r in batch.rows for e in r["errors"]}
    assert (3, "kode_wilayah") in errors and (4, "kode_wilayah") in errors
    assert {(5, "sinyal"), (5, "teknologi"), (5, "bandwidth_mbps"), (5, "tanggal_pasang")} <= errors
    with pytest.raises(ValidationError):
        imports.commit(actor=province.admin_samarinda, batch=batch, only_valid=False)
    assert not AccessPoint.objects.exists()
    assert imports.commit(actor=province.admin_samarinda, batch=batch, only_valid=True) == 1
    village = VillageConnectivity.objects.get(region_code=good)
    assert village.coverage == "4g" and village.access_points.get().bandwidth_mbps == 100


def test_demo_loader_is_idempotent_and_matches_the_programme_figures(villages):
    from etam.inventory import demo, selectors

    lines: list[str] = []
    demo.load(lines.append)
    demo.load(lines.append)
    progress = {r["code"]: (r["connected"], r["target"]) for r in selectors.programme_progress()}
    assert progress["64.03"] == (58, 100) and progress["64.11"] == (4, 50) and progress["64.02"] == (117, 193)
    assert sum(c for c, _t in progress.values()) == 441
    assert AccessPoint.objects.count() == 441


def test_a_huge_point_count_in_the_village_form_builds_no_more_forms_than_shown(client, province, villages):
    village = villages.filter(regency_code="64.72").first()
    client.force_login(province.admin_samarinda)
    url = reverse("inventory:village_edit", args=[village.region_code])
    response = client.post(url, {"jumlah_titik": str(2**62), "coverage": "4g", "notes": ""})
    assert response.status_code in (200, 302)


def test_a_lone_t_in_a_yes_no_column_is_reported_not_read_as_tidak(province, villages):
    """Before issue 11 the inventory read "t" as "tidak" and Satu Data read it as true; now
    both report it (ADR 0091), naming the row and the column, in Indonesian."""
    from django.utils import translation

    good = villages.filter(regency_code="64.72").first().region_code
    content = f"kode_wilayah;program_internet_desa\n{good};ya\n{good};t\n{good};f\n".encode()
    with translation.override("id"):
        batch = imports.stage(
            actor=province.admin_samarinda, kind=ImportBatch.Kind.CONNECTIVITY, filename="d.csv", raw=content
        )
    by_line = {r["line"]: r["errors"] for r in batch.rows}
    assert by_line[2] == [] and by_line[4] == []  # "f" is plainly false
    (error,) = by_line[3]
    assert error["column"] == "program_internet_desa"
    assert "Baris 3" in error["message"] and "kolom program_internet_desa" in error["message"]
    assert "bermakna ganda" in error["message"]
