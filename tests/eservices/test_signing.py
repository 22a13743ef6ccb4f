"""Per-official signing through the signing service (the fake BSrE hub over HTTP, and the
local demo signer): wrong passphrase, service down, revoked certificate, unknown NIK,
batch signing, who may sign, B-LT, and that the passphrase leaks nowhere."""

import datetime as dt
import logging
import os
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

import etam
from etam.core.models import SigningIdentity
from etam.eservices import documents, services
from etam.eservices.models import Application, IssuedDocument
from etam.eservices.signing import fakebsre, ltv, pki, signer
from tests.conftest import OFFICIAL_NIK, OFFICIAL_PASSPHRASE
from tests.eservices.conftest import drive, enrol_official, info_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub(tmp_path, settings):
    """The fake BSrE hub on a real socket; Etam configured to sign remotely through it."""
    running = fakebsre.Running(tmp_path / "hub")
    root = tmp_path / "hub-root.pem"
    root.write_bytes(running.app.pki.root_pem)
    settings.ESERVICES_SIGNER = "remote"
    settings.ESERVICES_SIGNING_URL = running.url
    settings.ESERVICES_SIGNING_TRUST_ROOT = str(root)
    settings.ESERVICES_SIGNING_ATTEMPTS = 2
    settings.ESERVICES_SIGNING_TIMEOUT = 5
    settings.ESERVICES_TSA_URL = ""
    signer.reset()
    enrol_official(running.app.pki)
    yield running
    running.stop()


def message(code):
    return services.signing_error_message(signer.SigningRefused(code))


def ready_for_approval(province, info_service, nik_suffix=0):
    answers = info_answers()
    submission = services.application_submit(actor=province.citizen, service=info_service, answers=answers)
    return drive(submission.application, province.officer_dpmptsp, "mulai_verifikasi", "verifikasi_lengkap")


def approve(province, application, passphrase=OFFICIAL_PASSPHRASE):
    return services.application_act(
        actor=province.admin_dpmptsp, application=application, action="setujui", passphrase=passphrase
    )


def test_remote_signing_gives_b_lt_that_validates_in_ltv_mode(province, info_service, hub):
    application = approve(province, ready_for_approval(province, info_service))
    document = IssuedDocument.objects.get(application=application)
    assert document.status == IssuedDocument.Status.ISSUED and not application.signing_deferred
    assert "POST /api/sign/pdf" in hub.app.calls and "POST /tsa" in hub.app.calls  # Etam's document timestamp
    pdf = document.file.read()
    result = ltv.validate(pdf, [hub.app.pki.root_pem])
    assert result.ok and result.has_dss and result.has_timestamp and result.timestamped
    assert result.signer_name == "Admin DPMPTSP" and result.signed_at is not None
    # Long-term: three years on, after the official's two-year certificate has expired,
    # the embedded validation data still prove the signature.
    later = ltv.validate(pdf, [hub.app.pki.root_pem], moment=dt.datetime.now(dt.UTC) + dt.timedelta(days=3 * 365))
    assert later.ok
    assert document.signer_nip == "198001012005011001" and document.certificate_serial


def test_wrong_passphrase_refuses_and_nothing_changes(province, info_service, hub):
    application = ready_for_approval(province, info_service)
    with pytest.raises(services.ApplicationRefused) as refused:
        approve(province, application, passphrase="salah-sekali")
    assert refused.value.errors == {"passphrase": message(pki.WRONG_PASSPHRASE)}
    application.refresh_from_db()
    assert application.state == "persetujuan"
    assert not IssuedDocument.objects.filter(application=application).exists()


def test_unknown_nik_and_revoked_certificate_are_refused(province, info_service, hub):
    application = ready_for_approval(province, info_service)
    hub.app.pki.revoke(OFFICIAL_NIK)
    with pytest.raises(services.ApplicationRefused) as refused:
        approve(province, application)
    assert refused.value.errors == {"passphrase": message(pki.CERTIFICATE_REVOKED)}
    SigningIdentity.objects.filter(user=province.admin_dpmptsp).update(nik="6472019999999999")
    with pytest.raises(services.ApplicationRefused) as refused:
        approve(province, application)
    assert refused.value.errors == {"passphrase": message(pki.UNKNOWN_NIK)}
    application.refresh_from_db()
    assert application.state == "persetujuan" and not IssuedDocument.objects.exists()


