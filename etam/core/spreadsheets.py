"""Reading untrusted XLSX uploads without letting a small file unpack into gigabytes.

An XLSX is a zip of XML parts. openpyxl, even in read-only mode, reads the whole shared
strings table (every distinct text of the workbook) into a Python list when the workbook
opens, and pads every row to the width the sheet declares; only the rows themselves are
streamed. So an 84 KB workbook whose shared strings unpack to 34 MB held a request for
~55 s and several hundred MB. Every reader of uploaded workbooks (inventory import, Satu
Data upload, evaluation results import) therefore goes through here:

- ``check_xlsx`` before openpyxl opens the file: the sizes the zip declares (total and per
  part, against a compression ratio), then the shared strings part itself, decompressed
  as a stream and counted (bytes actually read and ``<si>`` entries) until a cap is hit;
- ``iter_rows`` while reading: the sheet's declared size, then every row as it streams,
  stopping at the row cap instead of after reading everything.

Each refusal is a ``SpreadsheetTooLarge`` whose message names the file field and the
limit. Limits are settings (``SPREADSHEET_*``, docs/adr/0073-bounded-spreadsheet-uploads.md);
a caller may pass tighter ones (``limits(rows=...)``).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import IO, Any

from defusedxml.ElementTree import iterparse
from django.conf import settings
from django.utils.translation import gettext as _

MB = 1024 * 1024
# Parts smaller than this are not held to the compression ratio: tiny XML compresses well.
RATIO_GRACE_BYTES = 1 * MB
_SI_TAG = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}si"


class SpreadsheetTooLarge(Exception):
    """The workbook is over one of the limits; ``message`` says which, for the file field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    unpacked_bytes: int
    ratio: int
    shared_strings: int
    shared_strings_bytes: int
    rows: int
    columns: int
    part_elements: int


def limits(**overrides: int) -> Limits:
    """The configured limits, optionally tightened for one reader."""
    base = Limits(
        unpacked_bytes=int(getattr(settings, "SPREADSHEET_MAX_UNPACKED_MB", 200)) * MB,
        ratio=int(getattr(settings, "SPREADSHEET_MAX_RATIO", 100)),
        shared_strings=int(getattr(settings, "SPREADSHEET_MAX_SHARED_STRINGS", 500_000)),
        shared_strings_bytes=int(getattr(settings, "SPREADSHEET_MAX_SHARED_STRINGS_MB", 50)) * MB,
        rows=int(getattr(settings, "SPREADSHEET_MAX_ROWS", 1_048_576)),
        columns=int(getattr(settings, "SPREADSHEET_MAX_COLUMNS", 1_000)),
        part_elements=int(getattr(settings, "SPREADSHEET_MAX_PART_ELEMENTS", 50_000)),
    )
    return replace(base, **overrides)


def _mb(n: int) -> str:
    return f"{n / MB:g}"


class _Capped(io.RawIOBase):
    """A read-only stream that refuses to give more than ``cap`` bytes (counted as read,
    whatever the zip declared)."""

    def __init__(self, source: IO[bytes], cap: int, problem: SpreadsheetTooLarge) -> None:
        self.source = source
        self.left = cap
        self.problem = problem

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.source.read(min(len(buffer), 1 << 16))
        self.left -= len(data)
        if self.left < 0:
            raise self.problem
        buffer[: len(data)] = data
        return len(data)


def _parts(archive: zipfile.ZipFile, lim: Limits) -> tuple[str | None, list[str], list[str]]:
    """Where openpyxl will look for the shared strings and the worksheets, and the parts it
    parses whole when it opens a workbook (workbook, styles, theme, properties, relations):
    the parts [Content_Types].xml names."""
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.xml import constants as c
    from openpyxl.xml.functions import fromstring

    if c.ARC_CONTENT_TYPES in archive.NameToInfo:
        _count_elements(archive, c.ARC_CONTENT_TYPES, lim)
    try:
        manifest = Manifest.from_tree(fromstring(archive.read(c.ARC_CONTENT_TYPES)))
    except Exception:  # no or a broken manifest: openpyxl will refuse the file itself
        return None, [], []
    strings = manifest.find(c.SHARED_STRINGS)
    sheets = [part.PartName[1:] for part in manifest.findall(c.WORKSHEET_TYPE)]
    whole = [c.ARC_ROOT_RELS, c.ARC_WORKBOOK_RELS, c.ARC_CORE, c.ARC_APP, c.ARC_CUSTOM]
    for part in manifest.Override:
        kind = part.ContentType or ""
        if kind in (c.STYLES_TYPE, c.THEME_TYPE, c.CPROPS_TYPE) or kind.endswith(".main+xml"):
            whole.append(part.PartName[1:])
    return (strings.PartName[1:] if strings is not None else None), sheets, whole


# A start tag, with or without a namespace prefix: <xf ...>, <x:xf/>; not </...>, <?...?>, <!...>.
_START_TAG_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?[A-Za-z_]")


def _count_matches(
    archive: zipfile.ZipFile, part: str, pattern: re.Pattern[bytes], cap: int, keep: int, too_many: SpreadsheetTooLarge
) -> None:
    """Matches of ``pattern`` in a part, counted by a byte scan (C-speed, no tree) as it
    unpacks; ``too_many`` is raised as soon as the count passes ``cap``."""
    count = 0
    tail = b""
    with archive.open(part) as raw:
        while chunk := raw.read(1 << 20):
            window = tail + chunk
            count += len(pattern.findall(window))
            if count > cap:
                raise too_many
            # Keep the end of the window, minus any match already counted inside it.
            end = window[-keep:]
            last = end.rfind(b"<")
            tail = end[last:] if last != -1 and not pattern.match(end[last:]) else b""


