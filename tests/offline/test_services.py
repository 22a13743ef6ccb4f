import hashlib
import json
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage

from etam.core.models import AuditEvent, RoleGrant
from etam.eservices.models import Application, UploadedFile
from etam.eservices.submission_form import FormData
from etam.offline import services as offline
from etam.offline.models import AssistedSubmission, Bundle, ChunkedUpload
from tests.offline.conftest import (
    Device,
    assisted_info,
    bundle_item,
    intake,
    new_version,
    pairs,
    pdf_bytes,
)

pytestmark = pytest.mark.django_db


def test_intake_files_once_and_replays(province, service):
    key = str(uuid.uuid4())
    first = intake(province.citizen, service, key=key)
    assert first.created and first.application.state == "diajukan"
    assert first.application.holder_name == "Siti Rahmawati"
    again = intake(province.citizen, service, key=key)
    assert not again.created
    assert again.application.pk == first.application.pk
    assert again.receipt_secret == first.receipt_secret
    assert Application.objects.filter(applicant=province.citizen).count() == 1


def test_same_key_different_content_is_refused(province, service):
    key = str(uuid.uuid4())
    intake(province.citizen, service, key=key)
    with pytest.raises(offline.Refused) as refused:
        intake(province.citizen, service, key=key, fields=pairs(keperluan="Lain"))
    assert refused.value.code == "idempotency_key_reused"
    assert Application.objects.count() == 1


def test_invalid_answers_refused_per_field_nothing_stored(province, service):
    with pytest.raises(offline.Refused) as refused:
        intake(province.citizen, service, fields=pairs(nik="1234", telepon="", nama=""))
    assert set(refused.value.fields) >= {"nik", "telepon", "nama"}
    assert refused.value.status == 422
    assert Application.objects.count() == 0


def test_missing_key_is_refused(province, service):
    with pytest.raises(offline.Refused) as refused:
        offline.application_intake(
            actor=province.citizen,
            service_id=service.pk,
            version_number=None,
            fields=FormData.from_pairs(pairs()),
            idempotency_key="",
        )
    assert refused.value.code == "idempotency_key_missing"
    assert Application.objects.count() == 0


def test_older_version_accepted_within_grace_then_refused(province, service):
    old = service.published_version.number
    new_version(province, service, {"name": "pekerjaan", "type": "text", "label": {"id": "Pekerjaan", "en": "Job"}})
    assert service.published_version.number == old + 1
    # Filled in on the old form (no "pekerjaan"): filed under the old version.
    accepted = intake(province.citizen, service, version=old)
    assert accepted.application.version.number == old
    assert accepted.version_number == old
    # The same old form a month later: refused with what to do, nothing stored.
    later = service.published_version.published_at + timedelta(days=offline.grace_days() + 1)
    with pytest.raises(offline.Refused) as refused:
        intake(province.citizen, service, version=old, now=later)
    assert refused.value.code == "version_expired" and refused.value.status == 409
    assert "version" in refused.value.fields
    assert Application.objects.count() == 1
    # ...but a retry of the item already received stays received.
    replay = intake(province.citizen, service, key=None, version=old)
    assert replay.created  # a new key within grace is a new case
    assert Application.objects.count() == 2


def test_received_item_replays_even_after_version_expired(province, service):
    key = str(uuid.uuid4())
    old = service.published_version.number
    first = intake(province.citizen, service, key=key, version=old)
    new_version(province, service, {"name": "x", "type": "text", "label": {"id": "X", "en": "X"}, "required": False})
    later = service.published_version.published_at + timedelta(days=90)
    again = intake(province.citizen, service, key=key, version=old, now=later)
    assert again.application.pk == first.application.pk and not again.created


def test_unknown_version_refused(province, service):
    with pytest.raises(offline.Refused) as refused:
        intake(province.citizen, service, version=99)
    assert refused.value.code == "version_unknown"


def test_assisted_entry_records_consent_and_helper(province, service):
    officer = province.officer_dpmptsp
    result = intake(officer, service, assisted=assisted_info())
    record = AssistedSubmission.objects.get(application=result.application)
    assert record.assisted_by == officer and record.consent is True
    assert record.citizen_name == "Abdul Rahman"
    assert record.citizen_contact == {"nik": "6472011708900002", "phone": "+6281298765432"}
    assert record.channel == AssistedSubmission.Channel.DEVICE
    assert AuditEvent.objects.filter(action="offline.assisted_record", object_id=str(result.application.pk)).exists()
    # replay: still one record
    intake(officer, service, key=record.idempotency_key, assisted=assisted_info())
    assert AssistedSubmission.objects.count() == 1


def test_assisted_entry_refused_for_citizen_and_nothing_changes(province, service):
    audits = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        intake(province.citizen, service, assisted=assisted_info())
    assert Application.objects.count() == 0 and AssistedSubmission.objects.count() == 0
    assert AuditEvent.objects.count() == audits