def test_service_down_the_citizen_is_not_refused_and_the_document_waits(province, info_service, hub, settings):
    application = ready_for_approval(province, info_service)
    hub.stop()
    application = approve(province, application)
    assert application.signing_deferred
    application.refresh_from_db()
    assert application.state == "selesai"  # the citizen's case moved on
    document = IssuedDocument.objects.get(application=application)
    assert document.status == IssuedDocument.Status.TO_SIGN and not document.file
    # Back up: the official signs it from the "to sign" list.
    running = fakebsre.Running(Path(hub.app.pki.directory), port=hub.server.server_port)  # same address
    try:
        signer.reset()
        outcome = services.documents_sign(
            actor=province.admin_dpmptsp, documents_=[document], passphrase=OFFICIAL_PASSPHRASE
        )
    finally:
        running.stop()
    assert [d.pk for d in outcome.signed] == [document.pk]
    document.refresh_from_db()
    assert document.status == IssuedDocument.Status.ISSUED


def test_circuit_breaker_stops_calling_a_dead_service(settings):
    settings.ESERVICES_SIGNER = "remote"
    settings.ESERVICES_SIGNING_URL = "http://127.0.0.1:9"  # nothing listens
    settings.ESERVICES_SIGNING_ATTEMPTS = 1
    signer.reset()
    remote = signer.RemoteSigner()
    request = signer.SignRequest(pdf=b"%PDF-1.4", nik="1", passphrase="x")
    for _ in range(signer.BREAKER.fail_max):
        with pytest.raises(signer.SigningUnavailable):
            remote.sign(request)
    assert signer.BREAKER.current_state == "open"
    with pytest.raises(signer.SigningUnavailable, match="circuit open"):
        remote.sign(request)


def test_batch_signing_from_the_to_sign_list(province, info_service, hub):
    waiting = []
    for _ in range(3):
        application = services.application_act(
            actor=province.admin_dpmptsp, application=ready_for_approval(province, info_service), action="setujui"
        )
        assert application.signing_deferred  # approved without a passphrase: waits to be signed
        waiting.append(IssuedDocument.objects.get(application=application))
    assert {d.status for d in waiting} == {IssuedDocument.Status.TO_SIGN}
    with pytest.raises(services.ApplicationRefused):
        services.documents_sign(actor=province.admin_dpmptsp, documents_=waiting, passphrase="keliru")
    assert IssuedDocument.objects.filter(status=IssuedDocument.Status.TO_SIGN).count() == 3
    outcome = services.documents_sign(actor=province.admin_dpmptsp, documents_=waiting, passphrase=OFFICIAL_PASSPHRASE)
    assert len(outcome.signed) == 3 and not outcome.waiting
    assert IssuedDocument.objects.filter(status=IssuedDocument.Status.ISSUED).count() == 3
    assert hub.app.calls.count("POST /api/sign/pdf") == 4  # one refused + three signed


def test_only_a_signing_official_may_approve_a_step_that_issues(province, info_service):
    application = ready_for_approval(province, info_service)
    from tests.factories import grant

    # An OPD admin without the penandatangan grant: refused, nothing changed.
    grant(province.officer_dpmptsp, "admin_opd", province.dpmptsp)
    with pytest.raises(PermissionDenied):
        services.application_act(
            actor=province.officer_dpmptsp, application=application, action="setujui", passphrase="x"
        )
    application.refresh_from_db()
    assert application.state == "persetujuan" and not IssuedDocument.objects.exists()
    # The grant without a signing identity is not enough either.
    SigningIdentity.objects.filter(user=province.admin_dpmptsp).delete()
    with pytest.raises(PermissionDenied):
        approve(province, application)
    application.refresh_from_db()
    assert application.state == "persetujuan" and not IssuedDocument.objects.exists()


def test_another_official_cannot_sign_my_waiting_document(province, info_service):
    enrol_official()
    application = services.application_act(
        actor=province.admin_dpmptsp, application=ready_for_approval(province, info_service), action="setujui"
    )
    document = IssuedDocument.objects.get(application=application)
    with pytest.raises(PermissionDenied):
        services.documents_sign(actor=province.admin_diskominfo, documents_=[document], passphrase=OFFICIAL_PASSPHRASE)
    document.refresh_from_db()
    assert document.status == IssuedDocument.Status.TO_SIGN


def test_signing_nik_is_encrypted_at_rest(province):
    with connection.cursor() as cursor:
        cursor.execute("SELECT nik FROM core_signingidentity")
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and all(value.startswith("v1:") and OFFICIAL_NIK not in value for value in stored)
    assert SigningIdentity.objects.get(user=province.admin_dpmptsp).nik == OFFICIAL_NIK


