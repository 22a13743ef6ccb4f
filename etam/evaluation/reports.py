"""Evaluation reports: PDF (reportlab) and XLSX (openpyxl); reading earlier results from XLSX.

The XLSX report's sheet "Indikator" is also the import format: a previous year's results
come back in through ``services.results_import`` (which reads them with ``parse_results``)
with the same column names.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from etam.core import exports, spreadsheets
from etam.evaluation import evidence as ev
from etam.evaluation.models import Evaluation, Framework
from etam.evaluation.scores import score_evaluation, shape_of
from etam.evaluation.selectors import IndicatorRow, indicator_rows

COL_NUMBER = "Nomor Indikator"
COL_SELF = "Tingkat Mandiri"
COL_FINAL = "Tingkat Akhir"
COL_FACT = "Kalimat Fakta"
COL_ANALYSIS = "Kalimat Analisis"
INDICATOR_HEADERS = [
    COL_NUMBER,
    "Domain",
    "Aspek",
    "Indikator",
    "Bobot (%)",
    "OPD Penanggung Jawab",
    COL_SELF,
    COL_FINAL,
    "Selisih",
    COL_FACT,
    COL_ANALYSIS,
    "Bukti Dukung",
]


def _fmt(value: Any) -> str:
    """A cell of the PDF: scores with the Indonesian decimal comma, as on the pages and
    in the published results (3,79), never the English point."""
    if value is None:
        return "–"
    if isinstance(value, Decimal):
        return str(value).replace("-", "−").replace(".", ",")
    return str(value)


def _evidence_text(row: IndicatorRow) -> list[str]:
    if row.claim is None:
        return []
    return [
        f"L{item.level}: {item.title} ({item.url or (item.file.name or '').rsplit('/', 1)[-1]})"
        for item in row.claim.evidence.all()
    ]


# ---------------------------------------------------------------- XLSX


def _report_inputs(user: Any, evaluation: Evaluation) -> tuple[Any, Any, dict[int, str], dict[int, str]]:
    """What both reports read: the scores, the indicator rows the user may see, domain and aspect names."""
    domains = {d.number: d.name for d in evaluation.framework.domains.all()}
    aspects = {a.number: a.name for a in evaluation.framework.aspects.all()}
    return score_evaluation(evaluation), indicator_rows(user, evaluation), domains, aspects


def report_xlsx(user: Any, evaluation: Evaluation) -> bytes:
    scores, rows, domains, aspects = _report_inputs(user, evaluation)
    wb = Workbook()
    summary = wb.active
    summary.title = "Ringkasan"
    bold = Font(bold=True)
    summary.append(["Laporan Evaluasi SPBE"])
    summary["A1"].font = Font(bold=True, size=14)
    if evaluation.is_demo:
        summary.append(["DATA DEMO — bukan hasil resmi"])
    summary.append(["Instansi", evaluation.institution.name])
    summary.append(["Periode", evaluation.period])
    summary.append(["Tahap", evaluation.get_stage_display()])
    summary.append(["Kerangka", str(evaluation.framework)])
    summary.append([])
    summary.append(["", "Penilaian mandiri", "Hasil penilaian"])
    summary.append(["Indeks", scores.self_sheet.overall.index, scores.assessed_sheet.overall.index])
    summary.append(["Predikat", scores.self_sheet.predicate or "", scores.assessed_sheet.predicate or ""])
    summary.append(
        [
            "Lengkap",
            "ya" if scores.self_sheet.complete else "tidak",
            "ya" if scores.assessed_sheet.complete else "tidak",
        ]
    )
    for number, name in domains.items():
        summary.append(
            [
                f"Domain {number}. {name}",
                scores.self_sheet.domains[number].index,
                scores.assessed_sheet.domains[number].index,
            ]
        )
    for number, name in aspects.items():
        summary.append(
            [
                f"Aspek {number}. {name}",
                scores.self_sheet.aspects[number].index,
                scores.assessed_sheet.aspects[number].index,
            ]
        )
    summary.column_dimensions["A"].width = 60
    sheet = wb.create_sheet("Indikator")
    sheet.append(INDICATOR_HEADERS)
    for cell in sheet[1]:
        cell.font = bold
    for row in rows:
        ind = row.indicator
        sheet.append(
            [
                ind.number,
                domains.get(ind.aspect.domain.number, ""),
                aspects.get(ind.aspect.number, ""),
                ind.name,
                float(ind.weight),
                str(row.assignment.agency) if row.assignment else "",
                row.claim.level if row.claim else None,
                row.assessed,
                row.difference,
                row.claim.fact if row.claim else "",
                row.claim.analysis if row.claim else "",
                "\n".join(_evidence_text(row)),
            ]
        )
    sheet.column_dimensions["D"].width = 60
    exports.neutralise_workbook(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- PDF


def _bar_chart(title: str, labels: list[str], self_values: list[Any], assessed_values: list[Any]) -> Any:
    """A horizontal bar chart (0–5) of self-assessed and assessed indices, reportlab graphics."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, String

    height = 40 + 26 * len(labels)
    drawing = Drawing(260 * mm, height + 30)
    drawing.add(String(0, height + 16, title, fontName="Helvetica-Bold", fontSize=11))
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 95 * mm, 20, 140 * mm, height - 20
    chart.data = [
        [float(v) if v is not None else 0 for v in reversed(self_values)],
        [float(v) if v is not None else 0 for v in reversed(assessed_values)],
    ]
    chart.categoryAxis.categoryNames = list(reversed(labels))
    chart.categoryAxis.labels.fontSize = 9
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 5, 1
    chart.valueAxis.labels.fontSize = 9
    chart.bars[0].fillColor = colors.HexColor("#9cc5bb")
    chart.bars[1].fillColor = colors.HexColor("#1f6f5c")
    chart.barLabelFormat = lambda v: _fmt(Decimal(str(round(v, 2)))) if v else ""
    chart.barLabels.fontSize = 9
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 95 * mm, height + 20
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontSize = 9
    legend.colorNamePairs = [
        (chart.bars[0].fillColor, "Penilaian mandiri"),
        (chart.bars[1].fillColor, "Hasil penilaian"),
    ]
    legend.dx = legend.dy = 8
    legend.deltax = 120
    drawing.add(legend)
    return drawing


