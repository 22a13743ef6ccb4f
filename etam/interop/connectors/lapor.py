"""SP4N-LAPOR!: forward a complaint filed in Etam and read its status back (ADR 0154).

``forward_complaint`` answers the TrackingID LAPOR! gave, or ``None`` when LAPOR! cannot be
reached (the complaint stays with the OPD and the forwarding is retried later; a citizen's
complaint is never refused because LAPOR! is down). ``complaint_status`` maps LAPOR!'s stages to
Etam's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings

from etam.core import outbound
from etam.interop.connectors import national_system

# LAPOR!'s stages (its public guide: verified by its admin, forwarded to the agency within 3
# working days, followed up within 5, closed 10 working days after the follow-up).
STAGES = {
    "belum terverifikasi": "diterima",
    "terverifikasi": "diverifikasi",
    "diteruskan": "diteruskan",
    "ditindaklanjuti": "ditindaklanjuti",
    "selesai": "selesai",
}


@dataclass(frozen=True)
class Complaint:
    reference: str  # Etam's own number for the complaint
    title: str
    body: str
    category: str
    agency_name: str
    filed_at: datetime
    anonymous: bool = True  # Etam never sends the citizen's identity unless they asked to
    reporter_name: str = ""


@dataclass(frozen=True)
class LaporStatus:
    tracking_id: str
    stage: str  # one of STAGES' values, or "tidak_dikenal"
    follow_ups: tuple[str, ...] = ()


def system() -> outbound.Outbound:
    return national_system(
        "sp4n-lapor", timeout=settings.INTEROP_LAPOR_TIMEOUT, daily_quota=settings.INTEROP_LAPOR_DAILY_QUOTA
    )


def _post(path: str, payload: dict[str, Any], *, attempts: int | None = None) -> dict[str, Any] | None:
    try:
        response = system().request(
            "POST",
            f"{settings.INTEROP_LAPOR_URL.rstrip('/')}{path}",
            json={"KEYTOKEN": settings.INTEROP_LAPOR_TOKEN, **payload},
            attempts=attempts,
        )
    except outbound.Unavailable:
        return None
    if response.status_code != 200:
        return None
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def forward_complaint(complaint: Complaint) -> str | None:
    """LAPOR!'s TrackingID, or None (not reached, refused, or an answer without a TrackingID).
    One attempt per call: a POST that timed out may have arrived, so retrying is the caller's
    decision (it sends Etam's ``reference``, which LAPOR! is assumed to treat as idempotent)."""
    data = _post(
        "/api/services/f02/laporan",
        {
            "ref_id": complaint.reference,
            "judul": complaint.title[:150],
            "isi": complaint.body,
            "kategori": complaint.category,
            "instansi": complaint.agency_name,
            "tanggal": complaint.filed_at.isoformat(),
            "anonim": 1 if complaint.anonymous else 0,
            "nama_pelapor": "" if complaint.anonymous else complaint.reporter_name,
        },
        attempts=1,
    )
    tracking = str((data or {}).get("TrackingID") or "")
    return tracking if tracking.isdigit() else None


def complaint_status(tracking_id: str) -> LaporStatus | None:
    data = _post("/api/services/f02/status", {"TrackingID": tracking_id})
    if data is None or str(data.get("TrackingID")) != tracking_id:
        return None
    stage = STAGES.get(str(data.get("status", "")).strip().lower(), "tidak_dikenal")
    follow_ups = tuple(str(item.get("isi", "")) for item in data.get("tindak_lanjut") or [] if isinstance(item, dict))
    return LaporStatus(tracking_id=tracking_id, stage=stage, follow_ups=follow_ups)
