"""Print where the demo runs and, in demo mode only, the demo logins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch
from django.utils import translation

from etam.core import demo


def _path(name: str, fallback: str) -> str:
    try:
        return resolve_url(name)
    except NoReverseMatch:
        return fallback


def base_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


class Command(BaseCommand):
    help = "Print the demo address, staff area, API docs and (demo mode only) the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        root = base_url(options["host"], options["port"])
        links = [
            ("Etam", "/"),
            ("Masuk / sign in", _path(settings.LOGIN_URL, "/masuk/")),
            ("Area staf / staff area", _path("web:staff_dashboard", "/staf/")),
            ("Dokumentasi API / API docs", _path("api-v1:openapi-view", "/api/v1/docs")),
            ("OpenAPI", _path("api-v1:openapi-json", "/api/v1/openapi.json")),
        ]
        width = max(len(label) for label, _ in links)
        self.stdout.write("")
        for label, path in links:
            self.stdout.write(f"  {label.ljust(width)}  {root}{path}")
        self.stdout.write("")
        if not demo.demo_passwords_allowed():
            self.stdout.write(
                "  Tidak ada login demo di luar mode demo (ETAM_MODE=demo). / No demo logins outside demo mode."
            )
            return
        header = ("Email / telepon", "Kata sandi / password", "Peran / role", "Cakupan / scope")
        with translation.override(settings.LANGUAGE_CODE):
            rows = demo.banner_rows()
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
        self.stdout.write("  Login demo (hanya mode demo) / demo logins (demo mode only):")
        self.stdout.write("  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(header)).rstrip())
        self.stdout.write("  " + "  ".join("-" * w for w in widths))
        for row in rows:
            self.stdout.write("  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        self.stdout.write("")
