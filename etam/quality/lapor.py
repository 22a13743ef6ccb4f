"""The SP4N-LAPOR! forwarding seam (ADR 0138; the connector is the interoperability node's, ADR 0154).

A complaint is marked ``antre`` when filed — never refused or held up because LAPOR! is down —
and a periodic job hands the queue to the registered connector (``register_connector``, filled
by ``etam.interop`` when it is installed): a complaint LAPOR! accepted becomes ``terkirim`` with
its TrackingID; one it could not take stays queued for the next run. A second job reads the
stage of forwarded complaints back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

QUEUED, SENT = "antre", "terkirim"


@dataclass(frozen=True)
class Outgoing:
    reference: str  # Etam's own number for the complaint, sent along so a retry can be matched
    title: str
    body: str
    category: str
    agency_name: str
    filed_at: datetime


Send = Callable[[Outgoing], "str | None"]  # the TrackingID, or None: not forwarded now
Stage = Callable[[str], "str | None"]  # LAPOR!'s stage in Etam's words, or None: not known now


@dataclass
class _Connector:
    send: Send | None = None
    stage: Stage | None = None


_CONNECTOR = _Connector()


def register_connector(*, send: Send, stage: Stage) -> None:
    _CONNECTOR.send, _CONNECTOR.stage = send, stage


def connector() -> _Connector:
    return _CONNECTOR
