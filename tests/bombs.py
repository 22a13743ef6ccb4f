"""XLSX bombs made at test time (no large binaries in the repository).

A real workbook is written with openpyxl, then parts are swapped for generated XML that
compresses to almost nothing: a shared strings table of millions of entries, or a sheet
whose rows go on and on."""

from __future__ import annotations

import contextlib
import io
import zipfile
from collections.abc import Iterator

from openpyxl import Workbook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def workbook(rows: list[list[object]], title: str = "Sheet") -> bytes:
    wb = Workbook()
    sheet = wb.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _swap(original: bytes, parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        names = [info.filename for info in src.infolist()]
        for name in names + [n for n in parts if n not in names]:
            data = parts[name] if name in parts else src.read(name)
            dst.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def shared_strings_bomb(header: list[str], entries: int = 2_000_000, text: str = "x" * 10) -> bytes:
    """A workbook with a ``header`` row and a data row whose shared strings table (openpyxl
    writes inline strings; Excel writes this table) holds ``entries`` more strings, about
    ``17 + len(text)`` bytes each once unpacked. Distinct texts (``text=""``) cost the reader
    most memory; identical ones compress most."""
    original = workbook([header, [f"{h}-1" for h in header]])
    with zipfile.ZipFile(io.BytesIO(original)) as src:
        types = src.read("[Content_Types].xml").decode()
        rels = src.read("xl/_rels/workbook.xml.rels").decode()
    types = types.replace("</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST_TYPE}"/></Types>')
    rels = rels.replace(
        "</Relationships>", f'<Relationship Id="rIdSst" Type="{SST_REL}" Target="sharedStrings.xml"/></Relationships>'
    )
    own = "".join(f"<si><t>{h}</t></si>" for h in header)
    filler = (
        "".join(f"<si><t>{text or i}</t></si>" for i in range(entries))
        if not text
        else f"<si><t>{text}</t></si>" * entries
    )
    table = (
        f'<sst xmlns="{MAIN}" count="{entries + len(header)}" uniqueCount="{entries + len(header)}">{own}{filler}</sst>'
    )
    return _swap(
        original,
        {
            "[Content_Types].xml": types.encode(),
            "xl/_rels/workbook.xml.rels": rels.encode(),
            "xl/sharedStrings.xml": table.encode(),
        },
    )


def rows_bomb(header: list[str], rows: int = 1_000_000, dimension: str = "") -> bytes:
    """A workbook with ``header`` and then ``rows`` identical rows of one number (rows
    without a row number, which the format allows), compressed into a few hundred KB;
    ``dimension`` (e.g. ``A1:XFD1048576``) is what the sheet declares about its size (nothing
    by default: openpyxl then reads every row)."""
    original = workbook([header])
    with zipfile.ZipFile(io.BytesIO(original)) as src:
        sheet = src.read("xl/worksheets/sheet1.xml").decode()
    sheet = sheet.replace("</sheetData>", "<row><c><v>1</v></c></row>" * rows + "</sheetData>")
    start = sheet.index("<dimension ref=")
    end = sheet.index("/>", start) + 2
    sheet = sheet[:start] + (f'<dimension ref="{dimension}"/>' if dimension else "") + sheet[end:]
    return _swap(original, {"xl/worksheets/sheet1.xml": sheet.encode()})


def part_size(data: bytes, part: str) -> int:
    """What one member of the archive declares it unpacks to."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.getinfo(part).file_size


SHARED_STRINGS = "xl/sharedStrings.xml"
SHEET = "xl/worksheets/sheet1.xml"
SCAN_WINDOW = 1 << 20  # etam.core.spreadsheets scans a part in windows of 1 MiB


def assert_stopped_early(counter: UnpackCounter, data: bytes, part: str, at_most: int = SCAN_WINDOW) -> None:
    """The refusal came after unpacking at most ``at_most`` bytes (by default one scan window) of a
    bomb part at least four times larger: the rest was never inflated."""
    size, read = part_size(data, part), counter.of(part)
    assert size >= 4 * at_most, f"{part} unpacks to {size} bytes: too small a bomb to show this"
    assert read <= at_most, f"{read} of the {size} bytes of {part} were unpacked before the refusal"


class UnpackCounter:
    def __init__(self) -> None:
        self.by_part: dict[str, int] = {}

    def of(self, part: str) -> int:
        return self.by_part.get(part, 0)


@contextlib.contextmanager
def counting_unpacked_bytes() -> Iterator[UnpackCounter]:
    """Counts, per archive member, the bytes every zip member gives its readers (check_xlsx's scans
    and openpyxl alike) while the block runs. A bomb "refused in seconds" is one refused after
    unpacking a small share of its inflated part: this is that operation count, which a slow or
    busy machine cannot make flaky."""
    counter = UnpackCounter()
    real_read, real_read1 = zipfile.ZipExtFile.read, zipfile.ZipExtFile.read1

    def counted(self, data):
        counter.by_part[self.name] = counter.by_part.get(self.name, 0) + len(data)
        return data

    def read(self, n=-1):
        return counted(self, real_read(self, n))

    def read1(self, n=-1):
        return counted(self, real_read1(self, n))

    zipfile.ZipExtFile.read, zipfile.ZipExtFile.read1 = read, read1  # type: ignore[method-assign]
    try:
        yield counter
    finally:
        zipfile.ZipExtFile.read, zipfile.ZipExtFile.read1 = real_read, real_read1  # type: ignore[method-assign]