def report_pdf(user: Any, evaluation: Evaluation) -> bytes:
    scores, rows, domains, aspects = _report_inputs(user, evaluation)
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=9, leading=11)
    body = styles["BodyText"].clone("body9", fontSize=10, leading=13)
    s, a = scores.self_sheet, scores.assessed_sheet
    provisional = not a.complete
    title = f"Laporan Evaluasi SPBE {evaluation.institution.name} {evaluation.period}"
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=18 * mm,
        bottomMargin=15 * mm,
        title=title + (" (sementara)" if provisional else ""),
        author=evaluation.institution.name,
        subject=f"Evaluasi SPBE periode {evaluation.period}, {evaluation.framework}",
        creator="Etam SPBE Kaltim",
    )

    def every_page(canvas: Any, page_doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 9)
        width, height = landscape(A4)
        canvas.drawString(15 * mm, height - 10 * mm, title)
        canvas.drawRightString(width - 15 * mm, 8 * mm, f"Halaman {page_doc.page}")
        if provisional:
            canvas.setFont("Helvetica-Bold", 9)
            canvas.drawRightString(
                width - 15 * mm, height - 10 * mm, "INDEKS SEMENTARA — belum semua indikator dinilai"
            )
        canvas.restoreState()

    def diff(x: Any, y: Any) -> str:
        return _fmt(None if x is None or y is None else y - x)

    predikat = (a.predicate or "–") if not provisional else "– (indeks sementara: belum ada predikat)"
    summary = [
        ["", "Penilaian mandiri", "Hasil penilaian"],
        ["Indeks SPBE", _fmt(s.overall.index), _fmt(a.overall.index) + (" (sementara)" if provisional else "")],
        ["Predikat", (s.predicate or "–") if s.complete else "–", Paragraph(_esc(predikat), small)],
        [
            "Indikator dinilai",
            f"{s.overall.counted} dari {s.overall.total}",
            f"{a.overall.counted} dari {a.overall.total}",
        ],
    ]
    summary_table = _grid_table(summary, [60, 50, 80], font_size=10, repeat_header=False)
    story: list[Any] = [
        Spacer(1, 14 * mm),
        Paragraph("Laporan Evaluasi SPBE", styles["Title"]),
        Paragraph(_esc(evaluation.institution.name), styles["Heading1"]),
        Paragraph(f"Periode {evaluation.period} · Tahap: {evaluation.get_stage_display()}", styles["Heading2"]),
        Paragraph(_esc(f"Kerangka: {evaluation.framework}"), body),
        Spacer(1, 6 * mm),
        summary_table,
        Spacer(1, 6 * mm),
    ]
    if provisional:
        story.append(
            Paragraph(
                f"<b>Indeks sementara.</b> Baru {a.overall.counted} dari {a.overall.total} indikator dinilai; "
                "indeks dihitung dari indikator yang sudah dinilai saja dan belum diberi predikat.",
                body,
            )
        )
    if evaluation.is_demo:
        story.append(Paragraph("<b>DATA DEMO — bukan hasil resmi.</b>", styles["Heading2"]))
    story.append(Paragraph(f"Dibuat {timezone.localtime():%d/%m/%Y %H:%M} WITA oleh Etam", body))
    story.append(PageBreak())
    story.append(Paragraph("Nilai per domain dan aspek", styles["Heading1"]))
    # Domains then aspects: the same chart and the same score rows, read from the two score maps.
    groups = (("Domain", domains, s.domains, a.domains), ("Aspek", aspects, s.aspects, a.aspects))
    for label, names, mine, final in groups:
        story.append(
            _bar_chart(
                f"Indeks per {label.lower()}",
                [f"{label} {n}. {name}"[:48] for n, name in names.items()],
                [mine[n].index for n in names],
                [final[n].index for n in names],
            )
        )
        story.append(PageBreak())
    story.append(Paragraph("Nilai", styles["Heading1"]))
    score_rows: list[list[Any]] = [["", "Penilaian mandiri", "Hasil penilaian", "Selisih"]]
    score_rows.append(
        ["Indeks SPBE", _fmt(s.overall.index), _fmt(a.overall.index), diff(s.overall.index, a.overall.index)]
    )
    score_rows.append(["Predikat", (s.predicate or "–") if s.complete else "–", Paragraph(_esc(predikat), small), ""])
    for label, names, mine, final in groups:
        for number, name in names.items():
            score_rows.append(
                [
                    Paragraph(_esc(f"{label} {number}. {name}"), small),
                    _fmt(mine[number].index),
                    _fmt(final[number].index),
                    diff(mine[number].index, final[number].index),
                ]
            )
    story.append(_grid_table(score_rows, [140, 35, 45, 25]))
    story.append(PageBreak())
    story.append(Paragraph("Indikator", styles["Heading1"]))
    ind_rows: list[list[Any]] = [["No", "Indikator", "OPD", "Mandiri", "Akhir", "Justifikasi", "Bukti dukung"]]
    for row in rows:
        justification = ""
        if row.claim:
            justification = f"<b>Fakta:</b> {_esc(row.claim.fact)}<br/><b>Analisis:</b> {_esc(row.claim.analysis)}"
        ind_rows.append(
            [
                str(row.indicator.number),
                Paragraph(_esc(row.indicator.name), small),
                Paragraph(_esc(str(row.assignment.agency)) if row.assignment else "–", small),
                _fmt(row.claim.level if row.claim else None),
                _fmt(row.assessed),
                Paragraph(justification or "–", small),
                Paragraph("<br/>".join(_esc(t) for t in _evidence_text(row)) or "–", small),
            ]
        )
    story.append(_grid_table(ind_rows, [10, 60, 30, 16, 14, 80, 57]))
    doc.build(story, onFirstPage=every_page, onLaterPages=every_page)
    return out.getvalue()


