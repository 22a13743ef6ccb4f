from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from etam.eservices import services


class Command(BaseCommand):
    help = "Escalate open applications past their state deadline to the OPD admins (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = services.escalate_overdue()
        self.stdout.write(f"{count} application(s) escalated")
