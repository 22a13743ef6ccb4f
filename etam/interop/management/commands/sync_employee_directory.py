"""Refresh staff signing identities (name, jabatan) from SIASN. Exit status 1 when SIASN could not
be asked (nothing after that point changed; run again later)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from etam.interop import services


class Command(BaseCommand):
    help = "Refresh staff signing identities from the SIASN employee directory."

    def handle(self, *args: Any, **options: Any) -> None:
        result = services.employee_directory_sync()
        self.stdout.write(
            f"SIASN: {result.checked} checked, {result.updated} updated, {len(result.unknown)} NIP unknown"
            + (f" ({', '.join(result.unknown[:10])})" if result.unknown else "")
        )
        if result.unavailable:
            raise CommandError("SIASN could not be reached; the rest is left for the next run")
