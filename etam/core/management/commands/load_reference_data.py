"""Load the Kaltim reference data (kode wilayah, boundaries, statistics, BPS crosswalk).

Idempotent: a second run with the same files changes nothing and says so. A broken file
is refused with a message naming the row and column, and nothing is written.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from etam.core import reference_loader


class Command(BaseCommand):
    help = "Load the Kalimantan Timur reference data (idempotent; prints what changed per dataset)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help="Directory holding the reference files (default: etam/core/data).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            results = reference_loader.load_all(options["data_dir"], write=self.stdout.write)
        except reference_loader.ReferenceDataError as exc:
            raise CommandError(
                f"Data referensi ditolak, tidak ada yang disimpan / Reference data refused: {exc}"
            ) from exc
        elapsed = time.perf_counter() - started
        changed = sum(result.changed for result in results)
        if changed:
            self.stdout.write(f"load_reference_data: {changed} dataset berubah / dataset(s) changed ({elapsed:.2f} s)")
        else:
            self.stdout.write(
                f"load_reference_data: semua data referensi sudah mutakhir / "
                f"all reference data already up to date ({elapsed:.2f} s)"
            )
