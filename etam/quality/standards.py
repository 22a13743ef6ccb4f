"""The 14 components of a standar pelayanan (PermenPANRB 15/2014) in the regulation's order,
assembled from the service (what Etam already holds), its published workflow and the
``ServiceStandard`` row (pure apart from reading the objects passed in)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language

# (number, name, where the value comes from: a service attribute, "procedure", or a standard field)
COMPONENTS: tuple[tuple[int, str, str], ...] = (
    (1, "Dasar hukum", "service:legal_basis"),
    (2, "Persyaratan", "service:requirements"),
    (3, "Sistem, mekanisme, dan prosedur", "procedure"),
    (4, "Jangka waktu penyelesaian", "service:sla"),
    (5, "Biaya/tarif", "service:fee"),
    (6, "Produk pelayanan", "service:output"),
    (7, "Sarana, prasarana, dan/atau fasilitas", "facilities"),
    (8, "Kompetensi pelaksana", "competence"),
    (9, "Pengawasan internal", "internal_oversight"),
    (10, "Penanganan pengaduan, saran, dan masukan", "complaints"),
    (11, "Jumlah pelaksana", "staff_count"),
    (12, "Jaminan pelayanan", "service_guarantee"),
    (13, "Jaminan keamanan dan keselamatan pelayanan", "safety_guarantee"),
    (14, "Evaluasi kinerja pelaksana", "performance_evaluation"),
)
EDITABLE = tuple(source for _n, _name, source in COMPONENTS if not source.startswith("service:"))


@dataclass(frozen=True)
class Component:
    number: int
    name: str
    lines: tuple[str, ...]
    from_service: bool  # read from the service / workflow, edited there, not here


def workflow_steps(workflow: dict[str, Any]) -> list[str]:
    language = (get_language() or "id")[:2]
    steps = []
    for state in (workflow or {}).get("states", {}).values():
        label = state.get("label")
        text = label.get(language) or label.get("id") if isinstance(label, dict) else label
        if text:
            steps.append(str(text))
    return steps


def _rupiah(amount: int) -> str:
    return "Gratis (tidak dipungut biaya)" if not amount else "Rp" + f"{amount:,}".replace(",", ".")


def components(service: Any, workflow: dict[str, Any], standard: Any | None) -> list[Component]:
    out = []
    for number, name, source in COMPONENTS:
        from_service = source.startswith("service:")
        lines: list[str]
        if source == "service:legal_basis":
            lines = service.legal_basis_list
        elif source == "service:requirements":
            lines = service.requirement_list
        elif source == "service:sla":
            lines = [f"{service.sla_days} hari kerja"]
        elif source == "service:fee":
            lines = [_rupiah(service.fee)]
        elif source == "service:output":
            lines = [service.output_document] if service.output_document else []
        elif source == "procedure":
            written = (standard.procedure if standard else "").strip()
            from_service = not written
            lines = written.splitlines() if written else [" → ".join(workflow_steps(workflow))]
        else:
            value = getattr(standard, source, None) if standard else None
            lines = [str(value)] if isinstance(value, int) else str(value or "").splitlines()
        out.append(Component(number, name, tuple(line for line in lines if line.strip()), from_service))
    return out
