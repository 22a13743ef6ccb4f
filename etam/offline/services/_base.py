"""Permissions, limits and the refusal of the blank-spot module."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings

from etam.core.permissions import has_perm
from etam.offline.permissions import PERM_ASSIST, PERM_IMPORT

BUNDLE_FORMAT = "etam-bundel/1"
BUNDLE_MAX_BYTES = 64 * 1024 * 1024
CHUNK_MAX_BYTES = 512 * 1024
UPLOAD_MAX_BYTES = 20 * 1024 * 1024
KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{8,120}$")


def grace_days() -> int:
    return int(getattr(settings, "OFFLINE_VERSION_GRACE_DAYS", 30))


class Refused(Exception):
    """An item the server cannot accept; nothing was stored. ``fields`` maps a field
    (html name, or ``service``/``version``/``assisted.<x>``) to a message."""

    def __init__(self, code: str, message: str, fields: dict[str, str] | None = None, status: int = 422) -> None:
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.status = status
        super().__init__(message)


def can_assist(user: Any) -> bool:
    """Assisted entry is a capability of the person (a village or MPP counter serves every
    OPD's services), so any grant that carries it counts (docs/adr/0062)."""
    return has_perm(user, PERM_ASSIST)


def can_import(user: Any) -> bool:
    return has_perm(user, PERM_IMPORT)
