import base64
import threading

import pytest
from django.db import connection
from django.test import Client

from etam.core.models import AuditEvent
from etam.eservices.models import Application
from tests.eservices.conftest import info_answers, publish
from tests.helpers import client_for, run_threads

pytestmark = pytest.mark.django_db

API = "/api/v1"


def post_json(client, url, body, **headers):
    return client.post(url, body, content_type="application/json", **headers)


def test_catalogue_is_public_and_searchable(client, info_service, research_service, django_assert_num_queries):
    with django_assert_num_queries(2):
        response = client.get(f"{API}/services")
    assert response.status_code == 200
    assert response.json()["count"] == 2
    response = client.get(f"{API}/services", {"q": "penelitian"})
    names = [s["name"] for s in response.json()["results"]]
    assert names == ["Izin Penelitian"]
    response = client.get(f"{API}/services", {"sector": "komunikasi_informasi"})
    assert [s["id"] for s in response.json()["results"]] == [info_service.pk]
    detail = client.get(f"{API}/services/{research_service.pk}").json()
    assert detail["form"]["pages"][0]["id"] == "pemohon" and "diajukan" in detail["states"]
    assert client.get(f"{API}/services/999999").status_code == 404


def test_submit_and_read_back(province, info_service):
    citizen = client_for(province.citizen)
    response = post_json(citizen, f"{API}/applications", {"service": info_service.pk, "answers": info_answers()})
    assert response.status_code == 201, response.content
    body = response.json()
    number = body["tracking_number"]
    assert body["state"] == "diajukan" and body["receipt_secret"]
    listing = citizen.get(f"{API}/applications").json()
    assert [a["tracking_number"] for a in listing["results"]] == [number]
    detail = citizen.get(f"{API}/applications/{number}").json()
    assert detail["answers"]["nik"] == info_answers()["nik"] and detail["allowed_actions"] == []


def test_invalid_answers_give_422_with_field_paths(province, research_service):
    citizen = client_for(province.citizen)
    answers = {
        "nama": "A" * 151,
        "nik": "1234",
        "telepon": "0812",
        "alamat": {"kabupaten_kota": "64.72", "kecamatan": "64.71.01"},
        "ada_tim": True,
        "anggota": [{"nama": ""}],
        "surat_pengantar": {"name": "virus.pdf", "content_base64": base64.b64encode(b"MZ...").decode()},
        "tidak_dikenal": 1,
    }
    response = post_json(citizen, f"{API}/applications", {"service": research_service.pk, "answers": answers})
    assert response.status_code == 422
    paths = {f["path"]: f["message"] for f in response.json()["error"]["fields"]}
    for path in (
        "body.answers.nama",
        "body.answers.nik",
        "body.answers.telepon",
        "body.answers.alamat",
        "body.answers.anggota",
        "body.answers.surat_pengantar",
        "body.answers.tidak_dikenal",
        "body.answers.judul",
    ):
        assert path in paths, (path, paths)
    assert Application.objects.count() == 0
    response = post_json(citizen, f"{API}/applications", {"service": "x", "answers": {}})
    assert response.status_code == 422 and response.json()["error"]["fields"][0]["path"] == "body.service"