def _count_elements(archive: zipfile.ZipFile, part: str, lim: Limits) -> None:
    """Elements of a part openpyxl parses whole: a styles part of 1.5 M cell formats (128 MB,
    36:1, a 3.4 MB file) otherwise took openpyxl 44 s and 3.1 GB to open."""
    too_many = SpreadsheetTooLarge(
        _("File: part %(part)s of the workbook holds more than %(max)s elements.")
        % {"part": part[:80], "max": lim.part_elements}
    )
    _count_matches(archive, part, _START_TAG_RE, lim.part_elements, 64, too_many)


# A row element, with or without a namespace prefix: <row ...>, <x:row>.
_ROW_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")


def _count_rows(archive: zipfile.ZipFile, part: str, lim: Limits) -> None:
    """Row elements of a worksheet: openpyxl parses a whole worksheet that declares no
    ``<dimension>`` when it opens the workbook, before a single row is streamed; this scan
    stops at the cap first."""
    _count_matches(archive, part, _ROW_RE, lim.rows, 32, _too_many_rows(lim))


def check_xlsx(source: IO[bytes] | bytes, lim: Limits | None = None) -> None:
    """Refuse a workbook that would unpack beyond the limits, before openpyxl opens it.

    A file that is not a zip at all is left for openpyxl to refuse with its own message.
    ``source`` (a seekable file) is put back where it was."""
    lim = lim or limits()
    stream: IO[bytes] = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    start = stream.tell()
    try:
        try:
            archive = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, OSError, ValueError):
            return
        with archive:
            members = archive.infolist()
            total = sum(m.file_size for m in members)
            if total > lim.unpacked_bytes:
                raise SpreadsheetTooLarge(
                    _("File: the workbook unpacks to %(size)s MB; at most %(max)s MB is allowed.")
                    % {"size": round(total / MB), "max": _mb(lim.unpacked_bytes)}
                )
            for member in members:
                if member.file_size > RATIO_GRACE_BYTES and member.file_size > lim.ratio * max(member.compress_size, 1):
                    raise SpreadsheetTooLarge(
                        _(
                            "File: part %(part)s of the workbook is compressed %(ratio)s to 1; at most %(max)s to 1 "
                            "is allowed."
                        )
                        % {
                            "part": member.filename[:80],
                            "ratio": member.file_size // max(member.compress_size, 1),
                            "max": lim.ratio,
                        }
                    )
            strings, sheets, whole = _parts(archive, lim)
            for part in dict.fromkeys(whole):
                if part in archive.NameToInfo:
                    _count_elements(archive, part, lim)
            if strings is not None and strings in archive.NameToInfo:
                _count_shared_strings(archive, strings, lim)
            for sheet in sheets:
                if sheet in archive.NameToInfo:
                    _count_rows(archive, sheet, lim)
    finally:
        stream.seek(start)


def _count_shared_strings(archive: zipfile.ZipFile, part: str, lim: Limits) -> None:
    too_big = SpreadsheetTooLarge(
        _("File: the workbook's text table (shared strings) is larger than %(max)s MB.")
        % {"max": _mb(lim.shared_strings_bytes)}
    )
    if archive.getinfo(part).file_size > lim.shared_strings_bytes:
        raise too_big
    count = 0
    with archive.open(part) as raw:
        capped = io.BufferedReader(_Capped(raw, lim.shared_strings_bytes, too_big))
        try:
            for _event, element in iterparse(capped, events=("end",), forbid_dtd=True):
                if element.tag == _SI_TAG:
                    count += 1
                    if count > lim.shared_strings:
                        raise SpreadsheetTooLarge(
                            _("File: the workbook holds more than %(max)s distinct texts (shared strings).")
                            % {"max": lim.shared_strings}
                        )
                    element.clear()
        except (SyntaxError, ValueError):  # broken XML or a DTD: openpyxl refuses the file with its own message
            return


def iter_rows(sheet: Any, lim: Limits | None = None) -> Iterator[tuple[Any, ...]]:
    """``sheet.iter_rows(values_only=True)`` of a read-only worksheet, refused as soon as the
    sheet declares, or turns out to have, more rows or columns than the limits allow."""
    lim = lim or limits()
    declared_rows = getattr(sheet, "max_row", None) or 0
    declared_columns = getattr(sheet, "max_column", None) or 0
    if declared_rows > lim.rows:
        raise _too_many_rows(lim)
    if declared_columns > lim.columns:
        raise _too_many_columns(lim)
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > lim.rows:
            raise _too_many_rows(lim)
        if len(row) > lim.columns:
            if any(v is not None for v in row[lim.columns :]):
                raise _too_many_columns(lim)
            row = row[: lim.columns]
        yield row


def _too_many_rows(lim: Limits) -> SpreadsheetTooLarge:
    return SpreadsheetTooLarge(_("File: the sheet has more than %(max)s rows.") % {"max": lim.rows})


def _too_many_columns(lim: Limits) -> SpreadsheetTooLarge:
    return SpreadsheetTooLarge(_("File: the sheet has more than %(max)s columns.") % {"max": lim.columns})
