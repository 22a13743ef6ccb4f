"""Staff pages of signing: approve with the passphrase, preview, the "to sign" list; who
may see and use them (each refusal changes nothing)."""

import pytest
from django.test import Client

from etam.eservices import services
from etam.eservices.models import IssuedDocument
from tests.conftest import OFFICIAL_PASSPHRASE
from tests.eservices.conftest import drive, enrol_official, info_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting_case(province, info_service):
    submission = services.application_submit(actor=province.citizen, service=info_service, answers=info_answers())
    return drive(submission.application, province.officer_dpmptsp, "mulai_verifikasi", "verifikasi_lengkap")


def client_for(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(user)
    return client


def case_url(application):
    return f"/staf/layanan/permohonan/{application.tracking_number}/"


def test_the_approver_sees_the_passphrase_field_and_the_preview(province, waiting_case):
    page = client_for(province.admin_dpmptsp).get(case_url(waiting_case)).content.decode()
    assert 'name="passphrase"' in page and "pratinjau.pdf" in page
    officer_page = client_for(province.officer_dpmptsp).get(case_url(waiting_case)).content.decode()
    assert 'name="passphrase"' not in officer_page
    preview = client_for(province.admin_dpmptsp).get(case_url(waiting_case) + "pratinjau.pdf")
    assert preview.status_code == 200 and preview.content.startswith(b"%PDF")
    assert b"/Sig" not in preview.content  # a preview is not signed
    assert client_for(province.officer_dpmptsp).get(case_url(waiting_case) + "pratinjau.pdf").status_code == 403
    assert not IssuedDocument.objects.exists()


def test_wrong_passphrase_on_the_page_names_the_field_and_changes_nothing(province, waiting_case):
    enrol_official()
    response = client_for(province.admin_dpmptsp).post(
        case_url(waiting_case), {"apa": "tindakan", "tindakan": "setujui", "passphrase": "keliru"}
    )
    page = response.content.decode()
    assert (
        response.status_code == 200
        and "Passphrase: layanan tanda tangan elektronik menyatakan passphrase salah" in page
    )
    assert 'href="#f-passphrase"' in page and 'aria-invalid="true"' in page
    waiting_case.refresh_from_db()
    assert waiting_case.state == "persetujuan" and not IssuedDocument.objects.exists()
    assert "keliru" not in page  # the typed passphrase is not echoed back


def test_approve_and_sign_on_the_page(province, waiting_case):
    enrol_official()
    response = client_for(province.admin_dpmptsp).post(
        case_url(waiting_case), {"apa": "tindakan", "tindakan": "setujui", "passphrase": OFFICIAL_PASSPHRASE}
    )
    assert response.status_code == 302
    assert IssuedDocument.objects.get(application=waiting_case).status == IssuedDocument.Status.ISSUED


def test_the_to_sign_list_signs_several_and_refuses_others(province, info_service, waiting_case):
    enrol_official()
    client = client_for(province.admin_dpmptsp)
    client.post(case_url(waiting_case), {"apa": "tindakan", "tindakan": "setujui"})
    document = IssuedDocument.objects.get(application=waiting_case)
    assert document.status == IssuedDocument.Status.TO_SIGN
    page = client.get("/staf/layanan/tanda-tangan/").content.decode()
    assert document.number in page and 'style="' not in page and "<script>" not in page
    # Someone without the penandatangan grant: refused, nothing signed.
    assert client_for(province.officer_dpmptsp).get("/staf/layanan/tanda-tangan/").status_code == 403
    response = client_for(province.officer_dpmptsp).post(
        "/staf/layanan/tanda-tangan/", {"dokumen": [document.pk], "passphrase": OFFICIAL_PASSPHRASE}
    )
    assert response.status_code == 403
    document.refresh_from_db()
    assert document.status == IssuedDocument.Status.TO_SIGN
    response = client.post("/staf/layanan/tanda-tangan/", {"dokumen": [document.pk], "passphrase": OFFICIAL_PASSPHRASE})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == IssuedDocument.Status.ISSUED
