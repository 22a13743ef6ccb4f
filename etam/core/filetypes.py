"""What an uploaded file is, decided by its content: never by its name or the browser's type.

PDF, JPEG and PNG by their signatures; XLSX and DOCX by being ZIP packages that hold the part
their format requires; the legacy Office format (.xls/.doc) by its compound-file signature, so
a reader can say "save it as .xlsx" instead of "unreadable". Every upload path (e-service
files, evaluation evidence, Satu Data and inventory spreadsheets) asks here
(docs/adr/0092-shared-file-type-sniffer.md).
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable
from typing import IO

SIGNATURES: dict[str, bytes] = {
    "pdf": b"%PDF-",
    "jpeg": b"\xff\xd8\xff",
    "png": b"\x89PNG\r\n\x1a\n",
}
ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls/.doc (compound file)
# The part an Office Open XML package must hold to be that format.
PACKAGE_PARTS = {"xlsx": "xl/workbook.xml", "docx": "word/document.xml"}
CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# Kinds ``sniff`` can name that no upload accepts as such; readers use them for a clearer refusal.
ZIP, OLE = "zip", "ole"


def _package_kind(stream: IO[bytes]) -> str:
    try:
        with zipfile.ZipFile(stream) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return ZIP
    if "[Content_Types].xml" in names:
        for kind, part in PACKAGE_PARTS.items():
            if part in names:
                return kind
    return ZIP


def sniff(stream: IO[bytes], kinds: Iterable[str] | None = None) -> str | None:
    """The kind of ``stream`` by content: one of ``kinds`` (default: every kind known here,
    including ``zip`` for another ZIP file and ``ole`` for a legacy Office file), or None.

    The stream is read from the start and put back at the start. A ZIP is opened only when a
    package kind (xlsx, docx, zip) is asked for."""
    wanted = set(kinds) if kinds is not None else {*SIGNATURES, *PACKAGE_PARTS, ZIP, OLE}
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    for kind, signature in SIGNATURES.items():
        if head.startswith(signature):
            return kind if kind in wanted else None
    if head.startswith(OLE_SIGNATURE):
        return OLE if OLE in wanted else None
    if head.startswith(ZIP_SIGNATURE) and wanted & {*PACKAGE_PARTS, ZIP}:
        try:
            kind = _package_kind(stream)
        finally:
            stream.seek(0)
        return kind if kind in wanted else None
    return None


def sha256(stream: IO[bytes]) -> str:
    """Hex SHA-256 of the whole stream, read in chunks; the stream is put back at the start."""
    stream.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1 << 16), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()
