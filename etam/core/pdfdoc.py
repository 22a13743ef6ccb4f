"""Plain report PDFs (reportlab platypus) for any app: A4, the standard fonts, a heading, key/value
blocks, grid tables and the page number in the footer. Documents with a letterhead and a signature
stay in ``etam.eservices.documents``; this is for the figures a unit prints or files.

Text is escaped here (callers pass plain strings) and characters outside the standard fonts'
WinAnsi set are replaced, so a name with "→" or an emoji never draws a black box.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

_REPLACE = {"→": "»", "−": "-", "≥": ">=", "≤": "<=", "…": "..."}


def plain(text: Any) -> str:
    """``text`` as a string the standard PDF fonts can draw, escaped for a Paragraph."""
    out = str(text)
    for old, new in _REPLACE.items():
        out = out.replace(old, new)
    out = out.encode("cp1252", errors="replace").decode("cp1252")
    return escape(out)


def number(value: Any, places: int = 2) -> str:
    """A figure with the Indonesian decimal comma ("80,56"); "–" when there is none."""
    if value is None:
        return "-"
    if isinstance(value, int):
        return str(value)
    return f"{float(value):.{places}f}".replace(".", ",")


@dataclass
class Document:
    """A report being assembled: ``heading``, ``para``, ``pairs``, ``table``; ``render`` gives the bytes."""

    title: str
    story: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        base = getSampleStyleSheet()
        self.body = ParagraphStyle("pd-body", parent=base["BodyText"], fontSize=10, leading=13)
        self.cell = ParagraphStyle("pd-cell", parent=base["BodyText"], fontSize=9, leading=11)
        self.head = ParagraphStyle("pd-h", parent=base["Heading2"], fontSize=12, leading=15, spaceBefore=8)
        self.top = ParagraphStyle("pd-title", parent=base["Title"], fontSize=14, leading=18)
        self.story.append(Paragraph(plain(self.title), self.top))

    def heading(self, text: str) -> None:
        self.story.append(Paragraph(plain(text), self.head))

    def para(self, text: str) -> None:
        self.story.append(Paragraph(plain(text), self.body))

    def space(self, height_mm: float = 3) -> None:
        self.story.append(Spacer(1, height_mm * mm))

    def pairs(self, rows: Sequence[tuple[str, Any]]) -> None:
        """Label/value lines (identity of the unit, period, ...)."""
        data = [[Paragraph(f"<b>{plain(k)}</b>", self.cell), Paragraph(plain(v), self.cell)] for k, v in rows]
        table = Table(data, colWidths=[55 * mm, 115 * mm], hAlign="LEFT")
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
        self.story.append(table)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]], widths_mm: Sequence[float]) -> None:
        """A grid table with a shaded header row; cells wrap."""
        data = [[Paragraph(f"<b>{plain(h)}</b>", self.cell) for h in header]]
        data += [[Paragraph(plain(c).replace("\n", "<br/>"), self.cell) for c in row] for row in rows]
        table = Table(data, colWidths=[w * mm for w in widths_mm], repeatRows=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        self.story.append(table)

    def render(self, footer: str = "") -> bytes:
        out = io.BytesIO()
        doc = SimpleDocTemplate(
            out, pagesize=A4, title=self.title, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm
        )

        def page(canvas: Any, _doc: Any) -> None:
            canvas.saveState()
            canvas.setFont("Helvetica", 8)
            text = f"{plain(footer)}  -  {canvas.getPageNumber()}" if footer else str(canvas.getPageNumber())
            canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, text.replace("&amp;", "&"))
            canvas.restoreState()

        doc.build(self.story, onFirstPage=page, onLaterPages=page)
        return out.getvalue()
