"""The shared guard for uploaded XLSX files (issue 10, finding 5; docs/adr/0073-bounded-spreadsheet-uploads.md).
The bombs are made here, at test time."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from etam.core import spreadsheets
from tests import bombs


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):  # the Indonesian messages are checked by each reader's tests
        yield


def refused(data: bytes, lim: spreadsheets.Limits | None = None, *, read: bool = False, part: str = "") -> str:
    """The refusal's message. With ``part``: "refused in seconds" as work, not time — at most one
    scan window of that inflated part was unpacked before the refusal (bombs.assert_stopped_early)."""
    with bombs.counting_unpacked_bytes() as unpacked, pytest.raises(spreadsheets.SpreadsheetTooLarge) as exc:
        spreadsheets.check_xlsx(data, lim)
        if read:
            book = load_workbook(io.BytesIO(data), read_only=True)
            for _row in spreadsheets.iter_rows(book.worksheets[0], lim):
                pass
    if part:
        bombs.assert_stopped_early(unpacked, data, part)
    return exc.value.message


def test_the_84_kb_bomb_of_34_mb_shared_strings_is_refused_by_its_compression_ratio():
    bomb = bombs.shared_strings_bomb(["kode_wilayah", "nama"], entries=1_300_000)
    assert len(bomb) < 120_000
    message = refused(bomb, part=bombs.SHARED_STRINGS)
    assert "xl/sharedStrings.xml" in message and "100 to 1" in message and message.startswith("File:")


def test_shared_strings_are_counted_while_streaming(settings):
    settings.SPREADSHEET_MAX_RATIO = 10_000  # only the count can stop it
    settings.SPREADSHEET_MAX_SHARED_STRINGS = 1_000
    message = refused(bombs.shared_strings_bomb(["a"], entries=5_000, text=""))
    assert "more than 1000 distinct texts" in message


def test_shared_strings_size_and_the_unpacked_total_are_capped(settings):
    settings.SPREADSHEET_MAX_RATIO = 10_000
    bomb = bombs.shared_strings_bomb(["a"], entries=200_000)
    capped = spreadsheets.limits(shared_strings_bytes=1024 * 1024)
    assert "larger than 1 MB" in refused(bomb, capped, part=bombs.SHARED_STRINGS)
    assert "at most 2 MB" in refused(bomb, spreadsheets.limits(unpacked_bytes=2 * 1024 * 1024))


def test_rows_stop_at_the_cap_while_streaming():
    bomb = bombs.rows_bomb(["nilai"], rows=1_000_000)
    message = refused(bomb, spreadsheets.limits(rows=1_000, ratio=100_000), read=True, part=bombs.SHEET)
    assert "more than 1000 rows" in message


def test_a_declared_size_beyond_the_caps_is_refused_before_any_row():
    wide = bombs.rows_bomb(["nilai"], rows=10, dimension="A1:XFD11")
    assert "more than 1000 columns" in refused(wide, read=True)
    tall = bombs.rows_bomb(["nilai"], rows=10, dimension="A1:A1048576")
    assert "more than 5000 rows" in refused(tall, spreadsheets.limits(rows=5_000), read=True)


def test_an_ordinary_workbook_reads_unchanged():
    data = bombs.shared_strings_bomb(["kode_wilayah", "nama"], entries=10)
    spreadsheets.check_xlsx(data)
    book = load_workbook(io.BytesIO(data), read_only=True)
    assert list(spreadsheets.iter_rows(book.worksheets[0])) == [
        ("kode_wilayah", "nama"),
        ("kode_wilayah-1", "nama-1"),
    ]


def test_a_file_that_is_not_a_zip_is_left_to_openpyxl():
    stream = io.BytesIO(b"kode;nama\n1;a\n")
    stream.seek(3)
    spreadsheets.check_xlsx(stream)
    assert stream.tell() == 3


def _styles_bomb(xf_count: int) -> bytes:
    """A two-row workbook whose styles part lists ``xf_count`` cell formats, varied so that it
    compresses far below the ratio cap (the issue-10 re-check: 1.5 M formats, a 3.4 MB file,
    styles.xml 128 MB at 36:1, took openpyxl 43.8 s and 3.1 GB to open)."""
    import random
    import zipfile

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["a", "b"])
    plain = io.BytesIO()
    workbook.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    out = io.BytesIO()
    rnd = random.Random(1)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/styles.xml":
                text = data.decode()
                xfs = "".join(
                    f'<xf numFmtId="{rnd.randint(0, 163)}" fontId="0" fillId="0" borderId="0" xfId="0"/>'
                    for _ in range(xf_count)
                )
                start, end = text.index("<cellXfs"), text.index("</cellXfs>") + len("</cellXfs>")
                data = (text[:start] + f'<cellXfs count="{xf_count}">{xfs}</cellXfs>' + text[end:]).encode()
            target.writestr(item, data)
    return out.getvalue()


def test_a_workbook_with_a_huge_styles_part_is_refused_before_openpyxl_parses_it(settings):
    """openpyxl parses the styles, workbook and theme parts whole when it opens a workbook
    (read-only too): their elements are counted as they unpack."""
    settings.SPREADSHEET_MAX_PART_ELEMENTS = 1_000
    with translation.override("id"), pytest.raises(spreadsheets.SpreadsheetTooLarge) as refused:
        spreadsheets.check_xlsx(_styles_bomb(5_000))
    assert "xl/styles.xml" in refused.value.message and "1000" in refused.value.message
    spreadsheets.check_xlsx(_styles_bomb(500))  # under the cap: left to openpyxl
