"""The SP4N-LAPOR! forwarding seam (the connector comes with the interoperability issue 16).

``forwarder()`` returns the configured ``LaporForwarder``; today that is ``QueueForwarder``,
which only marks a complaint as waiting to be forwarded (``lapor_status = "antre"``) so the
connector can pick the queue up later. A complaint is never refused because LAPOR! is down.
"""

from __future__ import annotations

from typing import Any, Protocol

QUEUED, SENT = "antre", "terkirim"


class LaporForwarder(Protocol):
    def forward(self, complaint: Any) -> str:
        """Hand one complaint on; returns the complaint's new ``lapor_status``."""
        ...


class QueueForwarder:
    def forward(self, complaint: Any) -> str:
        return QUEUED


def forwarder() -> LaporForwarder:
    return QueueForwarder()
