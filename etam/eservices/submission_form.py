"""A whole multi-page form read at once, with uploads held back until it is valid.

The API (JSON answers turned into name/value pairs) and offline intake (the pairs the
one-page form would have posted, sent hours later) check a submission with the very rules
the web form uses (``etam.eservices.formengine.process_page``), page by page, in the
version the form was filled in; accepted uploads are stored only when every page passed,
so a refused submission leaves no file behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from etam.eservices import formengine


class FormData(dict[str, list[str]]):
    """Name → list of values (what ``QueryDict`` offers the form engine)."""

    @classmethod
    def from_pairs(cls, pairs: Any) -> FormData:
        data = cls()
        for pair in pairs or []:
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                continue
            name, value = str(pair[0])[:200], pair[1]
            if name.startswith("_") or name == "csrfmiddlewaretoken":
                continue
            data.setdefault(name, []).append("" if value is None else str(value)[:20000])
        return data

    @classmethod
    def from_querydict(cls, query: Any) -> FormData:
        data = cls()
        for name in query:
            if name.startswith("_") or name == "csrfmiddlewaretoken":
                continue
            data[name] = [str(v) for v in query.getlist(name)]
        return data

    def getlist(self, key: str) -> list[str]:
        return list(self.get(key, []))

    def pairs(self) -> list[list[str]]:
        return [[name, value] for name in sorted(self) for value in self[name]]


@dataclass
class Result:
    answers: dict[str, Any]
    raw: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    group_counts: dict[str, int] = field(default_factory=dict)


def process_all(
    form: Mapping[str, Any],
    data: Mapping[str, Any],
    files: Mapping[str, Any],
    *,
    store: formengine.FileStore | None,
    validate: bool = True,
    check_all: bool = True,
) -> Result:
    """Process every visible page in order; conditions across pages are judged on what
    the earlier pages gave. ``check_all`` adds the whole-form checks
    (``formengine.validate_all``) — the submit path runs them anyway, so a caller about to
    submit may skip them here."""
    answers: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    errors: dict[str, str] = {}
    counts: dict[str, int] = {}
    seen: set[int] = set()
    while True:
        pending = [i for i in formengine.visible_pages(form, answers) if i not in seen]
        if not pending:
            break
        index = pending[0]
        seen.add(index)
        result = formengine.process_page(form, index, data, files, answers, store=store, validate=validate)
        answers = result.answers
        raw.update(result.raw)
        errors.update(result.errors)
        counts.update(result.group_counts)
    if validate and check_all:
        for name, message in formengine.validate_all(form, answers).items():
            errors.setdefault(name, message)
    return Result(answers=answers, raw=raw, errors=errors, group_counts=counts)


class DeferredStore:
    """Keeps accepted uploads until the whole submission is valid; nothing is stored for
    a refused submission."""

    def __init__(self) -> None:
        self.pending: dict[str, tuple[Any, str]] = {}

    def save(self, name: str, upload: Any, kind: str) -> dict[str, Any]:
        self.pending[name] = (upload, kind)
        return {"pending": name}

    def store(self) -> formengine.FileStore:
        return formengine.FileStore(save=self.save)

    def resolve(self, answers: dict[str, Any], real: formengine.FileStore) -> dict[str, Any]:
        def walk(value: Any) -> Any:
            if isinstance(value, dict) and set(value) == {"pending"}:
                upload, kind = self.pending[value["pending"]]
                return real.save(value["pending"], upload, kind)
            if isinstance(value, list):
                return [walk(v) for v in value]
            if isinstance(value, dict):
                return {k: walk(v) for k, v in value.items()}
            return value

        return {k: walk(v) for k, v in answers.items()}


def clean_submission(
    form: Mapping[str, Any],
    data: Mapping[str, Any],
    files: Mapping[str, Any],
    *,
    file_store: formengine.FileStore,
    check_all: bool = True,
) -> tuple[dict[str, Any], dict[str, str]]:
    """``(answers, errors)`` of a whole form. With errors nothing is stored and the
    answers are not for use; without, the uploads went to ``file_store`` and the answers
    hold their stored values, ready for ``services.application_submit``."""
    deferred = DeferredStore()
    result = process_all(form, data, files, store=deferred.store(), check_all=check_all)
    if result.errors:
        return result.answers, dict(result.errors)
    return deferred.resolve(result.answers, file_store), {}


def account_prefill(form: Mapping[str, Any], user: Any, answers: Mapping[str, Any]) -> dict[str, str]:
    """What the signed-in citizen's account fills in (issue 15) for the fields the definition
    marks ``prefill`` and that have no answer yet: the account's name and phone, and the NIK
    the citizen gave in a ``prefill: nik`` field of their latest application (accounts hold
    no NIK). Shown on the page, editable, stored only when the page is saved."""
    wanted = {
        spec["name"]: spec["prefill"]
        for page in form["pages"]
        for spec in page["fields"]
        if spec.get("prefill") and answers.get(spec["name"]) in (None, "")
    }
    if not wanted or not getattr(user, "is_authenticated", False):
        return {}
    known: dict[str, str] = {"name": user.full_name or "", "phone": user.phone or ""}
    if "nik" in wanted.values():
        known["nik"] = _last_nik(user)
    return {name: known[kind] for name, kind in wanted.items() if known.get(kind)}


def _last_nik(user: Any) -> str:
    from etam.eservices.models import Application

    for application in Application.objects.filter(applicant=user).select_related("version").order_by("-pk")[:5]:
        answers = application.all_answers()
        for page in application.version.form["pages"]:
            for spec in page["fields"]:
                value = answers.get(spec["name"])
                if spec.get("prefill") == "nik" and isinstance(value, str) and value:
                    return value
    return ""
