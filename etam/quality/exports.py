"""The SKM report of an OPD and period as XLSX (the figures of the report page; cells guarded by
``etam.core.exports``). Comments are left out: the file travels further than the page."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from etam.core import exports
from etam.quality.elements import elements


def report_xlsx(report: Any, agency_name: str, period_label: str) -> bytes:
    wb = Workbook()
    sheet = wb.active
    sheet.title = "IKM"
    sheet.append(["Survei Kepuasan Masyarakat (PermenPANRB 14/2017)"])
    sheet.append(["Unit/OPD", agency_name])
    sheet.append(["Periode", period_label])
    sheet.append(["Jumlah responden", report.respondents])
    if report.result is None:
        sheet.append(["Catatan", "Responden terlalu sedikit untuk indeks; IKM dan mutu tidak dihitung."])
    else:
        sheet.append(["IKM", float(report.result.ikm)])
        sheet.append(["Mutu pelayanan", report.result.mutu])
        sheet.append(["Kinerja unit pelayanan", report.result.kinerja])
        sheet.append([])
        sheet.append(["No", "Unsur pelayanan", "NRR", "Tidak dijawab"])
        for element, value, blank in zip(elements(), report.result.unsur, report.result.unanswered, strict=True):
            sheet.append([element.number, element.name, None if value is None else float(value), blank])
        profile = wb.create_sheet("Profil responden")
        profile.append(["Karakteristik", "Kategori", "Jumlah"])
        for name, counts in report.profile.items():
            for label, count in counts:
                profile.append([name, label, count if isinstance(count, int) else str(count)])
    exports.neutralise_workbook(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
