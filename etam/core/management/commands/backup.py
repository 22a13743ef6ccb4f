"""``manage.py backup TARGET``: the database and every stored object, encrypted with
``BACKUP_ENCRYPTION_KEY``, into an empty folder or ``s3://bucket/prefix`` (docs/adr/0103)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from etam.ops import backup


class Command(BaseCommand):
    help = "Back up the database and every stored object, encrypted, to a folder or s3://bucket/prefix."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", help="an empty folder, or s3://bucket/prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup.backup(options["target"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"tables: {len(result.tables)} ({sum(result.tables.values())} rows)\n"
            f"objects: {result.objects} ({result.bytes} bytes)\n"
            f"seconds: {result.seconds:.2f}"
        )
        self.stdout.write(self.style.SUCCESS(f"backup written to {result.location}"))
