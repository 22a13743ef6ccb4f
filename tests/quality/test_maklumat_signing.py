"""The OPD's maklumat pelayanan signed by its penandatangan through the signing seam (ADR 0139)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from etam.core.models import AuditEvent
from etam.eservices.signing import ltv, signer
from etam.quality import services
from etam.quality.models import ServiceCharter
from tests.conftest import OFFICIAL_NIK, OFFICIAL_PASSPHRASE, make_signatory
from tests.factories import grant
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

PLEDGE = "Dengan ini kami menyatakan sanggup menyelenggarakan pelayanan sesuai standar pelayanan."


@pytest.fixture
def charter(province):
    return services.charter_save(actor=province.admin_dpmptsp, agency=province.dpmptsp, text=PLEDGE)


@pytest.fixture
def official(province):
    """The DPMPTSP admin, its penandatangan in the quality tests (``tests/eservices/conftest.py``),
    enrolled at the local demo signing service."""
    signer.get_signer().pki.enrol(nik=OFFICIAL_NIK, name="Admin DPMPTSP", passphrase=OFFICIAL_PASSPHRASE)
    return province.admin_dpmptsp


def test_the_signatory_signs_and_the_signed_pdf_verifies(client, province, info_service, charter, official):
    signed = services.charter_sign(actor=official, charter=charter, passphrase=OFFICIAL_PASSPHRASE)
    assert signed.signed_by == official and signed.signed_at is not None and signed.signed_pdf
    assert "Kepala Dinas Penanaman Modal" in signed.signer_label
    assert AuditEvent.objects.filter(action="quality.charter_sign").count() == 1
    body = signed.signed_pdf.open("rb").read()
    result = ltv.validate(body, signer.get_signer().trust_roots())
    assert result.ok and result.has_dss and result.has_timestamp and result.signer_name == "Admin DPMPTSP"
    # Public: the standard page names the signer and offers the signed file.
    page = client.get(f"/standar-pelayanan/{info_service.slug}/").content.decode()
    assert "Ditandatangani secara elektronik oleh Admin DPMPTSP" in page and "maklumat.pdf" in page
    download = client.get(f"/standar-pelayanan/{info_service.slug}/maklumat.pdf")
    assert download.status_code == 200 and download.content == body
    assert download["Content-Type"] == "application/pdf"


def test_signing_from_the_staff_page(province, charter, official):
    page = client_for(official)
    assert PLEDGE in page.get("/staf/kualitas/maklumat/").content.decode()
    wrong = page.post("/staf/kualitas/maklumat/", {"charter": charter.pk, "passphrase": "salah"})
    assert wrong.status_code == 422 and "passphrase salah" in wrong.content.decode()
    assert page.post("/staf/kualitas/maklumat/", {"charter": charter.pk, "passphrase": ""}).status_code == 422
    done = page.post("/staf/kualitas/maklumat/", {"charter": charter.pk, "passphrase": OFFICIAL_PASSPHRASE})
    assert done.status_code == 302
    charter.refresh_from_db()
    assert charter.signed_at is not None


def test_a_wrong_passphrase_names_the_field_and_changes_nothing(province, charter, official):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.charter_sign(actor=official, charter=charter, passphrase="bukan-frasa-sandinya")
    assert list(refused.value.message_dict) == ["passphrase"]
    charter.refresh_from_db()
    assert not charter.signed_pdf and charter.signed_at is None and charter.signed_by is None
    assert AuditEvent.objects.count() == before


def test_service_down_is_a_clear_message_and_changes_nothing(province, charter, official, settings):
    settings.ESERVICES_SIGNER = "remote"
    settings.ESERVICES_SIGNING_URL = "http://127.0.0.1:9"  # nothing listens there
    settings.ESERVICES_SIGNING_ATTEMPTS = 1
    signer.reset()
    before = AuditEvent.objects.count()
    with pytest.raises(services.CharterSigningUnavailable):
        services.charter_sign(actor=official, charter=charter, passphrase=OFFICIAL_PASSPHRASE)
    answer = client_for(official).post("/staf/kualitas/maklumat/", {"charter": charter.pk, "passphrase": "x"})
    assert answer.status_code == 503 and "tidak dapat dihubungi" in answer.content.decode()
    charter.refresh_from_db()
    assert not charter.signed_pdf and charter.signed_at is None
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("who", ["officer_dpmptsp", "admin_diskominfo", "admin_kaltim", "citizen", "unenrolled"])
def test_the_wrong_user_is_refused_and_nothing_changes(province, charter, official, who):
    if who == "admin_diskominfo":  # a penandatangan, but of another OPD
        actor = province.admin_diskominfo
        make_signatory(actor, province.diskominfo)
    elif who == "unenrolled":  # penandatangan grant without a signing identity
        actor = province.officer_dpmptsp
        grant(actor, "penandatangan", province.dpmptsp)
    else:
        actor = getattr(province, who)
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.charter_sign(actor=actor, charter=charter, passphrase=OFFICIAL_PASSPHRASE)
    charter.refresh_from_db()
    assert not charter.signed_pdf and charter.signed_at is None and charter.signed_by is None
    assert AuditEvent.objects.count() == before
    answer = client_for(actor).post("/staf/kualitas/maklumat/", {"charter": charter.pk, "passphrase": "x"})
    assert answer.status_code in (403, 404)
    assert AuditEvent.objects.count() == before


def test_a_new_pledge_text_drops_the_old_signature(province, info_service, charter, official, client):
    services.charter_sign(actor=official, charter=charter, passphrase=OFFICIAL_PASSPHRASE)
    changed = services.charter_save(actor=province.admin_dpmptsp, agency=province.dpmptsp, text=PLEDGE + " Revisi.")
    assert not changed.signed_pdf and changed.signed_at is None and changed.signed_by is None
    assert client.get(f"/standar-pelayanan/{info_service.slug}/maklumat.pdf").status_code == 404
    assert ServiceCharter.objects.get().text.endswith("Revisi.")
