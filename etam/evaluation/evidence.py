"""Evidence (data dukung): what a file really is, and how far the evidence carries a claim.

File types are decided by content (``etam.core.filetypes``), never by name or
browser-declared type. The evidence ladder is cumulative: a claim at level L is backed when
every level 1..L that expects evidence has at least one item labelled with that level
(docs/adr/0022-evidence-ladder.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings

from etam.core import filetypes

ALLOWED_KINDS = {kind: filetypes.CONTENT_TYPES[kind] for kind in ("pdf", "jpeg", "png", "xlsx", "docx")}
ALLOWED_LABEL = "PDF, JPEG, PNG, XLSX, DOCX"


def max_evidence_bytes() -> int:
    return int(getattr(settings, "EVALUATION_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))


def sniff(stream: IO[bytes]) -> str | None:
    """The kind of file by its content, or None when it is none of the allowed kinds."""
    return filetypes.sniff(stream, ALLOWED_KINDS)


sha256_of = filetypes.sha256


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
