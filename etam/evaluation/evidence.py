"""Evidence (data dukung): what a file really is, and how far the evidence carries a claim.

File types are decided by content, never by name or browser-declared type: PDF, JPEG and
PNG by their signatures, XLSX and DOCX by being ZIP packages that hold the part their
format requires. The evidence ladder is cumulative: a claim at level L is backed when
every level 1..L that expects evidence has at least one item labelled with that level
(docs/adr/0022-evidence-ladder.md).
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings

ALLOWED_KINDS = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
ALLOWED_LABEL = "PDF, JPEG, PNG, XLSX, DOCX"


def max_evidence_bytes() -> int:
    return int(getattr(settings, "EVALUATION_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))


def sniff(stream: IO[bytes]) -> str | None:
    """The kind of file by its content, or None when it is none of the allowed kinds."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(stream) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        finally:
            stream.seek(0)
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "xlsx"
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
    return None


def sha256_of(stream: IO[bytes]) -> str:
    stream.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(65536), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


@dataclass
class LadderStep:
    level: int
    expected: list[str]
    items: list[Any] = field(default_factory=list)

    @property
    def present(self) -> bool:
        return not self.expected or bool(self.items)


@dataclass
class LadderStatus:
    claimed: int | None
    steps: list[LadderStep]

    @property
    def supported_level(self) -> int:
        """The highest level up to which every step that expects evidence has some."""
        supported = 0
        for step in self.steps:
            if not step.present:
                break
            supported = step.level
        return supported

    @property
    def outruns(self) -> bool:
        return self.claimed is not None and self.claimed > self.supported_level

    @property
    def missing(self) -> list[LadderStep]:
        return [s for s in self.steps if self.claimed is not None and s.level <= self.claimed and not s.present]


def ladder(
    claimed: int | None,
    expectations: Iterable[Any],
    evidence: Iterable[Any],
    *,
    min_level: int = 1,
    max_level: int = 5,
) -> LadderStatus:
    """Steps min..max with the expected evidence and the items labelled with each level."""
    expected: dict[int, list[str]] = {}
    for e in expectations:
        expected.setdefault(e.level, []).append(e.description)
    items: dict[int, list[Any]] = {}
    for item in evidence:
        items.setdefault(item.level, []).append(item)
    steps = [
        LadderStep(level=lv, expected=expected.get(lv, []), items=items.get(lv, []))
        for lv in range(min_level, max_level + 1)
    ]
    return LadderStatus(claimed=claimed, steps=steps)


def outrunning(statuses: Sequence[tuple[Any, LadderStatus]]) -> list[Any]:
    return [obj for obj, status in statuses if status.outruns]
