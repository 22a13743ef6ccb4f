"""Dukcapil NIK verification: does this NIK exist, and do the name and birth date entered match
the civil registry? (ADR 0153: which parts of the contract are confirmed and which assumed.)

The call is made *after* a submission is stored, never in the way of it: the answer is one of
``verified``, ``mismatch``, ``unavailable`` (down, slow, out of quota, breaker open) — the caller
keeps the case and shows "verifikasi NIK tertunda" until a later attempt gets an answer. Answers
are cached (keyed by a keyed digest of NIK, name and birth date, never the NIK itself), because
the national quota (300,000 a day for a whole province's agreement, the cause of Jawa Tengah's
2020 PPDB outage) is the scarce resource.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from django.conf import settings
from django.core.cache import cache

from etam.core import outbound
from etam.core.crypto import lookup_digest
from etam.interop.connectors import national_system

logger = logging.getLogger("etam.interop.dukcapil")

VERIFIED = "terverifikasi"
MISMATCH = "tidak_cocok"
UNAVAILABLE = "tidak_tersedia"


@dataclass(frozen=True)
class NikCheck:
    status: str  # VERIFIED, MISMATCH or UNAVAILABLE
    fields: dict[str, bool] = field(default_factory=dict)  # per element: matches the registry?
    reason: str = ""  # for UNAVAILABLE: down, timeout, quota, circuit; for MISMATCH: not_found or the fields
    cached: bool = False

    @property
    def final(self) -> bool:
        """An answer from the registry (worth caching); UNAVAILABLE means ask again later."""
        return self.status != UNAVAILABLE


class NikVerifier(Protocol):
    def verify(self, *, nik: str, full_name: str, birth_date: date) -> NikCheck: ...


def system() -> outbound.Outbound:
    return national_system(
        "dukcapil",
        timeout=settings.INTEROP_DUKCAPIL_TIMEOUT,
        attempts=2,
        fail_max=5,
        reset_timeout=120,
        daily_quota=settings.INTEROP_DUKCAPIL_DAILY_QUOTA,
    )


class DukcapilClient:
    """The web service shape assumed in ADR 0153: ``POST {base}/verifikasi`` with JSON
    ``{"NIK", "NAMA_LGKP", "TGL_LHR" (dd-mm-yyyy), "user_id", "password", "IP_USER", "TRESHOLD"}``,
    answered with ``{"content": [{"NIK": "Sesuai", "NAMA_LGKP": "Sesuai (100)", "TGL_LHR": "Tidak Sesuai"}]}``
    or ``{"content": [{"RESPON": "Data Tidak Ditemukan"}]}``; a spent quota is HTTP 429 or ``RESPON``
    naming the quota."""

    def __init__(self, base_url: str | None = None) -> None:
        self.base_url = (base_url or settings.INTEROP_DUKCAPIL_URL).rstrip("/")

    def verify(self, *, nik: str, full_name: str, birth_date: date) -> NikCheck:
        payload = {
            "NIK": nik,
            "NAMA_LGKP": full_name.strip().upper(),
            "TGL_LHR": birth_date.strftime("%d-%m-%Y"),
            "user_id": settings.INTEROP_DUKCAPIL_USER,
            "password": settings.INTEROP_DUKCAPIL_PASSWORD,
            "IP_USER": settings.INTEROP_DUKCAPIL_CLIENT_IP,
            "TRESHOLD": 90,
        }
        try:
            # A verification changes nothing at Dukcapil: safe to retry once (attempts=2).
            response = system().request("POST", f"{self.base_url}/verifikasi", json=payload, attempts=2)
        except outbound.Unavailable as exc:
            reason = "quota" if exc.quota else "circuit" if exc.circuit_open else "timeout" if exc.timed_out else "down"
            return NikCheck(UNAVAILABLE, reason=reason)
        if response.status_code == 429:
            return NikCheck(UNAVAILABLE, reason="quota")
        if response.status_code != 200:
            logger.warning("dukcapil answered HTTP %s", response.status_code)
            return NikCheck(UNAVAILABLE, reason=f"http_{response.status_code}")
        try:
            content = response.json()["content"][0]
        except (ValueError, KeyError, IndexError, TypeError):
            return NikCheck(UNAVAILABLE, reason="malformed")
        if not isinstance(content, dict):
            return NikCheck(UNAVAILABLE, reason="malformed")
        respon = str(content.get("RESPON", "")).lower()
        if "kuota" in respon or "quota" in respon:
            return NikCheck(UNAVAILABLE, reason="quota")
        if "tidak ditemukan" in respon:
            return NikCheck(MISMATCH, fields={"NIK": False}, reason="not_found")
        fields = {
            name: str(content.get(name, "")).lower().startswith("sesuai") for name in ("NIK", "NAMA_LGKP", "TGL_LHR")
        }
        if not any(name in content for name in fields):
            return NikCheck(UNAVAILABLE, reason="malformed")
        if all(fields.values()):
            return NikCheck(VERIFIED, fields=fields)
        return NikCheck(MISMATCH, fields=fields, reason=",".join(n for n, ok in fields.items() if not ok))


def _cache_key(nik: str, full_name: str, birth_date: date) -> str:
    # lookup_digest drops whitespace: keep word boundaries so "ANI SUSANTI" ≠ "ANIS USANTI".
    subject = f"{nik}|{'_'.join(full_name.upper().split())}|{birth_date.isoformat()}"
    return "dukcapil:" + lookup_digest(subject, kind="dukcapil-check")


def verify_nik(*, nik: str, full_name: str, birth_date: date, verifier: NikVerifier | None = None) -> NikCheck:
    """Ask the registry (or the cache). Never raises for the registry's faults."""
    key = _cache_key(nik, full_name, birth_date)
    hit = cache.get(key)
    if hit is not None:
        return NikCheck(hit["status"], fields=hit["fields"], reason=hit["reason"], cached=True)
    result = (verifier or DukcapilClient()).verify(nik=nik, full_name=full_name, birth_date=birth_date)
    if result.final:
        cache.set(
            key,
            {"status": result.status, "fields": result.fields, "reason": result.reason},
            timeout=settings.INTEROP_DUKCAPIL_CACHE_SECONDS,
        )
    return result
