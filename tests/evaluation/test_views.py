from __future__ import annotations

import gzip
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from etam.core.models import AuditEvent, RegionBoundary, Role
from etam.evaluation import services
from etam.evaluation.models import Assessment, Claim, Evaluation, Evidence, Stage
from tests.evaluation.conftest import PDF_BYTES
from tests.evaluation.test_services import JUST
from tests.factories import StaffFactory, grant

BASE = "/staf/evaluasi"


@pytest.fixture
def boundaries(db):
    if not RegionBoundary.objects.filter(level="kabupaten_kota").exists():
        from etam.core.reference_loader import load_all

        load_all()


def test_list_page_pinned_queries_and_open_form(client, province, evaluation, django_assert_num_queries):
    client.force_login(province.coordinator_kaltim)
    client.get(f"{BASE}/")  # warm up per-process caches (translations, templates)
    with django_assert_num_queries(6):
        response = client.get(f"{BASE}/")
    assert response.status_code == 200
    assert "Pemerintah Provinsi Kalimantan Timur" in response.content.decode()
    # a duplicate period comes back with the typed values and an error on the field
    response = client.post(
        f"{BASE}/", {"institution": province.kaltim.pk, "framework": evaluation.framework_id, "period": "2026"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="2026"' in body
    assert "2026" in body and "errorlist" in body
    assert Evaluation.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"period": "1999"}, "period", "Periode: harus tahun antara 2018 dan 2100."),
        ({"period": "dua ribu"}, "period", "Periode: harus tahun antara 2018 dan 2100."),
        ({"period": ""}, "period", "Periode: harus tahun antara 2018 dan 2100."),
        ({"institution": ""}, "institution", "Instansi: pilih instansinya."),
        ({"framework": "999999"}, "framework", "Kerangka: pilih salah satu kerangka dalam daftar."),
        ({"period": "2026"}, "period", "Periode: Pemerintah Provinsi Kalimantan Timur sudah memiliki evaluasi"),
    ],
)
def test_open_form_messages_name_the_field_and_keep_the_input(client, province, evaluation, data, field, message):
    # Found in QA: Django's own "Pastikan nilai ini lebih besar dari atau sama dengan 2018."
    # named no field.
    client.force_login(province.coordinator_kaltim)
    form = {"institution": str(province.kaltim.pk), "framework": str(evaluation.framework_id), "period": "2027"} | data
    events = AuditEvent.objects.count()
    body = client.post(f"{BASE}/", form).content.decode()
    assert message in body
    if form["period"]:
        assert f'value="{form["period"]}"' in body
    assert Evaluation.objects.count() == 1 and AuditEvent.objects.count() == events


def test_list_page_query_count_does_not_grow_with_evaluations(
    client, province, framework, evaluation, django_assert_num_queries
):
    for year in (2021, 2022, 2023):
        services.evaluation_open(
            actor=province.coordinator_kaltim, institution=province.kaltim, framework=framework, period=year
        )
    client.force_login(province.coordinator_kaltim)
    client.get(f"{BASE}/")
    with django_assert_num_queries(6):
        assert client.get(f"{BASE}/").status_code == 200


def test_koordinator_pages_render(client, province, assigned):
    client.force_login(province.coordinator_kaltim)
    for path in ("", "indikator/", "indikator/45/", "penugasan/", "analisis/", "riwayat/"):
        response = client.get(f"{BASE}/{assigned.pk}/{path}")
        assert response.status_code == 200, path


