"""Check the exchange log: every entry's hash, its link to the entry before, its signature, and the
chain's head (so deleted newest entries are found too). Exit status 1 when anything is wrong."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from etam.interop import ledger


class Command(BaseCommand):
    help = "Verify the hash chain and signatures of the interoperability exchange log."

    def handle(self, *args: Any, **options: Any) -> None:
        report = ledger.verify()
        for problem in report.problems:
            self.stderr.write(problem)
        if not report.ok:
            raise CommandError(f"exchange log: {len(report.problems)} problem(s) in {report.entries} entries")
        self.stdout.write(f"exchange log: {report.entries} entries, chain and signatures intact")
