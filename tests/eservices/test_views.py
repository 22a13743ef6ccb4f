import gzip
import re

import pytest
from django.test import Client
from django.utils import translation

from etam.core.models import AuditEvent
from etam.eservices.models import Application, Draft, UploadedFile
from tests.eservices.conftest import NIK_WOMAN, address, drive, pdf_upload

pytestmark = pytest.mark.django_db


def login(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(user)
    return client


def text(response):
    return response.content.decode()


def applicant_page(**overrides):
    a = address()
    data = {
        "nama": "Siti Rahmawati",
        "nik": NIK_WOMAN,
        "telepon": "0812 3456 7890",
        "email": "siti@example.id",
        "alamat__kabupaten_kota": a["kabupaten_kota"],
        "alamat__kecamatan": a["kecamatan"],
        "alamat__desa_kelurahan": a["desa_kelurahan"],
        "alamat__jalan": a["jalan"],
    }
    data.update(overrides)
    return data


def test_catalogue_search_and_filters(client, info_service, research_service, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get("/layanan/")
    assert response.status_code == 200
    assert "Izin Penelitian" in text(response) and "Permohonan Informasi Publik" in text(response)
    response = client.get("/layanan/", {"q": "penelitian"})
    assert "Izin Penelitian" in text(response) and "Permohonan Informasi Publik" not in text(response)
    response = client.get("/layanan/", {"sektor": "komunikasi_informasi"})
    assert "Izin Penelitian" not in text(response)
    detail = client.get(f"/layanan/{research_service.slug}/")
    assert "Surat pengantar dari perguruan tinggi" in text(detail)
    assert "/masuk/?next=/layanan/" in text(detail)  # sign in first


def test_citizen_pages_fit_the_budget(client, research_service, province):
    pages = [client.get("/layanan/"), client.get(f"/layanan/{research_service.slug}/"), client.get("/lacak/")]
    citizen = login(province.citizen)
    pages.append(citizen.get(f"/layanan/{research_service.slug}/ajukan/1/"))
    for response in pages:
        assert response.status_code == 200
        assert len(gzip.compress(response.content)) <= 14 * 1024
        assert "<script" not in text(response) or 'src="/static/' in text(response)


def test_fill_without_javascript_keeps_values_and_names_fields(province, research_service):
    c = login(province.citizen)
    start = c.get(f"/layanan/{research_service.slug}/ajukan/")
    assert start.status_code == 302 and start["Location"].endswith("/ajukan/1/")
    bad = c.post(f"/layanan/{research_service.slug}/ajukan/1/", applicant_page(nik="12345", telepon="999"))
    assert bad.status_code == 200
    body = text(bad)
    assert "NIK" in body and "16 digit" in body
    assert 'value="12345"' in body and 'value="Siti Rahmawati"' in body  # typed values kept
    assert "Nomor HP:" in body
    ok = c.post(f"/layanan/{research_service.slug}/ajukan/1/", applicant_page())
    assert ok.status_code == 302 and ok["Location"].endswith("/ajukan/2/")
    # The draft is server-side (and encrypted); going back shows the saved values.
    back = c.get(f"/layanan/{research_service.slug}/ajukan/1/")
    assert 'value="Siti Rahmawati"' in text(back)
    assert Draft.objects.get(user=province.citizen).data["answers"]["nik"] == NIK_WOMAN


def test_wilayah_choose_step_without_javascript(province, research_service):
    c = login(province.citizen)
    url = f"/layanan/{research_service.slug}/ajukan/1/"
    page = text(c.get(url))
    assert 'name="alamat__kecamatan"' in page and "disabled" in page
    chosen = c.post(url, {"nama": "Siti", "alamat__kabupaten_kota": "64.72", "_choose": "alamat"})
    assert chosen.status_code == 302
    page = text(c.get(chosen["Location"]))
    assert 'value="64.72.01"' in page  # kecamatan of Samarinda now offered
    assert 'value="Siti"' in page  # and what was typed is still there
    assert 'value="64.71.01"' not in page


def test_group_add_and_remove_without_javascript(province, research_service):
    c = login(province.citizen)
    url = f"/layanan/{research_service.slug}/ajukan/2/"
    c.post(f"/layanan/{research_service.slug}/ajukan/1/", applicant_page())
    response = c.post(url, {"ada_tim": "ya", "anggota__count": "1", "anggota__0__nama": "Ani", "_add": "anggota"})
    page = text(c.get(response["Location"].split("#")[0]))
    assert 'name="anggota__1__nama"' in page and 'value="Ani"' in page
    response = c.post(
        url,
        {
            "ada_tim": "ya",
            "anggota__count": "2",
            "anggota__0__nama": "Ani",
            "anggota__1__nama": "Budi",
            "_remove": "anggota__0",
        },
    )
    page = text(c.get(response["Location"].split("#")[0]))
    assert 'value="Budi"' in page and 'value="Ani"' not in page and 'name="anggota__1__nama"' not in page


def test_full_journey_with_files_receipt_case_and_revision(province, research_service):
    c = login(province.citizen)
    base = f"/layanan/{research_service.slug}/ajukan"
    assert c.post(f"{base}/1/", applicant_page()).status_code == 302
    page2 = {
        "judul": "Judul penelitian",
        "lembaga": "Universitas Mulawarman",
        "jenjang": "s2",
        "mulai": "2026-12-01",
        "selesai": "2027-03-01",
        "lokasi": "Samarinda",
        "ada_tim": "tidak",
    }
    assert c.post(f"{base}/2/", page2).status_code == 302
    # A file of the wrong type is refused, never stored, and the page asks to choose again.
    fake = pdf_upload("virus.pdf")
    fake.file.write(b"")
    wrong = c.post(f"{base}/3/", {"surat_pengantar": pdf_upload(), "proposal": _exe(), "ktp": pdf_upload("ktp.pdf")})
    assert wrong.status_code == 200 and "PDF" in text(wrong) and "lagi" in text(wrong)
    assert UploadedFile.objects.count() == 2  # only the good ones were kept
    assert "pengantar" in text(wrong) or "surat.pdf" in text(wrong)
    done = c.post(
        f"{base}/3/", {"surat_pengantar__keep": "1", "ktp__keep": "1", "proposal": pdf_upload("proposal.pdf")}
    )
    assert done.status_code == 302 and done["Location"].endswith("/periksa/")
    review = c.get(done["Location"])
    key = re.search(r'name="kunci" value="([0-9a-f]+)"', text(review)).group(1)
    sent = c.post(done["Location"], {"kunci": key})
    assert sent.status_code == 302 and "/tanda-terima/" in sent["Location"]
    receipt = text(c.get(sent["Location"]))
    assert re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", receipt)
    again = text(c.get(sent["Location"]))
    assert not re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", again)  # shown once
    application = Application.objects.get()
    assert application.files.count() == 3 and not Draft.objects.exists()
    # Officer requests a revision; the citizen answers it.
    application = drive(application, province.officer_dpmptsp, "mulai_verifikasi")
    from etam.eservices import services

    services.application_act(
        actor=province.officer_dpmptsp, application=application, action="minta_perbaikan", reason="Judul kurang jelas"
    )
    case = text(c.get(f"/permohonan/{application.tracking_number}/"))
    assert "Judul kurang jelas" in case and "/perbaikan/" in case
    revision_url = f"/permohonan/{application.tracking_number}/perbaikan/"
    form = text(c.get(revision_url))
    assert 'value="Siti Rahmawati"' in form
    data = {
        **applicant_page(),
        **page2,
        "judul": "Judul yang lebih jelas",
        "surat_pengantar__keep": "1",
        "proposal__keep": "1",
        "ktp__keep": "1",
        "pesan": "Sudah diperbaiki",
    }
    response = c.post(revision_url, data)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == "verifikasi" and application.all_answers()["judul"] == "Judul yang lebih jelas"


def _exe():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("proposal.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100, content_type="application/pdf")


def test_double_submit_creates_one_case(province, info_service):
    from etam.eservices import services

    c = login(province.citizen)
    draft = services.draft_for(actor=province.citizen, service=info_service)
    from tests.eservices.conftest import info_answers

    services.draft_save(actor=province.citizen, draft=draft, answers=info_answers(), page=1)
    url = f"/layanan/{info_service.slug}/ajukan/periksa/"
    first = c.post(url, {"kunci": "abc123"})
    assert first.status_code == 302
    draft = services.draft_for(actor=province.citizen, service=info_service)
    services.draft_save(actor=province.citizen, draft=draft, answers=info_answers(), page=1)
    second = c.post(url, {"kunci": "abc123"})  # the same form sent twice
    assert second["Location"] == first["Location"]
    assert Application.objects.count() == 1


def test_other_citizens_and_other_opds_cannot_see_cases_or_files(province, submitted, case_file):
    number = submitted.application.tracking_number
    upload = case_file
    before = AuditEvent.objects.count()
    for user in (province.other_citizen, province.officer_dpmptsp_smr, province.admin_diskominfo):
        c = login(user)
        for url in (
            f"/permohonan/{number}/",
            f"/permohonan/{number}/perbaikan/",
            f"/permohonan/{number}/tanda-terima/",
            f"/permohonan/{number}/berkas/{upload.pk}/",
        ):
            assert c.get(url).status_code == 404, (user, url)
        assert c.post(f"/permohonan/{number}/tanda-terima/").status_code == 404
        staff = c.get(f"/staf/layanan/permohonan/{number}/")
        assert staff.status_code in (403, 404)
        post = c.post(f"/staf/layanan/permohonan/{number}/", {"apa": "tindakan", "tindakan": "mulai_verifikasi"})
        assert post.status_code in (403, 404)
    application = Application.objects.get()
    assert application.state == "diajukan" and AuditEvent.objects.count() == before


def test_anonymous_status_lookup_needs_the_secret(client, submitted):
    number = submitted.application.tracking_number
    wrong = client.post("/lacak/", {"nomor": number, "kode": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 200 and "Diajukan" not in text(wrong)
    unknown = client.post("/lacak/", {"nomor": "64-X-2026-000001", "kode": "AAAA-BBBB-CCCC"})
    assert text(unknown).count("errorlist") == text(wrong).count("errorlist")  # same answer: no hint
    right = client.post("/lacak/", {"nomor": number, "kode": submitted.receipt_secret.lower().replace("-", "")})
    assert "Diajukan" in text(right) and number in text(right)
    assert "Siti" not in text(right)  # no personal data on the anonymous page


def test_officer_inbox_overdue_first_and_actions(province, info_service, django_assert_max_num_queries):
    import datetime as dt

    from etam.eservices import services
    from tests.eservices.conftest import info_answers

    late = services.application_submit(actor=province.citizen, service=info_service, answers=info_answers()).application
    fresh = services.application_submit(
        actor=province.other_citizen, service=info_service, answers=info_answers()
    ).application
    Application.objects.filter(pk=late.pk).update(due_date=dt.date(2026, 1, 5))
    c = login(province.officer_dpmptsp)
    c.get("/staf/layanan/kotak-masuk/")
    with django_assert_max_num_queries(14):
        page = text(c.get("/staf/layanan/kotak-masuk/"))
    assert page.index(late.tracking_number) < page.index(fresh.tracking_number)
    assert "terlambat" in page or "overdue" in page
    assert late.tracking_number not in text(login(province.officer_dpmptsp_smr).get("/staf/layanan/kotak-masuk/"))
    case_url = f"/staf/layanan/permohonan/{fresh.tracking_number}/"
    assert "Mulai verifikasi" in text(c.get(case_url))
    response = c.post(case_url, {"apa": "tindakan", "tindakan": "mulai_verifikasi"})
    assert response.status_code == 302
    response = c.post(case_url, {"apa": "tindakan", "tindakan": "tolak", "alasan": ""})
    assert response.status_code == 200 and "Alasan" in text(response)
    fresh.refresh_from_db()
    assert fresh.state == "verifikasi"
    c.post(case_url, {"apa": "catatan", "catatan": "Periksa KTP asli"})
    assert "Periksa KTP asli" in text(c.get(case_url))
    assert "Periksa KTP asli" not in text(login(province.citizen).get(f"/permohonan/{fresh.tracking_number}/"))


def test_staff_service_management_pages(province, info_service):
    import json

    admin = login(province.admin_dpmptsp)
    assert info_service.name in text(admin.get("/staf/layanan/kelola/"))
    assert admin.get(f"/staf/layanan/kelola/{info_service.pk}/").status_code == 200
    export = admin.get(f"/staf/layanan/kelola/{info_service.pk}/ekspor.json").json()
    assert export["format"] == "etam.service-definition/1"
    bad_version = admin.post(
        f"/staf/layanan/kelola/{info_service.pk}/versi/baru/",
        {
            "form": json.dumps({"pages": []}),
            "workflow": json.dumps(export["workflow"]),
            "document_template": json.dumps(export["document_template"]),
        },
    )
    assert bad_version.status_code == 200 and "pages" in text(bad_version)
    other = login(province.admin_diskominfo)
    assert other.get(f"/staf/layanan/kelola/{info_service.pk}/").status_code == 404
    assert login(province.citizen).get("/staf/layanan/kelola/").status_code == 403


def test_statistics_dashboard_and_public_average(province, submitted, client):
    from etam.eservices import services

    application = drive(submitted.application, province.officer_dpmptsp, "mulai_verifikasi", "verifikasi_lengkap")
    services.application_act(actor=province.admin_dpmptsp, application=application, action="setujui")
    page = text(login(province.admin_dpmptsp).get("/staf/layanan/statistik/"))
    assert "<svg" in page and submitted.application.service.name in page
    with translation.override("id"):
        detail = text(client.get(f"/layanan/{submitted.application.service.slug}/"))
    assert "0 hari kerja" in detail or "0.0" in detail or "0,0" in detail
    assert login(province.citizen).get("/staf/layanan/statistik/").status_code == 403