def test_full_cycle_through_the_pages(client, province, assigned, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    url = f"{BASE}/{assigned.pk}/indikator/45/"
    client.force_login(province.admin_dpmptsp)
    # bad level: the form comes back with the typed text kept and an error on the field
    response = client.post(url, {"action": "claim", "level": "7", "fact": "Fakta yang diketik.", "analysis": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Fakta yang diketik." in body
    assert not Claim.objects.exists()
    response = client.post(url, {"action": "claim", "level": "3", **JUST})
    assert response.status_code == 302
    upload = io.BytesIO(PDF_BYTES)
    upload.name = "izin.pdf"
    response = client.post(url, {"action": "evidence", "level": "1", "title": "SOP", "file": upload, "url": ""})
    assert response.status_code == 302
    item = Evidence.objects.get()
    assert item.content_type == "application/pdf"
    # forbidden type through the page: refused, named, nothing saved
    bad = io.BytesIO(b"MZ\x90\x00binary")
    bad.name = "virus.pdf"
    response = client.post(url, {"action": "evidence", "level": "2", "title": "X", "file": bad, "url": ""})
    assert response.status_code == 400
    assert "virus.pdf" in response.content.decode()
    assert Evidence.objects.count() == 1
    # the file downloads for the OPD and the coordinator, not for another OPD
    assert client.get(f"{BASE}/bukti/{item.pk}/").status_code == 200
    client.force_login(province.admin_diskominfo)
    assert client.get(f"{BASE}/bukti/{item.pk}/").status_code == 404
    # submission warns: claim 3, evidence only at level 1
    client.force_login(province.admin_dpmptsp)
    response = client.post(f"{BASE}/{assigned.pk}/kirim/", {"opd": province.dpmptsp.pk})
    assert response.status_code == 400
    assert "45" in response.content.decode()
    response = client.post(f"{BASE}/{assigned.pk}/kirim/", {"opd": province.dpmptsp.pk, "acknowledge_gaps": "on"})
    assert response.status_code == 302
    # coordinator moves on; assessor reviews
    client.force_login(province.coordinator_kaltim)
    assert client.post(f"{BASE}/{assigned.pk}/tahap/").status_code == 302
    client.force_login(province.assessor_kaltim)
    response = client.post(url, {"action": "assess", "level": "2", "notes": "Bukti tingkat 2-3 belum ada"})
    assert response.status_code == 302
    assert Assessment.objects.get().level == 2
    response = client.get(f"{BASE}/{assigned.pk}/")
    body = response.content.decode()
    assert "Penilaian mandiri" in body or "Self-assessment" in body
    # reports
    pdf = client.get(f"{BASE}/{assigned.pk}/laporan.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert len(pdf.content) > 3000
    xlsx = client.get(f"{BASE}/{assigned.pk}/laporan.xlsx")
    wb = load_workbook(io.BytesIO(xlsx.content))
    rows = list(wb["Indikator"].iter_rows(values_only=True))
    row45 = next(r for r in rows if r[0] == 45)
    assert row45[6] == 3 and row45[7] == 2 and row45[8] == -1
    assert "SOP" in row45[11]


def test_malformed_ids_in_the_query_or_form_are_404_not_500(client, province, assigned, ind):
    # Found in QA: /kirim/?opd=abc raised ValueError in the lookup (500).
    services.claim_create(actor=province.admin_dpmptsp, evaluation=assigned, indicator=ind(45), level=3, **JUST)
    before = AuditEvent.objects.count()
    client.force_login(province.admin_dpmptsp)
    for query in ("?opd=abc", "?opd=", "", "?opd=1e3"):
        assert client.get(f"{BASE}/{assigned.pk}/kirim/{query}").status_code == 404, query
    response = client.post(f"{BASE}/{assigned.pk}/indikator/45/", {"action": "remove_evidence", "evidence": "x"})
    assert response.status_code == 404
    client.force_login(province.superadmin)
    response = client.post(f"{BASE}/kerangka/", {"action": "publish", "framework": "satu"})
    assert response.status_code == 404
    assert AuditEvent.objects.count() == before


def test_other_opd_cannot_see_or_change(client, province, assigned, ind):
    services.claim_create(actor=province.admin_dpmptsp, evaluation=assigned, indicator=ind(45), level=3, **JUST)
    before = AuditEvent.objects.count()
    client.force_login(province.admin_diskominfo)  # takes part (indicators 1–20), but not in 45
    assert client.get(f"{BASE}/{assigned.pk}/indikator/45/").status_code == 404
    response = client.post(f"{BASE}/{assigned.pk}/indikator/45/", {"action": "claim", "level": "5", **JUST})
    assert response.status_code == 404
    assert client.get(f"{BASE}/{assigned.pk}/analisis/").status_code == 403
    client.force_login(province.officer_dpmptsp_smr)  # another instansi
    for path in ("", "indikator/", "indikator/45/", "laporan.pdf"):
        assert client.get(f"{BASE}/{assigned.pk}/{path}").status_code == 404
    admin_disdik = StaffFactory()
    grant(admin_disdik, Role.AGENCY_ADMIN, province.disdikbud)  # same instansi, no assignment
    client.force_login(admin_disdik)
    assert client.get(f"{BASE}/{assigned.pk}/").status_code == 404
    assert Claim.objects.get().level == 3
    assert AuditEvent.objects.count() == before


def test_other_kabkota_coordinator_cannot_see_draft(client, province, assigned):
    coord_smr = StaffFactory()
    grant(coord_smr, Role.SPBE_COORDINATOR, province.samarinda)
    client.force_login(coord_smr)
    before = AuditEvent.objects.count()
    assert client.get(f"{BASE}/{assigned.pk}/").status_code == 404
    assert client.post(f"{BASE}/{assigned.pk}/tahap/").status_code == 404
    assert client.post(f"{BASE}/{assigned.pk}/penugasan/", {"action": "defaults"}).status_code == 404
    assert Evaluation.objects.get(pk=assigned.pk).stage == Stage.SELF
    assert AuditEvent.objects.count() == before
    assert f"{BASE}/{assigned.pk}/" not in client.get(f"{BASE}/").content.decode()


def test_assessor_cannot_assign_or_advance_and_opd_cannot_assess(client, province, assigned, ind):
    before = AuditEvent.objects.count()
    client.force_login(province.assessor_kaltim)
    assert client.get(f"{BASE}/{assigned.pk}/penugasan/").status_code == 403
    assert client.post(f"{BASE}/{assigned.pk}/tahap/").status_code == 403
    client.force_login(province.coordinator_kaltim)
    client.post(f"{BASE}/{assigned.pk}/tahap/")
    after = AuditEvent.objects.count()
    assert after == before + 1
    client.force_login(province.admin_dpmptsp)
    response = client.post(f"{BASE}/{assigned.pk}/indikator/45/", {"action": "assess", "level": "4"})
    assert response.status_code == 403
    assert not Assessment.objects.exists()
    assert AuditEvent.objects.count() == after


def test_reopen_through_the_page(client, province, assigned):
    for _ in range(4):
        services.evaluation_advance(actor=province.coordinator_kaltim, evaluation=assigned)
    client.force_login(province.coordinator_kaltim)
    response = client.post(f"{BASE}/{assigned.pk}/buka-kembali/", {"reason": ""})
    assert response.status_code == 400
    assert Evaluation.objects.get(pk=assigned.pk).stage == Stage.FINAL
    response = client.post(f"{BASE}/{assigned.pk}/buka-kembali/", {"reason": "Keberatan indikator 45 diterima"})
    assert response.status_code == 302
    assert Evaluation.objects.get(pk=assigned.pk).stage == Stage.VISIT


def _results_workbook(rows: list[list]) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.title = "Indikator"
    ws.append(["Nomor Indikator", "Tingkat Mandiri", "Tingkat Akhir"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "hasil-2024.xlsx"
    return out


def _import_results(client, province, framework, period: str, rows: list[list]):
    """The coordinator posts Kaltim's results of `period` as a workbook of `rows` to the import page."""
    client.force_login(province.coordinator_kaltim)
    data = {"institution": province.kaltim.pk, "framework": framework.pk, "period": period}
    return client.post(f"{BASE}/impor/", {**data, "file": _results_workbook(rows)})


def test_import_previous_year_results(client, province, framework):
    rows = [[n, 4, 4] for n in range(1, 48)]
    rows[41] = [42, 5, 5]
    response = _import_results(client, province, framework, "2024", rows)
    assert response.status_code == 302, response.content.decode()[:2000]
    evaluation = Evaluation.objects.get(period=2024)
    assert evaluation.stage == Stage.FINAL
    from etam.evaluation.scores import score_evaluation

    assert score_evaluation(evaluation).assessed_sheet.overall.index == Decimal("4.03")
    assert AuditEvent.objects.filter(action="evaluation.import_results").count() == 1


def test_import_reports_every_row_error_and_saves_nothing(client, province, framework):
    rows = [[1, 3, 3], [99, 3, 3], [2, 7, 3], [1, 2, 2], ["x", 1, 1], [3, None, "tiga"]]
    response = _import_results(client, province, framework, "2023", rows)
    assert response.status_code == 400
    body = response.content.decode()
    for row_no in ("<td>3</td>", "<td>4</td>", "<td>5</td>", "<td>6</td>", "<td>7</td>"):
        assert row_no in body
    assert "99" in body
    assert not Evaluation.objects.exists()
    assert not AuditEvent.objects.filter(action="evaluation.import_results").exists()


def test_import_refused_for_opd_staff(client, province, framework):
    client.force_login(province.admin_diskominfo)
    assert client.get(f"{BASE}/impor/").status_code == 403


def test_rollup_public_page_with_map(client, province, framework, boundaries, django_assert_num_queries):
    from etam.evaluation.demo import levels_for_index
    from etam.evaluation.scores import shape_of

    shape = shape_of(framework)
    for inst, value in ((province.kaltim, "4.13"), (province.samarinda, "3.62")):
        e = Evaluation.objects.create(
            institution=inst, framework=framework, period=2025, stage=Stage.FINAL, is_demo=True
        )
        levels = levels_for_index(shape.specs, Decimal(value), inst.region_code)
        Assessment.objects.bulk_create(
            Assessment(evaluation=e, indicator=shape.indicators[n], stage=Stage.FINAL, level=lv)
            for n, lv in levels.items()
        )
    draft = services.evaluation_open(
        actor=province.coordinator_kaltim, institution=province.kaltim, framework=framework, period=2026
    )
    client.get("/evaluasi-spbe/")
    with django_assert_num_queries(8):
        response = client.get("/evaluasi-spbe/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body and "<path" in body
    assert "3,62" in body and "4,13" in body  # Indonesian decimal comma
    assert "Sangat Baik" in body
    assert "2026" not in body.split("<main")[1].split("</main>")[0] or draft.stage != Stage.FINAL
    compressed = len(gzip.compress(response.content))
    assert compressed <= 14 * 1024, compressed


def test_frameworks_page_and_export(client, province, framework):
    client.force_login(province.coordinator_kaltim)
    response = client.get(f"{BASE}/kerangka/")
    assert response.status_code == 200
    assert "Indeks Pemerintah Digital" in response.content.decode()
    assert client.post(f"{BASE}/kerangka/", {"action": "new_version", "framework": framework.pk}).status_code == 403
    exported = client.get(f"{BASE}/kerangka/{framework.pk}.json")
    assert exported.json()["code"] == "permenpanrb-59-2020"
    client.force_login(province.superadmin)
    assert client.post(f"{BASE}/kerangka/", {"action": "new_version", "framework": framework.pk}).status_code == 302


def test_dashboard_card_describes_the_evaluation(client, province):
    # Found in QA: the staff dashboard card for the evaluation had a title and no text.
    client.force_login(province.coordinator_kaltim)
    html = client.get("/staf/").content.decode()
    assert "Penilaian mandiri dengan bukti dukung, penilaian asesor, indeks" in html


def test_pdf_scores_use_the_indonesian_decimal_comma():
    # Found in QA: the pages said 3,74 while the PDF said 3.74.
    from etam.evaluation.reports import _fmt

    assert _fmt(Decimal("3.74")) == "3,74"
    assert _fmt(Decimal("-0.74")) == "−0,74"
    assert _fmt(None) == "–" and _fmt(4) == "4"
