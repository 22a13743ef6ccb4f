"""Encrypted backups of the database and every stored object, and restore into an empty
installation (docs/adr/0103-backups.md).

A backup is a folder (local, or ``s3://bucket/prefix``) holding:

- ``backup.json``: format, time, database vendor and the key's fingerprint (in the clear);
- ``manifest.sealed``: row counts per table, and every stored object's name, size, SHA-256;
- ``database.sealed``: ``pg_dump --format=custom`` on PostgreSQL, or a copy made with
  SQLite's online backup API on the embedded default;
- ``objects/<sha256>.sealed``: each object's content (identical files are kept once).

Every ``.sealed`` file is encrypted with ``BACKUP_ENCRYPTION_KEY`` (``sealing``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connection, transaction

from etam.ops import sealing
from etam.ops.targets import Target, open_target

FORMAT = 1
KEY_VARIABLE = "BACKUP_ENCRYPTION_KEY"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


def encryption_key() -> bytes:
    # Read when a backup or restore runs, never kept in settings (nor in any settings dump).
    raw = os.environ.get(KEY_VARIABLE, "")
    if not raw.strip():
        raise BackupError(
            f"Variabel lingkungan {KEY_VARIABLE}: wajib diisi (openssl rand -base64 32). "
            f"/ Environment variable {KEY_VARIABLE}: is required (openssl rand -base64 32)."
        )
    try:
        return sealing.parse_key(raw)
    except ValueError as exc:
        raise BackupError(
            f"Variabel lingkungan {KEY_VARIABLE}: harus 32 byte acak dalam base64. / Environment variable {exc}."
        ) from None


def walk(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every stored object's name, through the storages API (local disk or bucket alike)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from walk(storage, f"{folder}/{sub}" if folder else sub)


def table_counts(cursor: Any, vendor: str) -> dict[str, int]:
    """Rows per table (SQLite's own bookkeeping tables aside), through ``cursor``."""
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        tables = [row[0] for row in cursor.fetchall()]
    else:
        tables = connection.introspection.table_names(cursor)
    quote = connection.ops.quote_name
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT count(*) FROM {quote(table)}")  # noqa: S608 (names from introspection)
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _pg_env() -> dict[str, str]:
    settings = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if settings.get(key):
            env[variable] = str(settings[key])
    env["PGDATABASE"] = str(settings["NAME"])
    return env


def _dump_database(workdir: str) -> tuple[str, dict[str, int]]:
    """A consistent copy of the database and the row counts of that same snapshot."""
    path = os.path.join(workdir, "database")
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        destination = sqlite3.connect(path)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        copy = sqlite3.connect(path)
        try:
            counts = table_counts(copy.cursor(), "sqlite")
        finally:
            copy.close()
        return path, counts
    if connection.vendor != "postgresql":
        raise BackupError(f"database {connection.vendor}: only SQLite and PostgreSQL are backed up")
    # pg_dump reads the snapshot in which the rows were counted (--snapshot).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = table_counts(cursor, "postgresql")
        result = subprocess.run(  # noqa: S603 (fixed argument list)
            ["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--snapshot={snapshot}", "--file", path],  # noqa: S607
            env=_pg_env(),
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()[:500]}")
    return path, counts


def _seal_to(target: Target, name: str, source: sealing.Readable, key: bytes) -> None:
    with tempfile.TemporaryFile() as sealed:
        sealing.encrypt(source, sealed, key)
        sealed.seek(0)
        target.put(name, sealed)


class _Hashing:
    """A read-only file wrapper that hashes what is read through it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.digest, self.size = raw, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


@dataclass
class BackupResult:
    location: str
    tables: dict[str, int]
    objects: int
    bytes: int
    seconds: float


def backup(destination: str, *, storage: Storage | None = None) -> BackupResult:
    started = time.monotonic()
    key = encryption_key()
    storage = storage or default_storage
    target = open_target(destination)
    if target.exists("backup.json"):
        raise BackupError(f"{destination}: already holds a backup; give an empty folder or prefix")
    with tempfile.TemporaryDirectory(prefix="etam-backup-") as workdir:
        dump, counts = _dump_database(workdir)
        with open(dump, "rb") as handle:
            hashed = _Hashing(handle)
            _seal_to(target, "database.sealed", hashed, key)
        database = {"sha256": hashed.digest.hexdigest(), "size": hashed.size}
    objects, written, total = [], set(), 0
    for name in walk(storage):
        with storage.open(name, "rb") as handle, tempfile.TemporaryFile() as sealed:
            hashed = _Hashing(handle)
            sealing.encrypt(hashed, sealed, key)
            digest = hashed.digest.hexdigest()
            if digest not in written:
                sealed.seek(0)
                target.put(f"objects/{digest}.sealed", sealed)
                written.add(digest)
        objects.append({"name": name, "size": hashed.size, "sha256": digest})
        total += hashed.size
    manifest = {"format": FORMAT, "database": database, "tables": counts, "objects": objects}
    with tempfile.TemporaryFile() as plain:
        plain.write(json.dumps(manifest, sort_keys=True).encode())
        plain.seek(0)
        _seal_to(target, "manifest.sealed", plain, key)
    info = {
        "format": FORMAT,
        "created": datetime.now(UTC).isoformat(),
        "vendor": connection.vendor,
        "key_id": sealing.key_id(key),
        "objects": len(objects),
    }
    target.put_bytes("backup.json", json.dumps(info, indent=2).encode())  # written last: the backup is complete
    return BackupResult(destination, counts, len(objects), total, time.monotonic() - started)


@dataclass
class RestoreResult:
    tables_expected: dict[str, int]
    tables_restored: dict[str, int]
    objects_expected: int
    objects_restored: int
    seconds: float
    audit_problems: list[str] = field(default_factory=list)


def read_manifest(target: Target, key: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    if not target.exists("backup.json"):
        raise BackupError("backup.json is missing: not a complete Etam backup")
    info = json.loads(target.get_bytes("backup.json"))
    if info.get("format") != FORMAT:
        raise BackupError(f"backup format {info.get('format')} is not one this version restores ({FORMAT})")
    if info.get("key_id") != sealing.key_id(key):
        raise BackupError(f"{KEY_VARIABLE}: not the key this backup was made with")
    manifest = json.loads(b"".join(_unseal(target, "manifest.sealed", key)))
    return info, manifest


def _unseal(target: Target, name: str, key: bytes) -> Iterator[bytes]:
    with target.open(name) as handle:
        try:
            yield from sealing.decrypt(handle, key)
        except sealing.SealError as exc:
            raise BackupError(f"{name}: {exc}") from None


def _unseal_to_file(target: Target, name: str, key: bytes, out: IO[bytes], sha256: str) -> None:
    digest = hashlib.sha256()
    for chunk in _unseal(target, name, key):
        digest.update(chunk)
        out.write(chunk)
    if digest.hexdigest() != sha256:
        raise BackupError(f"{name}: SHA-256 differs from the manifest")
    out.seek(0)


def refuse_unless_empty(storage: Storage) -> None:
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            f"Basis data tidak kosong ({len(tables)} tabel, mis. {tables[0]}); pemulihan hanya ke basis data kosong. "
            f"/ The database is not empty ({len(tables)} tables, e.g. {tables[0]}); "
            "restore only goes into an empty one."
        )
    first = next(walk(storage), None)
    if first is not None:
        raise BackupError(
            f"Penyimpanan berkas tidak kosong (mis. {first}); pemulihan hanya ke bucket/folder kosong. "
            f"/ File storage is not empty (e.g. {first}); restore only goes into an empty bucket or folder."
        )


def _restore_database(target: Target, manifest: dict[str, Any], vendor: str, key: bytes) -> None:
    if vendor != connection.vendor:
        raise BackupError(f"the backup holds a {vendor} database; this installation uses {connection.vendor}")
    with tempfile.TemporaryDirectory(prefix="etam-restore-") as workdir:
        path = os.path.join(workdir, "database")
        with open(path, "w+b") as out:
            _unseal_to_file(target, "database.sealed", key, out, manifest["database"]["sha256"])
        if vendor == "sqlite":
            connection.ensure_connection()
            source = sqlite3.connect(path)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
            connection.close()
            return
        result = subprocess.run(  # noqa: S603 (fixed argument list)
            ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--dbname", _pg_env()["PGDATABASE"], path],  # noqa: S607
            env=_pg_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()[:500]}")


def restore(source: str, *, storage: Storage | None = None) -> RestoreResult:
    """Restore into an empty database and storage, check every hash, compare counts, and
    verify the audit trail."""
    from etam.core import audit

    started = time.monotonic()
    key = encryption_key()
    storage = storage or default_storage
    target = open_target(source)
    info, manifest = read_manifest(target, key)
    refuse_unless_empty(storage)
    _restore_database(target, manifest, info["vendor"], key)
    for entry in manifest["objects"]:
        with tempfile.TemporaryFile() as plain:
            _unseal_to_file(target, f"objects/{entry['sha256']}.sealed", key, plain, entry["sha256"])
            saved = storage.save(entry["name"], File(plain))
        if saved != entry["name"]:
            raise BackupError(f"{entry['name']}: stored as {saved}; the storage was not empty")
    restored_objects = 0
    for entry in manifest["objects"]:  # read back what storage now holds
        digest = hashlib.sha256()
        with storage.open(entry["name"], "rb") as handle:
            shutil.copyfileobj(handle, _DigestSink(digest))
        if digest.hexdigest() != entry["sha256"]:
            raise BackupError(f"{entry['name']}: SHA-256 after restore differs from the manifest")
        restored_objects += 1
    with connection.cursor() as cursor:
        restored = table_counts(cursor, connection.vendor)
    report = audit.verify()
    return RestoreResult(
        tables_expected=manifest["tables"],
        tables_restored=restored,
        objects_expected=len(manifest["objects"]),
        objects_restored=restored_objects,
        seconds=time.monotonic() - started,
        audit_problems=list(report.problems),
    )


class _DigestSink:
    def __init__(self, digest: Any) -> None:
        self.digest = digest

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return len(data)