def test_files_by_content_via_api(province, research_service):
    from tests.eservices.conftest import NIK_WOMAN, address

    pdf = base64.b64encode(b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF").decode()
    answers = {
        "nama": "Siti",
        "nik": NIK_WOMAN,
        "telepon": "081234567890",
        "alamat": address(),
        "judul": "Judul",
        "lembaga": "Unmul",
        "jenjang": "s2",
        "mulai": "2026-12-01",
        "selesai": "2027-02-01",
        "lokasi": "Samarinda",
        "ada_tim": False,
        "surat_pengantar": {"name": "pengantar.pdf", "content_base64": pdf},
        "proposal": {"name": "proposal.pdf", "content_base64": pdf},
        "ktp": {"name": "ktp.pdf", "content_base64": pdf},
    }
    citizen = client_for(province.citizen)
    response = post_json(citizen, f"{API}/applications", {"service": research_service.pk, "answers": answers})
    assert response.status_code == 201, response.content
    application = Application.objects.get()
    assert application.files.count() == 3


def test_idempotency_key_replay(province, info_service):
    citizen = client_for(province.citizen)
    body = {"service": info_service.pk, "answers": info_answers()}
    first = post_json(citizen, f"{API}/applications", body, HTTP_IDEMPOTENCY_KEY="k-1")
    second = post_json(citizen, f"{API}/applications", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json() and second["Idempotent-Replayed"] == "true"
    assert Application.objects.count() == 1
    changed = post_json(
        citizen, f"{API}/applications", {**body, "answers": info_answers(tujuan="lain")}, HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert changed.status_code == 422 and changed.json()["error"]["code"] == "idempotency_key_reused"


def test_other_peoples_cases_are_404_and_unchanged(province, submitted):
    number = submitted.application.tracking_number
    before = (Application.objects.get().state, AuditEvent.objects.count())
    for user in (province.other_citizen, province.officer_dpmptsp_smr, province.admin_diskominfo):
        c = client_for(user)
        assert c.get(f"{API}/applications/{number}").status_code == 404
        response = post_json(c, f"{API}/applications/{number}/actions", {"action": "mulai_verifikasi"})
        assert response.status_code == 404
        assert number not in c.get(f"{API}/applications").content.decode()
    assert (Application.objects.get().state, AuditEvent.objects.count()) == before
    anonymous = Client()
    assert anonymous.get(f"{API}/applications/{number}").status_code == 401


def test_officer_actions_via_api(province, submitted):
    number = submitted.application.tracking_number
    officer = client_for(province.officer_dpmptsp)
    response = post_json(officer, f"{API}/applications/{number}/actions", {"action": "setujui"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "action_not_allowed"
    response = post_json(officer, f"{API}/applications/{number}/actions", {"action": "mulai_verifikasi"})
    assert response.status_code == 200 and response.json()["state"] == "verifikasi"
    assert "minta_perbaikan" in response.json()["allowed_actions"]
    response = post_json(officer, f"{API}/applications/{number}/actions", {"action": "minta_perbaikan"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["path"] == "body.reason"
    citizen = client_for(province.citizen)
    before = Application.objects.get().state
    response = post_json(citizen, f"{API}/applications/{number}/actions", {"action": "verifikasi_lengkap"})
    assert response.status_code == 403 and Application.objects.get().state == before


def test_list_queries_are_pinned(province, info_service, django_assert_num_queries):
    from etam.eservices import services

    for _ in range(3):
        services.application_submit(actor=province.citizen, service=info_service, answers=info_answers())
    citizen = client_for(province.citizen)
    citizen.get(f"{API}/applications")  # warm the session
    with django_assert_num_queries(4):  # session, user, page (with document), count
        response = citizen.get(f"{API}/applications")
    assert response.json()["count"] == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_submissions_create_one_case(province):
    """Threads sending the same Idempotency-Key at once: exactly one case (PostgreSQL:
    real concurrent transactions)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's shared-cache test database cannot run concurrent writers")
    from etam.eservices import demo_definitions

    definition = demo_definitions.informasi_publik()
    service = publish(province.admin_dpmptsp, province.dpmptsp, definition)
    body = {"service": service.pk, "answers": info_answers()}
    results = []
    barrier = threading.Barrier(6)
    clients = [client_for(province.citizen) for _ in range(6)]

    def send(i):
        try:
            barrier.wait(timeout=10)
            response = post_json(clients[i], f"{API}/applications", body, HTTP_IDEMPOTENCY_KEY="same-key")
            results.append((response.status_code, response.json().get("tracking_number")))
        finally:
            connection.close()

    run_threads(send, len(clients), timeout=60, indexed=True)
    assert len(results) == 6
    assert {status for status, _n in results} == {201}
    assert len({number for _s, number in results}) == 1
    assert Application.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_numbers(province):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency of numbering is meaningful on PostgreSQL")
    from etam.eservices import demo_definitions

    service = publish(province.admin_dpmptsp, province.dpmptsp, demo_definitions.informasi_publik())
    numbers = []
    barrier = threading.Barrier(8)
    clients = [client_for(province.citizen) for _ in range(8)]

    def send(i):
        c = clients[i]
        try:
            barrier.wait(timeout=10)
            response = post_json(
                c,
                f"{API}/applications",
                {"service": service.pk, "answers": info_answers()},
                HTTP_IDEMPOTENCY_KEY=f"k{i}",
            )
            numbers.append(response.json()["tracking_number"])
        finally:
            connection.close()

    run_threads(send, len(clients), timeout=60, indexed=True)
    assert len(numbers) == 8 and len(set(numbers)) == 8
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, 9))


def test_verify_endpoint_needs_input(client):
    response = post_json(client, f"{API}/documents/verify", {})
    assert response.status_code == 422
