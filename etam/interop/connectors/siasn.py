"""SIASN (BKN) employee directory: NIP, name, jabatan and unit of a civil servant (ADR 0155).

Used by ``sync_employee_directory`` to keep staff signing identities current (the signing
official's NIP and jabatan printed in a signature block come from here, not typed by hand).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from etam.core import outbound
from etam.interop.connectors import national_system


@dataclass(frozen=True)
class Employee:
    nip: str
    name: str
    position: str  # jabatan
    unit: str  # unit organisasi (unor)
    agency: str  # instansi kerja


class DirectoryUnavailable(Exception):
    """SIASN cannot answer now; nothing is changed."""


def system() -> outbound.Outbound:
    return national_system(
        "siasn", timeout=settings.INTEROP_SIASN_TIMEOUT, daily_quota=settings.INTEROP_SIASN_DAILY_QUOTA
    )


def employee(nip: str) -> Employee | None:
    """The directory's record for ``nip``; None when SIASN does not know the NIP.
    ``DirectoryUnavailable`` when it cannot be asked."""
    try:
        response = system().request(
            "GET",
            f"{settings.INTEROP_SIASN_URL.rstrip('/')}/apisiasn/1.0/pns/data-utama/{nip}",
            headers={
                "Authorization": f"Bearer {settings.INTEROP_SIASN_TOKEN}",
                "Auth": f"bearer {settings.INTEROP_SIASN_SSO_TOKEN}",
                "Accept": "application/json",
            },
        )
    except outbound.Unavailable as exc:
        raise DirectoryUnavailable(exc.reason) from None
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise DirectoryUnavailable(f"HTTP {response.status_code}")
    try:
        payload = response.json()
        data = payload["data"]
    except (ValueError, KeyError, TypeError):
        raise DirectoryUnavailable("malformed") from None
    if not payload.get("success", True) or not isinstance(data, dict) or not data:
        return None
    return Employee(
        nip=str(data.get("nipBaru") or nip),
        name=" ".join(
            str(part) for part in (data.get("gelarDepan"), data.get("nama"), data.get("gelarBelakang")) if part
        ),
        position=str(data.get("jabatanNama") or ""),
        unit=str(data.get("unorNama") or ""),
        agency=str(data.get("instansiKerjaNama") or ""),
    )
