"""Seal the pending audit events now (the same work as the periodic job)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from etam.core import audit


class Command(BaseCommand):
    help = "Seal pending audit events into the HMAC chain."

    def handle(self, *args: Any, **options: Any) -> None:
        seals = events = 0
        while (seal := audit.seal_pending()) is not None:
            seals += 1
            events += seal.event_count
            self.stdout.write(f"seal {seal.pk}:{seal.digest} ({seal.event_count} events)")
        self.stdout.write(f"sealed {events} event(s) in {seals} seal(s)")
