"""Connectors to national systems, each behind an interface with a fake server in the repo
(ADR 0153 for Dukcapil). They call out through ``etam.core.outbound`` (ADR 0151)."""

from __future__ import annotations

from typing import Any

from etam.core import outbound


def national_system(name: str, *, timeout: float, daily_quota: int | None, **options: Any) -> outbound.Outbound:
    """The process's one ``Outbound`` for the national system ``name`` (``outbound.system``): its
    timeout and Etam's own daily cap, kept under the agreement's; ``options`` as ``Outbound`` takes them."""
    return outbound.system(name, lambda: outbound.Outbound(name, timeout=timeout, daily_quota=daily_quota, **options))
