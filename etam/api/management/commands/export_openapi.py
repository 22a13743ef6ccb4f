"""Write the /api/v1/ OpenAPI document (or, with --ckan, the CKAN action API one) to a file
(``make openapi`` → docs/api/openapi.json and docs/api/ckan-openapi.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from etam.api.openapi import COMMITTED_PATH, render_schema


class Command(BaseCommand):
    help = "Export the OpenAPI 3 schema of /api/v1/ deterministically (sorted keys, trailing newline)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=None, help=f"Where to write (default: {COMMITTED_PATH})")
        parser.add_argument(
            "--ckan", action="store_true", help="The CKAN action API document instead (docs/api/ckan-openapi.json)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["ckan"]:
            from etam.opendata import ckan_openapi

            path = Path(options["path"] or ckan_openapi.COMMITTED_PATH)
            text = ckan_openapi.render_schema()
        else:
            path = Path(options["path"] or COMMITTED_PATH)
            text = render_schema()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {path} ({len(text.encode())} bytes)")
