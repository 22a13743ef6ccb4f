"""The shared content sniffer (etam.core.filetypes, ADR 0092)."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from etam.core import filetypes
from tests import bombs


def package(*names: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in names:
            z.writestr(name, "<x/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-1.7\n...", "pdf"),
        (b"\xff\xd8\xff\xe0JFIF", "jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "png"),
        (bombs.workbook([["a"], [1]]), "xlsx"),
        (package("[Content_Types].xml", "word/document.xml"), "docx"),
        (package("a.txt"), "zip"),
        (package("xl/workbook.xml"), "zip"),  # no manifest: not an Office package
        (b"PK\x03\x04 not really a zip", "zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....", "ole"),
        (b"kota,jumlah\n", None),
        (b"", None),
    ],
)
def test_sniff_by_content(content, kind):
    stream = io.BytesIO(content)
    stream.seek(3 if content else 0)
    assert filetypes.sniff(stream) == kind
    assert stream.tell() == 0  # put back at the start


def test_sniff_answers_only_the_kinds_asked_for():
    pdf = io.BytesIO(b"%PDF-1.4")
    assert filetypes.sniff(pdf, ["png", "jpeg"]) is None
    assert filetypes.sniff(pdf, ["pdf"]) == "pdf"
    xlsx = io.BytesIO(bombs.workbook([["a"]]))
    assert filetypes.sniff(xlsx, ["pdf", "jpeg", "png"]) is None  # a zip is not opened when no package is wanted
    assert filetypes.sniff(xlsx, ["docx"]) is None
    assert filetypes.sniff(io.BytesIO(package("a.txt")), ["xlsx", "docx"]) is None


def test_sha256_reads_the_whole_stream_and_rewinds():
    data = b"x" * 200_000
    stream = io.BytesIO(data)
    stream.seek(10)
    assert filetypes.sha256(stream) == hashlib.sha256(data).hexdigest()
    assert stream.tell() == 0


def test_every_known_kind_has_a_content_type():
    assert set(filetypes.SIGNATURES) | set(filetypes.PACKAGE_PARTS) == set(filetypes.CONTENT_TYPES)
