"""Enqueue periodic jobs when they are due (see etam.core.scheduling).

Run one or more of these next to the queue workers; the database decides which scheduler
enqueues each run, so running several never doubles a job.
"""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from etam.core import scheduling


class Command(BaseCommand):
    help = "Enqueue due periodic jobs, in a loop (or once with --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Enqueue what is due now, then exit.")
        parser.add_argument("--tick", type=float, default=5.0, help="Seconds between checks (default: %(default)s).")

    def handle(self, *args: Any, **options: Any) -> None:
        scheduling.discover()
        jobs = scheduling.registered_jobs()
        if options["verbosity"] >= 1:
            for job in jobs:
                self.stdout.write(f"periodic: {job.name} every {job.every_seconds}s")
        self._running = True
        if not options["once"]:
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
        while self._running:
            close_old_connections()
            for name in scheduling.run_due():
                self.stdout.write(f"enqueued {name}")
            if options["once"]:
                break
            time.sleep(options["tick"])

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self._running = False
