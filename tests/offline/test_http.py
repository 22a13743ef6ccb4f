import hashlib
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client

from etam.core.models import AuditEvent
from etam.eservices.models import Application
from etam.offline.models import AssistedSubmission, Bundle
from tests.helpers import client_for, run_threads
from tests.offline.conftest import NIK, Device, assisted_info, bundle_item, intake, pairs, pdf_bytes

API = "/api/v1/offline"


def post_item(client, service, key, **extra):
    body = {"service": service.pk, "version": service.published_version.number, "fields": pairs(), **extra}
    return client.post(f"{API}/applications", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_session_tells_who_and_gives_a_csrf_token(client, province):
    body = client.get(f"{API}/session").json()
    assert body["user"] is None and body["csrf_token"]
    officer = client_for(province.officer_dpmptsp).get(f"{API}/session").json()
    assert officer["user"] == province.officer_dpmptsp.pk and officer["assisted_entry"] is True
    citizen = client_for(province.citizen).get(f"{API}/session").json()
    assert citizen["assisted_entry"] is False and citizen["import_bundles"] is False


@pytest.mark.django_db
def test_item_created_then_replayed(province, service):
    client = client_for(province.citizen)
    key = str(uuid.uuid4())
    first = post_item(client, service, key)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["tracking_number"] and body["receipt_secret"] and body["version"] == 1
    second = post_item(client, service, key)
    assert second.status_code == 200 and second["Idempotent-Replayed"] == "true"
    assert second.json()["tracking_number"] == body["tracking_number"]
    assert Application.objects.count() == 1


@pytest.mark.django_db
def test_item_errors_have_field_paths(province, service):
    client = client_for(province.citizen)
    body = {"service": service.pk, "version": 1, "fields": pairs(nik="12")}
    response = client.post(
        f"{API}/applications", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert response.status_code == 422
    paths = [f["path"] for f in response.json()["error"]["fields"]]
    assert "body.fields.nik" in paths
    missing_key = client.post(f"{API}/applications", body, content_type="application/json")
    assert missing_key.status_code == 422
    assert Application.objects.count() == 0


@pytest.mark.django_db
def test_item_needs_sign_in(client, service):
    response = post_item(client, service, str(uuid.uuid4()))
    assert response.status_code == 401
    assert Application.objects.count() == 0


@pytest.mark.django_db
def test_assisted_item_by_citizen_is_forbidden_and_nothing_changes(province, service):
    audits = AuditEvent.objects.count()
    response = post_item(client_for(province.citizen), service, str(uuid.uuid4()), assisted=assisted_info())
    assert response.status_code == 403
    assert Application.objects.count() == 0 and AssistedSubmission.objects.count() == 0
    assert AuditEvent.objects.count() == audits


@pytest.mark.django_db
def test_resumable_upload_over_http(province, service):
    client = client_for(province.citizen)
    content = pdf_bytes(700_000)
    start = client.post(
        f"{API}/uploads",
        {
            "key": "k-123456.lampiran",
            "service": service.pk,
            "field": "lampiran",
            "name": "a.pdf",
            "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
        },
        content_type="application/json",
    )
    assert start.status_code == 200 and start.json()["received"] == 0
    first = client.put(f"{API}/uploads/k-123456.lampiran?offset=0", content[:400_000], "application/octet-stream")
    assert first.json()["received"] == 400_000
    gap = client.put(f"{API}/uploads/k-123456.lampiran?offset=500000", content[500_000:], "application/octet-stream")
    assert gap.status_code == 409
    assert client.get(f"{API}/uploads/k-123456.lampiran").json()["received"] == 400_000
    done = client.put(f"{API}/uploads/k-123456.lampiran?offset=400000", content[400_000:], "application/octet-stream")
    assert done.json()["complete"] is True
    response = post_item(client, service, str(uuid.uuid4()), files={"lampiran": "k-123456.lampiran"})
    assert response.status_code == 201, response.content
    other = client_for(province.other_citizen).get(f"{API}/uploads/k-123456.lampiran")
    assert other.status_code == 404


@pytest.mark.django_db
def test_assisted_list_is_own_and_pinned(province, service, django_assert_num_queries):
    for _ in range(3):
        intake(province.officer_dpmptsp, service, assisted=assisted_info())
    intake(province.admin_dpmptsp, service, assisted=assisted_info(citizen_name="Lain"))
    client = client_for(province.officer_dpmptsp)
    client.get(f"{API}/session")
    with django_assert_num_queries(5):  # session, user, grants, list, count
        response = client.get(f"{API}/assisted")
    assert response.json()["count"] == 3
    assert {r["citizen_name"] for r in response.json()["results"]} == {"Abdul Rahman"}
    assert client_for(province.citizen).get(f"{API}/assisted").status_code == 403


# ---------------------------------------------------------------- pages


@pytest.mark.django_db
def test_service_worker_and_manifest(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert "__VERSION__" not in body and "/static/offline/outbox.js" in body
    manifest = client.get("/manifest.webmanifest").json()
    assert manifest["start_url"] == "/layanan/" and manifest["lang"] == "id"
    tree = client.get("/luring/wilayah.json").json()
    assert "64.72" in tree and "64.72.01" in tree["64.72"][1]


@pytest.mark.django_db
def test_outbox_page_and_script_on_every_page(client):
    response = client.get("/kotak-keluar/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-outbox-list" in html and 'src="/static/offline/outbox.js" defer' in html


@pytest.mark.django_db
def test_offline_form_without_javascript(province, service):
    anonymous = Client().get(f"/luring/layanan/{service.slug}/")
    assert anonymous.status_code == 302
    client = client_for(province.citizen)
    page = client.get(f"/luring/layanan/{service.slug}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "data-offline-form" in html and 'name="nik"' in html and 'name="_key"' in html
    key = str(uuid.uuid4())
    bad = client.post(f"/luring/layanan/{service.slug}/", {**dict(pairs(nik="99")), "_key": key, "_version": "1"})
    assert bad.status_code == 422
    assert "Siti Rahmawati" in bad.content.decode()  # typed values kept
    assert Application.objects.count() == 0
    good = client.post(f"/luring/layanan/{service.slug}/", {**dict(pairs()), "_key": key, "_version": "1"})
    assert good.status_code == 302
    number = Application.objects.get().tracking_number
    assert good["Location"].endswith(f"/permohonan/{number}/tanda-terima/")
    # pressing Send twice (same page, same key) makes one case
    client.post(f"/luring/layanan/{service.slug}/", {**dict(pairs()), "_key": key, "_version": "1"})
    assert Application.objects.count() == 1


@pytest.mark.django_db
def test_assisted_pages_forbidden_for_citizen_nothing_changes(province, service):
    citizen = client_for(province.citizen)
    assert citizen.get("/staf/petugas/").status_code == 403
    response = citizen.post(
        f"/staf/petugas/layanan/{service.slug}/",
        {**dict(pairs()), "_key": str(uuid.uuid4()), "_warga_nama": "A", "_warga_nik": NIK, "_persetujuan": "1"},
    )
    assert response.status_code == 403
    assert Application.objects.count() == 0


@pytest.mark.django_db
def test_assisted_entry_without_javascript_many_in_a_row(province, service, django_assert_max_num_queries):
    officer = client_for(province.officer_dpmptsp)
    for name in ("Abdul", "Budi"):
        response = officer.post(
            f"/staf/petugas/layanan/{service.slug}/",
            {
                **dict(pairs(nama=name)),
                "_key": str(uuid.uuid4()),
                "_warga_nama": name,
                "_warga_telepon": "081298765432",
                "_persetujuan": "1",
            },
        )
        assert response.status_code == 302
    no_consent = officer.post(
        f"/staf/petugas/layanan/{service.slug}/",
        {**dict(pairs()), "_key": str(uuid.uuid4()), "_warga_nama": "Cici", "_warga_telepon": "081298765432"},
    )
    assert no_consent.status_code == 422 and "Cici" in no_consent.content.decode()
    assert AssistedSubmission.objects.filter(channel="daring").count() == 2
    with django_assert_max_num_queries(12):
        page = officer.get("/staf/petugas/")
    assert page.status_code == 200 and "Budi" in page.content.decode()


@pytest.mark.django_db
def test_bundle_page_imports_and_reports(province, service):
    device = Device(province.officer_dpmptsp)
    raw = device.bundle([bundle_item(service, name="Abdul"), bundle_item(service, name="Budi")])
    admin = client_for(province.admin_dpmptsp)
    from django.core.files.uploadedfile import SimpleUploadedFile

    first = admin.post("/staf/bundel/", {"bundel": SimpleUploadedFile("b.etam", raw)})
    assert first.status_code == 200
    assert first.content.decode().count('data-status="diterima"') == 2
    second = admin.post("/staf/bundel/", {"bundel": SimpleUploadedFile("b.etam", raw)})
    assert second.content.decode().count('data-status="sudah_ada"') == 2
    tampered = bytearray(raw)
    tampered[len(raw) // 2] ^= 1
    bad = admin.post("/staf/bundel/", {"bundel": SimpleUploadedFile("b.etam", bytes(tampered))})
    assert bad.status_code == 422
    assert Application.objects.count() == 2 and Bundle.objects.count() == 1
    citizen = client_for(province.citizen)
    assert citizen.post("/staf/bundel/", {"bundel": SimpleUploadedFile("b.etam", raw)}).status_code == 403


# ---------------------------------------------------------------- concurrency


@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_of_one_item_make_one_case(province, service):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (SQLite serialises writers)")
    key = str(uuid.uuid4())
    results, errors = [], []
    barrier = threading.Barrier(8)

    def send() -> None:
        try:
            barrier.wait()
            results.append(intake(province.citizen, service, key=key).application.tracking_number)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    run_threads(send, 8)
    assert not errors, errors
    assert len(set(results)) == 1 and len(results) == 8
    assert Application.objects.filter(idempotency_key=key).count() == 1


def test_javascript_budget():
    """Our JavaScript (page + service worker) stays far inside the 20 KB compressed budget."""
    import gzip
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "etam" / "offline" / "static" / "offline"
    total = sum(len(gzip.compress((folder / name).read_bytes(), 9)) for name in ("outbox.js", "sw.js"))
    assert total <= 20 * 1024, total


@pytest.mark.django_db
def test_pages_speak_indonesian(client):
    html = client.get("/kotak-keluar/").content.decode()
    assert "Kotak keluar di perangkat ini" in html and "tersimpan di perangkat ini" in html


@pytest.mark.django_db
def test_staff_menu_entries_speak_indonesian(province):
    html = client_for(province.officer_dpmptsp).get("/staf/").content.decode()
    assert "Mode petugas (entri terbantu)" in html and "Impor bundel" in html
    assert "Assisted entry" not in html and "Import a bundle" not in html
    assert "/staf/petugas/" in html and "/staf/bundel/" in html


@pytest.mark.django_db
def test_staff_menu_hides_offline_entries_without_the_role(province):
    response = client_for(province.producer_diskominfo).get("/staf/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/staf/petugas/" not in html and "/staf/bundel/" not in html