def _full_dump() -> str:
    """Every row of every table, as text (the "full database dump" of the issue)."""
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from introspection)
            out += [repr(row) for row in cursor.fetchall()]
    return "\n".join(out)


def test_the_passphrase_is_nowhere(province, info_service, hub, settings, caplog):
    caplog.set_level(logging.DEBUG)
    approve(province, ready_for_approval(province, info_service))  # signed at approval
    waiting = services.application_act(
        actor=province.admin_dpmptsp, application=ready_for_approval(province, info_service), action="setujui"
    )
    with pytest.raises(services.ApplicationRefused):  # a wrong one is not kept either
        approve(province, ready_for_approval(province, info_service), passphrase=OFFICIAL_PASSPHRASE + "-x")
    services.documents_sign(
        actor=province.admin_dpmptsp,
        documents_=[IssuedDocument.objects.get(application=waiting)],
        passphrase=OFFICIAL_PASSPHRASE,
    )
    assert IssuedDocument.objects.filter(status=IssuedDocument.Status.ISSUED).count() == 2
    dump = _full_dump()
    assert "Admin DPMPTSP" in dump  # the dump does hold the data
    assert OFFICIAL_PASSPHRASE not in dump
    from django_tasks_db.models import DBTaskResult

    payloads = [repr(row) for row in DBTaskResult.objects.values()]
    assert not any(OFFICIAL_PASSPHRASE in p for p in payloads)
    assert OFFICIAL_PASSPHRASE not in caplog.text
    log_dir = Path(settings.VAR_DIR) / "log"
    for path in log_dir.rglob("*") if log_dir.exists() else []:
        if path.is_file():
            assert OFFICIAL_PASSPHRASE.encode() not in path.read_bytes(), path
    assert Application.objects.count() == 3


def test_local_demo_signer_also_gives_b_lt(province, info_service):
    enrol_official()
    application = approve(province, ready_for_approval(province, info_service))
    document = IssuedDocument.objects.get(application=application)
    result = ltv.validate(document.file.read(), documents.trust_roots())
    assert result.ok and result.has_dss and result.has_timestamp


def test_the_local_demo_crls_are_served_where_the_certificates_point(client):
    from cryptography import x509

    local = signer.get_signer()
    response = client.get("/v/pki/intermediate.crl")
    assert response.status_code == 200 and response["Content-Type"] == "application/pkix-crl"
    crl = x509.load_der_x509_crl(response.content)
    assert crl.issuer == local.pki.ca("intermediate").cert.subject
    assert client.get("/v/pki/tsa.crl").status_code == 404


def test_an_error_report_hides_the_passphrase(province, info_service, hub, rf, monkeypatch):
    """Django's error report (500 page in DEBUG, error e-mails) shows frame locals: the
    signing frames mark the passphrase as sensitive."""
    import sys

    from django.views.debug import ExceptionReporter

    def boom(*args, **kwargs):
        raise RuntimeError("the TSA exploded")

    monkeypatch.setattr(signer, "sign_b_lt", boom)
    application = ready_for_approval(province, info_service)
    try:
        approve(province, application)
    except RuntimeError:
        frames = ExceptionReporter(rf.post("/"), *sys.exc_info()).get_traceback_data()["frames"]
    else:  # pragma: no cover
        raise AssertionError("expected the failure")
    # The etam package's frames, not this test's own (nor the virtualenv's): matched on the package's
    # directory, since a checkout's own path may contain "/etam/" too (as CI's clean clone did).
    package = str(Path(etam.__file__).resolve().parent) + os.sep
    ours = [frame for frame in frames if str(Path(frame["filename"]).resolve()).startswith(package)]
    local_vars = repr([frame["vars"] for frame in ours])
    assert "application_act" in repr([f["function"] for f in ours]) and "'passphrase'" in local_vars
    assert OFFICIAL_PASSPHRASE not in local_vars


@pytest.mark.django_db
def test_a_hub_that_is_down_is_asked_for_its_crl_once_a_minute_not_per_visitor(monkeypatch):
    remote = signer.RemoteSigner("http://127.0.0.1:9", attempts=1, timeout=1)
    calls = []

    def down(url):
        calls.append(url)
        raise signer.SigningUnavailable("down")

    monkeypatch.setattr(remote, "fetch_crl", down)
    first = remote.certificate_status(1)
    second = remote.certificate_status(1)
    assert not first.known and not second.known and not first.revoked
    assert len(calls) == 1
