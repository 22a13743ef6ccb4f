"""Run duplicate detection over the whole inventory now (the same as the staff button)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from etam.inventory.services import duplicates_refresh


class Command(BaseCommand):
    help = "Detect duplicate and overlapping applications across the inventory."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = duplicates_refresh(actor=None)
        self.stdout.write("detect_duplicates: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
