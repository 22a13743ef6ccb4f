"""Backups: sealed chunks, refusal to restore over data, and the restore drill (a fresh
database and bucket or folder, counts compared, the audit trail verified)."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from etam.core import audit
from etam.ops import backup, sealing

ROOT = Path(__file__).resolve().parents[2]
KEY = base64.b64encode(bytes(range(32))).decode()


@pytest.fixture
def backup_key(monkeypatch) -> str:
    monkeypatch.setenv("BACKUP_ENCRYPTION_KEY", KEY)
    return KEY


@pytest.fixture
def local_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    return tmp_path / "media"


@pytest.mark.parametrize("size", [0, 10, sealing.CHUNK, sealing.CHUNK * 2 + 7])
def test_sealed_files_round_trip(size):
    key = sealing.parse_key(KEY)
    plain = os.urandom(size)
    sealed = io.BytesIO()
    sealing.encrypt(io.BytesIO(plain), sealed, key)
    assert plain not in sealed.getvalue() or size == 0
    assert b"".join(sealing.decrypt(io.BytesIO(sealed.getvalue()), key)) == plain


def test_a_wrong_key_a_flipped_byte_or_a_cut_file_is_refused():
    key = sealing.parse_key(KEY)
    sealed = io.BytesIO()
    sealing.encrypt(io.BytesIO(os.urandom(sealing.CHUNK + 100)), sealed, key)
    data = sealed.getvalue()
    other = sealing.parse_key(base64.b64encode(bytes(32)).decode())
    flipped = bytearray(data)
    flipped[60] ^= 1
    last_length = len(data) - (100 + 16) - 4  # the final chunk removed entirely
    for bad_key, bad in ((other, data), (key, bytes(flipped)), (key, data[:-1]), (key, data[:last_length])):
        with pytest.raises(sealing.SealError):
            b"".join(sealing.decrypt(io.BytesIO(bad), bad_key))


def test_backup_names_a_missing_or_malformed_key(monkeypatch, tmp_path):
    monkeypatch.delenv("BACKUP_ENCRYPTION_KEY", raising=False)
    with pytest.raises(CommandError, match="BACKUP_ENCRYPTION_KEY"):
        call_command("backup", str(tmp_path / "b"))
    monkeypatch.setenv("BACKUP_ENCRYPTION_KEY", "terlalu-pendek")
    with pytest.raises(CommandError, match="BACKUP_ENCRYPTION_KEY"):
        call_command("backup", str(tmp_path / "b"))
    assert not (tmp_path / "b").exists()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(backup_key, local_media, tmp_path):
    call_command("backup", str(tmp_path / "b"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(tmp_path / "b"), stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_backup_made_with_another_key(backup_key, local_media, tmp_path, monkeypatch):
    call_command("backup", str(tmp_path / "b"), stdout=io.StringIO())
    monkeypatch.setenv("BACKUP_ENCRYPTION_KEY", base64.b64encode(bytes(32)).decode())
    with pytest.raises(CommandError, match="BACKUP_ENCRYPTION_KEY: not the key"):
        call_command("restore", str(tmp_path / "b"), stdout=io.StringIO())


def _content(province) -> list[str]:
    """Rows, an audit event sealed into the chain, and two stored files (one duplicated)."""
    with transaction.atomic():
        audit.record(actor=province.superadmin, action="uji.cadangan", object_type="uji", object_id=1)
    audit.seal_pending()
    return [
        default_storage.save("evaluation/evidence/bukti.pdf", ContentFile(b"%PDF-1.4 bukti")),
        default_storage.save("opendata/uploads/2026/12/data.csv", ContentFile(b"a,b\n1,2\n")),
        default_storage.save("opendata/uploads/2026/12/salinan.csv", ContentFile(b"a,b\n1,2\n")),
    ]


def _drill(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if connection.vendor == "postgresql":  # the fresh database goes on the same server
        s = connection.settings_dict
        env["DATABASE_URL"] = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    return subprocess.run(
        [str(ROOT / "scripts" / "restore-drill"), "--backup", source],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _check_drill(result: subprocess.CompletedProcess[str], names: list[str]) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    assert "DRILL PASSED" in result.stdout and "restore verified" in result.stdout
    objects = next(line for line in result.stdout.splitlines() if line.startswith("objects "))
    assert objects.split()[1:] == [str(len(names)), str(len(names))]
    assert "time to restore:" in result.stdout
    assert "core_user" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_restore_drill_into_a_fresh_database_and_folder(province, backup_key, local_media, tmp_path):
    names = _content(province)
    call_command("backup", str(tmp_path / "b"), stdout=io.StringIO())
    info = json.loads((tmp_path / "b" / "backup.json").read_text())
    assert info["vendor"] == connection.vendor and info["objects"] == 3
    # Identical files are stored once; nothing in the folder is readable without the key.
    assert len(list((tmp_path / "b" / "objects").iterdir())) == 2
    assert b"bukti" not in b"".join(p.read_bytes() for p in (tmp_path / "b").rglob("*.sealed"))
    _check_drill(_drill(tmp_path, str(tmp_path / "b")), names)


@pytest.mark.s3
@pytest.mark.django_db(transaction=True)
def test_restore_drill_from_a_bucket_into_a_fresh_bucket(province, backup_key, s3_storage, tmp_path):
    from tests.storage.conftest import new_bucket

    names = _content(province)
    target = new_bucket(os.environ["AWS_S3_ENDPOINT_URL"], "backup")
    call_command("backup", f"s3://{target}/nightly", stdout=io.StringIO())
    assert backup.walk(default_storage) and sorted(backup.walk(default_storage)) == sorted(names)
    _check_drill(_drill(tmp_path, f"s3://{target}/nightly"), names)