def test_assisted_entry_needs_consent_and_contact(province, service):
    with pytest.raises(offline.Refused) as refused:
        intake(province.officer_dpmptsp, service, assisted=assisted_info(consent=False, nik="", phone=""))
    assert {"assisted.consent", "assisted.nik"} <= set(refused.value.fields)
    with pytest.raises(offline.Refused) as refused:
        intake(province.officer_dpmptsp, service, assisted=assisted_info(nik="6472010000000000"))
    assert "assisted.nik" in refused.value.fields
    assert Application.objects.count() == 0


# ---------------------------------------------------------------- resumable uploads


def _start(province, service, content, key="item-1.lampiran"):
    return offline.upload_start(
        actor=province.citizen,
        upload_key=key,
        service_id=service.pk,
        field_path="lampiran",
        name="surat.pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def test_chunked_upload_resumes_and_files_with_the_item(province, service):
    content = pdf_bytes(1_100_000)
    upload = _start(province, service, content)
    piece = offline.CHUNK_MAX_BYTES
    offline.upload_append(actor=province.citizen, upload_key=upload.upload_key, offset=0, data=content[:piece])
    # A retried piece (the answer was lost) is acknowledged, not stored twice.
    again = offline.upload_append(actor=province.citizen, upload_key=upload.upload_key, offset=0, data=content[:piece])
    assert again.received == piece and again.chunk_count == 1
    # A gap is refused with where to resume.
    with pytest.raises(offline.Refused) as refused:
        offline.upload_append(
            actor=province.citizen, upload_key=upload.upload_key, offset=2 * piece, data=content[2 * piece :]
        )
    assert refused.value.status == 409 and refused.value.fields["offset"] == str(piece)
    offline.upload_append(
        actor=province.citizen, upload_key=upload.upload_key, offset=piece, data=content[piece : 2 * piece]
    )
    done = offline.upload_append(
        actor=province.citizen, upload_key=upload.upload_key, offset=2 * piece, data=content[2 * piece :]
    )
    assert done.status == ChunkedUpload.Status.COMPLETE
    with default_storage.open(done.stored_name, "rb") as handle:
        assert handle.read() == content
    # Restarting the same upload tells the device it is complete.
    assert _start(province, service, content).status == ChunkedUpload.Status.COMPLETE

    result = intake(province.citizen, service, uploads={"lampiran": upload.upload_key})
    stored = UploadedFile.objects.get(application=result.application)
    assert stored.size == len(content) and stored.sha256 == hashlib.sha256(content).hexdigest()
    assert result.application.answers["lampiran"]["file_id"] == stored.pk


def test_upload_over_limit_and_damaged_upload(province, service):
    with pytest.raises(offline.Refused) as refused:
        _start(province, service, b"%PDF" + b"0" * (2048 * 1024 + 1))
    assert refused.value.status == 413 and "2048 KB" in refused.value.message
    content = pdf_bytes(5000)
    upload = offline.upload_start(
        actor=province.citizen,
        upload_key="item-2.lampiran",
        service_id=service.pk,
        field_path="lampiran",
        name="x.pdf",
        size=len(content),
        sha256="0" * 64,
    )
    done = offline.upload_append(actor=province.citizen, upload_key=upload.upload_key, offset=0, data=content)
    assert done.status == ChunkedUpload.Status.REFUSED
    with pytest.raises(offline.Refused) as refused:
        intake(province.citizen, service, uploads={"lampiran": upload.upload_key})
    assert refused.value.code == "upload_incomplete"
    assert Application.objects.count() == 0


def test_upload_of_someone_else_cannot_be_used(province, service):
    content = pdf_bytes(4000)
    upload = _start(province, service, content)
    offline.upload_append(actor=province.citizen, upload_key=upload.upload_key, offset=0, data=content)
    with pytest.raises(offline.Refused):
        offline.upload_append(actor=province.other_citizen, upload_key=upload.upload_key, offset=0, data=content)
    with pytest.raises(offline.Refused):
        intake(province.other_citizen, service, uploads={"lampiran": upload.upload_key})
    assert Application.objects.count() == 0


def test_file_content_checked_like_the_web_form(province, service):
    content = b"MZ" + b"0" * 3000
    upload = _start(province, service, content)
    offline.upload_append(actor=province.citizen, upload_key=upload.upload_key, offset=0, data=content)
    with pytest.raises(offline.Refused) as refused:
        intake(province.citizen, service, uploads={"lampiran": upload.upload_key})
    assert "lampiran" in refused.value.fields
    assert UploadedFile.objects.count() == 0


# ---------------------------------------------------------------- bundles


def test_bundle_import_is_idempotent(province, service):
    device = Device(province.officer_dpmptsp)
    raw = device.bundle([bundle_item(service, name="Abdul"), bundle_item(service, name="Budi", with_file=True)])
    importer = province.admin_dpmptsp
    report = offline.bundle_import(actor=importer, raw=raw)
    assert report.counts == {"diterima": 2, "sudah_ada": 0, "ditolak": 0}
    assert not report.repeated
    applications = Application.objects.filter(applicant=province.officer_dpmptsp)
    assert applications.count() == 2
    record = AssistedSubmission.objects.get(citizen_name="Budi")
    assert record.channel == "bundel" and record.imported_by == importer and record.bundle == report.bundle
    assert UploadedFile.objects.filter(application=record.application).count() == 1

    again = offline.bundle_import(actor=importer, raw=raw)
    assert again.repeated and again.counts == {"diterima": 0, "sudah_ada": 2, "ditolak": 0}
    assert {r.tracking_number for r in again.items} == {r.tracking_number for r in report.items}
    assert applications.count() == 2 and AssistedSubmission.objects.count() == 2
    assert Bundle.objects.get().import_count == 2


def test_partly_synced_bundle_creates_only_the_rest(province, service):
    officer = province.officer_dpmptsp
    device = Device(officer)
    sent, waiting = bundle_item(service, name="Abdul"), bundle_item(service, name="Budi")
    # The first item reached the server from the device before the bundle was carried off.
    intake(officer, service, key=sent["key"], fields=sent["fields"], assisted=sent["assisted"], version=sent["version"])
    report = offline.bundle_import(actor=province.admin_dpmptsp, raw=device.bundle([sent, waiting]))
    assert [r.status for r in report.items] == ["sudah_ada", "diterima"]
    assert Application.objects.count() == 2


def test_bundle_reports_item_by_item(province, service):
    device = Device(province.officer_dpmptsp)
    bad = bundle_item(service, name="Cici", nik="123")
    report = offline.bundle_import(actor=province.admin_dpmptsp, raw=device.bundle([bundle_item(service), bad]))
    assert [r.status for r in report.items] == ["diterima", "ditolak"]
    assert "nik" in report.items[1].fields
    assert Application.objects.count() == 1


def _flip(raw: bytes, index: int) -> bytes:
    changed = bytearray(raw)
    changed[index] = ord("A") if changed[index] != ord("A") else ord("B")
    return bytes(changed)


@pytest.mark.parametrize("where", ["payload", "signature", "truncated", "key_id", "not_json"])
def test_tampered_bundle_is_rejected_as_a_whole(province, service, where):
    device = Device(province.officer_dpmptsp)
    raw = device.bundle([bundle_item(service), bundle_item(service, name="Budi")])
    outer = json.loads(raw)
    if where == "payload":
        position = raw.index(outer["payload"].encode()) + len(outer["payload"]) // 2
        bad = _flip(raw, position)
    elif where == "signature":
        bad = _flip(raw, raw.index(outer["signature"].encode()) + 5)
    elif where == "truncated":
        bad = raw[: len(raw) - 40]
    elif where == "key_id":
        bad = raw.replace(device.key.key_id.encode(), b"0" * len(device.key.key_id))
    else:
        bad = b"\x00" + raw
    audits = AuditEvent.objects.count()
    with pytest.raises(offline.BundleRejected) as rejected:
        offline.bundle_import(actor=province.admin_dpmptsp, raw=bad)
    assert "Tidak ada yang diimpor" in rejected.value.message  # Indonesian: nothing was imported
    assert Application.objects.count() == 0 and Bundle.objects.count() == 0
    assert AuditEvent.objects.count() == audits


def test_bundle_from_revoked_device_or_other_officer_rejected(province, service):
    device = Device(province.officer_dpmptsp)
    with pytest.raises(offline.BundleRejected):
        offline.bundle_import(
            actor=province.admin_dpmptsp, raw=device.bundle([bundle_item(service)], officer_id=province.citizen.pk)
        )
    offline.device_key_revoke(actor=province.officer_dpmptsp, key=device.key)
    with pytest.raises(offline.BundleRejected):
        offline.bundle_import(actor=province.admin_dpmptsp, raw=device.bundle([bundle_item(service)]))
    assert Application.objects.count() == 0


def test_bundle_of_officer_who_lost_the_role_rejected(province, service):
    device = Device(province.officer_dpmptsp)
    raw = device.bundle([bundle_item(service)])
    RoleGrant.objects.filter(user=province.officer_dpmptsp).delete()
    with pytest.raises(offline.BundleRejected):
        offline.bundle_import(actor=province.admin_dpmptsp, raw=raw)
    assert Application.objects.count() == 0


def test_citizen_cannot_import_or_register_and_nothing_changes(province, service):
    device = Device(province.officer_dpmptsp)
    raw = device.bundle([bundle_item(service)])
    audits = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        offline.bundle_import(actor=province.citizen, raw=raw)
    with pytest.raises(PermissionDenied):
        Device(province.citizen)
    assert Application.objects.count() == 0 and Bundle.objects.count() == 0
    assert AuditEvent.objects.count() == audits


# Issue 10, finding 7: a validly signed bundle whose items have the wrong shape crashed the
# import half way (500, bundle row committed, no report).
MALFORMED = {
    "files_of_strings": ("files", {"x": "str"}, "files.x"),
    "assisted_text": ("assisted", "x", "assisted"),
    "fields_object": ("fields", {"nama": "Abdul"}, "fields"),
    "fields_pair_of_three": ("fields", [["nama", "Abdul", "lagi"]], "fields[0]"),
    "service_text": ("service", "layanan", "service"),
    "version_list": ("version", [1], "version"),
    "key_object": ("key", {"a": 1}, "key"),
    "file_data_number": (
        "files",
        {"lampiran": {"name": "a.pdf", "sha256": "0" * 64, "data": 5}},
        "files.lampiran.data",
    ),
    "consent_at_number": (
        "assisted",
        {"citizen_name": "Abdul", "nik": "6472011708900002", "consent": True, "consent_at": 5},
        "assisted.consent_at",
    ),
    "citizen_name_list": ("assisted", {"citizen_name": ["Abdul"], "consent": True}, "assisted.citizen_name"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_signed_bundle_with_malformed_item_rejects_only_that_item(province, service, case):
    name, value, field = MALFORMED[case]
    device = Device(province.officer_dpmptsp)
    bad = bundle_item(service, name="Cici")
    bad[name] = value
    raw = device.bundle([bundle_item(service, name="Abdul"), bad, "not an object", bundle_item(service, name="Budi")])
    report = offline.bundle_import(actor=province.admin_dpmptsp, raw=raw)
    assert [r.status for r in report.items] == ["diterima", "ditolak", "ditolak", "diterima"]
    assert field in report.items[1].fields, report.items[1].fields
    assert report.items[1].message and report.items[2].message
    assert Application.objects.count() == 2
    bundle = Bundle.objects.get()
    assert bundle.import_count == 1 and len(bundle.last_report) == 4
    assert AuditEvent.objects.filter(action="offline.bundle_import").count() == 1


def test_unforeseen_item_failure_keeps_the_report_of_the_others(province, service, monkeypatch):
    device = Device(province.officer_dpmptsp)
    raw = device.bundle([bundle_item(service, name="Abdul"), bundle_item(service, name="Budi")])
    real = offline.application_intake

    def flaky(**kwargs):
        if kwargs["assisted"]["citizen_name"] == "Budi":
            raise RuntimeError("boom")
        return real(**kwargs)

    monkeypatch.setattr(offline, "application_intake", flaky)
    report = offline.bundle_import(actor=province.admin_dpmptsp, raw=raw)
    assert [r.status for r in report.items] == ["diterima", "ditolak"]
    assert "galat di server" in report.items[1].message
    assert len(Bundle.objects.get().last_report) == 2


@pytest.mark.parametrize("created_at", ["2026-02-30T10:00:00+08:00", "2026-03-02T25:00:00", 5, ["x"]])
def test_signed_bundle_with_an_unreadable_created_at_still_files_its_items(province, service, created_at):
    """Found in the issue-10 re-check: a well-formed but impossible date (30 February) in a
    validly signed bundle's header raised ValueError out of the import (a 500)."""
    import base64
    import json
    import uuid

    device = Device(province.officer_dpmptsp)
    payload = json.dumps(
        {
            "bundle_id": str(uuid.uuid4()),
            "created_at": created_at,
            "officer": province.officer_dpmptsp.pk,
            "items": [bundle_item(service)],
        }
    ).encode()
    raw = json.dumps(
        {
            "format": offline.BUNDLE_FORMAT,
            "key_id": device.key.key_id,
            "payload": base64.b64encode(payload).decode(),
            "signature": base64.urlsafe_b64encode(device.private.sign(payload)).decode().rstrip("="),
        }
    ).encode()
    report = offline.bundle_import(actor=province.admin_dpmptsp, raw=raw)
    assert [r.status for r in report.items] == ["diterima"]
    assert Bundle.objects.get().exported_at is None


def test_an_impossible_consent_time_is_a_field_error_not_a_500():
    """Found in the issue-10 re-check (with the bundle header above): 30 February as
    consent_at raised ValueError out of parse_assisted, reached by the offline API and bundles."""
    with pytest.raises(offline.Refused) as refused:
        offline.parse_assisted(
            {"citizen_name": "Abdul", "nik": "6472011708900002", "consent": True, "consent_at": "2026-02-30T10:00:00"}
        )
    assert "assisted.consent_at" in refused.value.fields
