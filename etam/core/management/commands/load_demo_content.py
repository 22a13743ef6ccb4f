"""Run every registered demo loader in order (core organisations and users first).

Idempotent: each loader creates only what is missing and prints what it created and
what was already present. Reference regions are loaded first if they are missing.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from etam.core import reference_loader
from etam.core.demo_registry import ordered_loaders
from etam.core.models import Region


class Command(BaseCommand):
    help = "Load the demo content of every module (idempotent; prints created vs already present)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--only",
            default="",
            help="comma-separated loader names (e.g. core,eservices,opendata); default: every loader",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        loaders = ordered_loaders()
        if options["only"]:
            wanted = {name.strip() for name in options["only"].split(",") if name.strip()}
            unknown = wanted - {loader.name for loader in loaders}
            if unknown:
                raise CommandError(
                    f"--only: pemuat tidak dikenal / unknown loader(s): {', '.join(sorted(unknown))} "
                    f"({', '.join(loader.name for loader in loaders)})"
                )
            loaders = [loader for loader in loaders if loader.name in wanted]
        if not Region.objects.current().exists():
            self.stdout.write("Data referensi belum dimuat; memuat sekarang / reference data missing; loading it now")
            try:
                reference_loader.load_all(write=self.stdout.write)
            except reference_loader.ReferenceDataError as exc:
                raise CommandError(str(exc)) from exc
        for loader in loaders:
            self.stdout.write(f"[{loader.order:>3}] {loader.name}")
            try:
                with transaction.atomic():
                    loader.load(self.stdout.write)
            except ImproperlyConfigured as exc:
                raise CommandError(f"{loader.name}: {exc}") from exc
        self.stdout.write(
            f"load_demo_content: {len(loaders)} pemuat / loader(s) selesai / done "
            f"({time.perf_counter() - started:.2f} s)"
        )
