"""Check the audit trail: every event's hash, every seal's HMAC and chain link.

Exit code 0 when intact, 1 with one line per problem. ``--expect-seal ID:DIGEST``
(repeatable; values from the sealing log, kept outside the database) also proves that no
seal at the end of the chain was deleted.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from etam.core import audit

_EXPECTED = re.compile(r"^#?(?P<id>\d+):(?P<digest>[0-9a-f]{64})$")


def _expected_seal(value: str) -> tuple[int, str]:
    match = _EXPECTED.match(value.strip())
    if not match:
        raise ValueError(value)
    return int(match["id"]), match["digest"]


class Command(BaseCommand):
    help = "Verify the tamper-evident audit trail (exit 1 with a line per problem)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--expect-seal",
            action="append",
            default=[],
            type=_expected_seal,
            metavar="ID:DIGEST",
            help="A seal id and digest recorded outside the database (from the sealing log); repeatable.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit.verify(expected_seals=options["expect_seal"])
        self.stdout.write(
            f"events checked: {report.events_checked}\n"
            f"seals checked: {report.seals_checked}\n"
            f"unsealed events: {report.unsealed_events}\n"
            f"problems: {len(report.problems)}"
        )
        if report.head_seal_id is not None:
            self.stdout.write(f"chain head: seal {report.head_seal_id}:{report.head_digest}")
        if report.problems:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(f"audit trail NOT intact: {len(report.problems)} problem(s)", returncode=1)
        self.stdout.write(self.style.SUCCESS("audit trail intact"))
