"""Manage SPBE evaluation frameworks from the command line.

manage.py evaluation_frameworks load               # bundled frameworks (59/2020, Indeks Pemdi drafts)
manage.py evaluation_frameworks export CODE [-o FILE] [--version N]
manage.py evaluation_frameworks import FILE        # a new draft (or next version)
manage.py evaluation_frameworks schema [--check]   # write/check schemas/framework.schema.json
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from etam.evaluation import exchange, loader, services
from etam.evaluation.models import Framework


class Command(BaseCommand):
    help = "Load, export, import SPBE evaluation frameworks; write or check their JSON Schema."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load")
        export = sub.add_parser("export")
        export.add_argument("code")
        export.add_argument("--version", type=int, default=None)
        export.add_argument("-o", "--output", default="-")
        imp = sub.add_parser("import")
        imp.add_argument("path")
        schema = sub.add_parser("schema")
        schema.add_argument("--check", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "load":
            loader.load_frameworks(self.stdout.write)
        elif action == "export":
            qs = Framework.objects.filter(code=options["code"]).order_by("-version")
            if options["version"]:
                qs = qs.filter(version=options["version"])
            framework = qs.first()
            if framework is None:
                raise CommandError(f"Kerangka {options['code']} tidak ditemukan / framework not found")
            text = json.dumps(exchange.export_document(framework), indent=1, ensure_ascii=False) + "\n"
            if options["output"] == "-":
                self.stdout.write(text, ending="")
            else:
                Path(options["output"]).write_text(text, encoding="utf-8")
        elif action == "import":
            try:
                data = json.loads(Path(options["path"]).read_text(encoding="utf-8"))
                framework = services.framework_import(actor=None, data=data, system=True)
            except (OSError, json.JSONDecodeError) as exc:
                raise CommandError(f"{options['path']}: {exc}") from exc
            except exchange.FrameworkDocError as exc:
                raise CommandError("\n".join(f"{path}: {msg}" for path, msg in exc.problems)) from exc
            self.stdout.write(f"evaluation: imported {framework.code} v{framework.version} (draft)")
        elif action == "schema":
            text = exchange.schema_text()
            if options["check"]:
                if not exchange.SCHEMA_PATH.exists() or exchange.SCHEMA_PATH.read_text(encoding="utf-8") != text:
                    raise CommandError(f"{exchange.SCHEMA_PATH} is out of date; run without --check")
                self.stdout.write("schema up to date")
            else:
                exchange.SCHEMA_PATH.write_text(text, encoding="utf-8")
                self.stdout.write(f"wrote {exchange.SCHEMA_PATH}")