def _grid_table(rows: list[list[Any]], widths_mm: list[int], *, font_size: int = 9, repeat_header: bool = True) -> Any:
    """A gridded table with a bold, tinted header row: every table of the report looks alike."""
    extra = {"repeatRows": 1} if repeat_header else {}
    table = Table(rows, colWidths=[w * mm for w in widths_mm], **extra)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), font_size),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4efec")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _esc(text: str) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---------------------------------------------------------------- import


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


class ResultsImportError(ValidationError):
    def __init__(self, errors: list[RowError]):
        super().__init__({"file": [f"{_('Row')} {e.row}, {e.column}: {e.message}" for e in errors]})
        self.errors = errors


def _level(value: Any) -> int | str | None:
    """None for blank; an int; or "bad" for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return "bad"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return "bad"


def parse_results(
    upload: IO[bytes], framework: Framework
) -> tuple[dict[int, tuple[int | None, int | None, str, str]], list[RowError]]:
    """Read indicator rows; return {number: (self, final, fact, analysis)} and every error."""
    if ev.sniff(upload) != "xlsx":
        return {}, [RowError(0, "file", _("The file is not an XLSX workbook."))]
    try:
        spreadsheets.check_xlsx(upload, _results_limits())
        wb = load_workbook(upload, read_only=True, data_only=True)
    except spreadsheets.SpreadsheetTooLarge as exc:
        return {}, [RowError(0, "file", exc.message)]
    except Exception:  # openpyxl raises many kinds for a broken package
        return {}, [RowError(0, "file", _("The workbook cannot be read."))]
    try:
        sheet = wb["Indikator"] if "Indikator" in wb.sheetnames else wb.worksheets[0]
        return _parse_rows(spreadsheets.iter_rows(sheet, _results_limits()), framework)
    except spreadsheets.SpreadsheetTooLarge as exc:
        return {}, [RowError(0, "file", exc.message)]
    finally:
        wb.close()


def _results_limits() -> spreadsheets.Limits:
    """A results workbook has one row per indicator: a few hundred rows at most."""
    return spreadsheets.limits(rows=2_000, columns=100)


def _parse_rows(
    rows: Iterator[tuple[Any, ...]], framework: Framework
) -> tuple[dict[int, tuple[int | None, int | None, str, str]], list[RowError]]:
    header = next(rows, None)
    if header is None:
        return {}, [RowError(1, "-", _("The sheet is empty."))]
    columns = {str(h).strip(): i for i, h in enumerate(header) if h is not None}
    errors: list[RowError] = []
    if COL_NUMBER not in columns:
        errors.append(RowError(1, COL_NUMBER, _("Column %(name)s is missing.") % {"name": COL_NUMBER}))
    if COL_SELF not in columns and COL_FINAL not in columns:
        errors.append(RowError(1, COL_FINAL, _("Column %(a)s or %(b)s is needed.") % {"a": COL_FINAL, "b": COL_SELF}))
    if errors:
        return {}, errors
    shape = shape_of(framework)
    scales = {n: (i.scale.min_level, i.scale.max_level) for n, i in shape.indicators.items()}
    result: dict[int, tuple[int | None, int | None, str, str]] = {}
    seen_rows: dict[int, int] = {}

    def cell(values: tuple[Any, ...], name: str) -> Any:
        index = columns.get(name)
        return values[index] if index is not None and index < len(values) else None

    for row_no, values in enumerate(rows, start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        number = _level(cell(values, COL_NUMBER))
        if number is None or number == "bad":
            errors.append(RowError(row_no, COL_NUMBER, _("An indicator number is expected.")))
            continue
        assert isinstance(number, int)
        if number not in scales:
            errors.append(
                RowError(
                    row_no,
                    COL_NUMBER,
                    _("Indicator %(number)s is not part of %(framework)s.")
                    % {"number": number, "framework": framework},
                )
            )
            continue
        if number in seen_rows:
            errors.append(
                RowError(
                    row_no,
                    COL_NUMBER,
                    _("Indicator %(number)s already appears in row %(row)s.")
                    % {"number": number, "row": seen_rows[number]},
                )
            )
            continue
        seen_rows[number] = row_no
        low, high = scales[number]
        levels: list[int | None] = []
        for column in (COL_SELF, COL_FINAL):
            value = _level(cell(values, column))
            if value == "bad" or (isinstance(value, int) and not low <= value <= high):
                errors.append(
                    RowError(
                        row_no,
                        column,
                        _("Level for indicator %(number)s: a whole number from %(min)s to %(max)s is expected.")
                        % {"number": number, "min": low, "max": high},
                    )
                )
                value = None
            levels.append(value if isinstance(value, int) else None)
        result[number] = (
            levels[0],
            levels[1],
            str(cell(values, COL_FACT) or "").strip(),
            str(cell(values, COL_ANALYSIS) or "").strip(),
        )
    if not result and not errors:
        errors.append(RowError(2, COL_NUMBER, _("The sheet holds no indicator rows.")))
    return result, errors


def report_filename(evaluation: Evaluation, extension: str) -> str:
    stamp = datetime.now().strftime("%Y%m%d")  # noqa: DTZ005 (a file name, local time is what people expect)
    return f"evaluasi-spbe-{evaluation.institution.region_code}-{evaluation.period}-{stamp}.{extension}"
