"""PDFs of the quality app, in Indonesian as filed (the layout of the regulations, not the UI):

- the SKM report of a unit and period in the report layout of PermenPANRB 14/2017 (identity of
  the unit, period, respondents and their profile, NRR per element, IKM, mutu and kinerja, the
  three lowest elements with the follow-up plan). Comments are left out, as in the XLSX;
- the maklumat pelayanan of an OPD on its own, the page its penandatangan signs (ADR 0139);
- the standar pelayanan of a service (the 14 components of PermenPANRB 15/2014) with the
  maklumat pelayanan.
Both are built with ``etam.core.pdfdoc`` (ADR 0160).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from django.utils import translation

from etam.core.pdfdoc import Document, number
from etam.quality import scoring
from etam.quality.elements import element, elements

PROFILE_TITLES = {
    "age_band": "Umur",
    "sex": "Jenis kelamin",
    "education": "Pendidikan",
    "occupation": "Pekerjaan",
}


def _tanggal(value: Any) -> str:
    from django.utils import formats

    with translation.override("id"):
        return str(formats.date_format(value, "j F Y"))


def report_pdf(report: Any, identity: Sequence[tuple[str, str]], period_label: str) -> bytes:
    """``report`` is a ``selectors.Report`` (or the instansi roll-up, same fields); ``identity``
    the unit's label/value lines (unit, instansi, address ...)."""
    doc = Document("Laporan Hasil Survei Kepuasan Masyarakat")
    doc.para("Disusun menurut Peraturan Menteri PANRB Nomor 14 Tahun 2017")
    doc.heading("I. Identitas unit pelayanan")
    doc.pairs([*identity, ("Periode survei", period_label)])
    doc.heading("II. Responden")
    doc.pairs(
        [
            ("Jumlah responden", str(report.respondents)),
            ("Populasi (kasus selesai dengan undangan)", str(report.population)),
            ("Sampel minimum (Krejcie & Morgan)", str(report.minimum_sample)),
        ]
    )
    result = report.result
    if result is None:
        doc.space()
        doc.para(
            "Responden terlalu sedikit untuk dihitung indeksnya; IKM, mutu, kinerja, dan profil responden "
            "tidak ditampilkan untuk melindungi kerahasiaan responden."
        )
        return doc.render(footer="SKM - " + period_label)
    profile_rows = [
        (PROFILE_TITLES.get(name, name), label, str(count))
        for name, counts in report.profile.items()
        for label, count in counts
    ]
    doc.space()
    doc.table(["Karakteristik", "Kategori", "Jumlah"], profile_rows, [45, 95, 30])
    doc.heading("III. Nilai rata-rata per unsur pelayanan")
    weight = Fraction(1, len([v for v in result.unsur if v is not None]))
    rows = [
        (
            f"U{e.number}",
            e.name,
            number(value, 3),
            "-" if value is None else number(float(value) * float(weight), 3),
            str(blank),
        )
        for e, value, blank in zip(elements(), result.unsur, result.unanswered, strict=True)
    ]
    doc.table(["No", "Unsur pelayanan", "NRR", "NRR tertimbang", "Tidak dijawab"], rows, [14, 76, 22, 30, 28])
    doc.heading("IV. Indeks Kepuasan Masyarakat")
    doc.pairs(
        [
            ("IKM unit pelayanan", number(result.ikm)),
            ("Mutu pelayanan", result.mutu),
            ("Kinerja unit pelayanan", result.kinerja),
            ("IKM dengan bobot tercetak 0,11", number(scoring.ikm_with_printed_weight(result))),
        ]
    )
    doc.para("IKM = rata-rata NRR tertimbang x 25; bobot tiap unsur 1/9 (ADR 0135).")
    doc.heading("V. Unsur terendah dan rencana tindak lanjut")
    plans = []
    with translation.override("id"):
        for n in report.lowest:
            plan = report.plans.get(n)
            plans.append(
                (
                    f"U{n} {element(n).name}",
                    number(result.unsur[n - 1], 3),
                    plan.action if plan else "Belum ada rencana",
                    plan.owner if plan else "-",
                    _tanggal(plan.due_date) if plan else "-",
                    str(plan.get_status_display()) if plan else "-",
                )
            )
    header = ["Unsur", "NRR", "Rencana tindak lanjut", "Penanggung jawab", "Batas waktu", "Status"]
    doc.table(header, plans, [30, 14, 52, 28, 24, 22])
    return doc.render(footer="SKM - " + period_label)


def standard_pdf(service: Any, components: Sequence[Any], charter: Any | None) -> bytes:
    """The 14 components (``standards.components``) and the OPD's maklumat pelayanan."""
    doc = Document("Standar Pelayanan")
    doc.pairs(
        [
            ("Jenis pelayanan", service.name),
            ("Unit pelayanan", service.agency.name),
            ("Dasar", "Peraturan Menteri PANRB Nomor 15 Tahun 2014"),
        ]
    )
    doc.space()
    rows = [(str(c.number), c.name, "\n".join(c.lines) if c.lines else "Belum diisi") for c in components]
    doc.table(["No", "Komponen", "Uraian"], [(n, name, text) for n, name, text in rows], [12, 50, 108])
    doc.heading("Maklumat pelayanan")
    if charter is None:
        doc.para("Unit pelayanan belum menerbitkan maklumat pelayanan.")
    else:
        for line in charter.text.splitlines():
            if line.strip():
                doc.para(line)
        if charter.signed_by_name:
            doc.para(charter.signed_by_name)
    return doc.render(footer="Standar Pelayanan - " + service.name)


def charter_pdf(charter: Any, signer_label: str) -> bytes:
    """The OPD's maklumat pelayanan on one page, the signature box left free at the bottom right
    (``services.maklumat.SIGNATURE_BOX``)."""
    doc = Document("Maklumat Pelayanan")
    doc.pairs([("Unit pelayanan", charter.agency.name), ("Dasar", "Peraturan Menteri PANRB Nomor 15 Tahun 2014")])
    doc.space()
    for line in charter.text.splitlines():
        if line.strip():
            doc.para(line)
    doc.space()
    doc.para("Ditandatangani secara elektronik oleh " + signer_label)
    return doc.render(footer="Maklumat Pelayanan - " + charter.agency.name)
