"""JSON answers of ``POST /api/v1/applications`` as the name/value pairs the form engine reads.

A file field takes ``{"name": "surat.pdf", "content_base64": "..."}``; every problem
names its path, e.g. ``body.answers.anggota[0].nama``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from etam.eservices import formengine
from etam.eservices.submission_form import FormData
from etam.eservices.workflow import localise

MAX_FILE_BYTES = 20 * 1024 * 1024


def html_path(name: str) -> str:
    """``anggota__0__nama`` → ``body.answers.anggota[0].nama``."""
    parts = name.split(formengine.SEP)
    out = "body.answers"
    for part in parts:
        out += f"[{part}]" if part.isdigit() else f".{part}"
    return out


def to_form_data(
    form: dict[str, Any], answers: dict[str, Any]
) -> tuple[FormData, dict[str, Any], list[dict[str, str]]]:
    """Translate JSON answers into the name/value pairs the form engine reads."""
    data = FormData()
    files: dict[str, Any] = {}
    problems: list[dict[str, str]] = []

    def put(spec: dict[str, Any], value: Any, name: str) -> None:
        kind = spec["type"]
        if value is None:
            return
        if kind == "file":
            if not isinstance(value, dict) or "content_base64" not in value:
                problems.append(
                    {
                        "path": html_path(name),
                        "message": _('%(label)s: send {"name": ..., "content_base64": ...}.')
                        % {"label": localise(spec["label"])},
                    }
                )
                return
            try:
                content = base64.b64decode(str(value["content_base64"]), validate=True)
            except (binascii.Error, ValueError):
                problems.append(
                    {
                        "path": html_path(name),
                        "message": _("%(label)s: content_base64 is not valid base64.")
                        % {"label": localise(spec["label"])},
                    }
                )
                return
            if len(content) > MAX_FILE_BYTES:
                problems.append({"path": html_path(name), "message": _("File too large.")})
                return
            files[name] = SimpleUploadedFile(str(value.get("name") or "berkas")[:200], content)
        elif kind == "address":
            if isinstance(value, dict):
                for key in (*formengine.ADDRESS_LEVELS, "jalan"):
                    if value.get(key) is not None:
                        data[f"{name}{formengine.SEP}{key}"] = [str(value[key])]
        elif kind == "multi_choice":
            data[name] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        elif kind == "yes_no":
            data[name] = [formengine.YES if value is True else formengine.NO if value is False else str(value)]
        else:
            data[name] = [str(value)]

    for page in form["pages"]:
        for spec in page["fields"]:
            value = answers.get(spec["name"])
            if spec["type"] == "group":
                items = value if isinstance(value, list) else []
                data[f"{spec['name']}{formengine.SEP}count"] = [str(max(len(items), 1))]
                for i, item in enumerate(items):
                    for child in spec["fields"]:
                        if isinstance(item, dict):
                            put(
                                child,
                                item.get(child["name"]),
                                f"{spec['name']}{formengine.SEP}{i}{formengine.SEP}{child['name']}",
                            )
            else:
                put(spec, value, spec["name"])
    return data, files, problems
