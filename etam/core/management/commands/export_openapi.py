"""Write the /api/v1/ OpenAPI document to a file (``make openapi`` → docs/api/openapi.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from etam.api.openapi import COMMITTED_PATH, render_schema


class Command(BaseCommand):
    help = "Export the OpenAPI 3 schema of /api/v1/ deterministically (sorted keys, trailing newline)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=COMMITTED_PATH, help="Where to write (default: %(default)s)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        path.parent.mkdir(parents=True, exist_ok=True)
        text = render_schema()
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {path} ({len(text.encode())} bytes)")
