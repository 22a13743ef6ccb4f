"""Every public page: discovered from the URL resolver, plus the samples modules register.

A URL pattern qualifies when it has no parameters, lies outside the excluded prefixes,
and answers 200 with HTML to an anonymous GET. Parameterised pages come from
``etam.web.budget.register_public_sample``. Used by the page budget and accessibility tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern

from etam.web.budget import public_samples

EXCLUDED_PREFIXES = ("/api/", "/django-admin/", "/staf/", "/i18n/", "/static/", "/media/")
NOT_FOUND_SAMPLE = "/halaman-yang-tidak-ada-di-etam/"


def _literal(pattern, *, endpoint: bool) -> str | None:
    """The fixed text a pattern matches, or None when it takes parameters."""
    if isinstance(pattern, LocalePrefixPattern):
        return pattern.language_prefix
    if isinstance(pattern, RoutePattern):
        return None if pattern.converters else str(pattern._route)
    if isinstance(pattern, RegexPattern):
        regex = pattern.regex
        if regex.groups:
            return None
        text = regex.pattern.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
        candidate = re.sub(r"\\(.)", r"\1", text)
        matched = regex.fullmatch(candidate) if endpoint else regex.match(candidate)
        return candidate if matched and matched.end() == len(candidate) else None
    return None


def parameterless_paths(patterns: Iterable | None = None, prefix: str = "") -> Iterator[str]:
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            part = _literal(entry.pattern, endpoint=False)
            if part is not None:
                yield from parameterless_paths(entry.url_patterns, prefix + part)
        elif isinstance(entry, URLPattern):
            part = _literal(entry.pattern, endpoint=True)
            if part is not None:
                yield "/" + prefix + part


@dataclass
class Discovery:
    pages: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # public URLs that fail with 5xx


def discover_public_pages(client) -> Discovery:
    found = Discovery()
    candidates = sorted(set(parameterless_paths()))
    raise_before, client.raise_request_exception = client.raise_request_exception, False
    try:
        for path in candidates:
            if path.startswith(EXCLUDED_PREFIXES):
                found.skipped[path] = "excluded prefix"
                continue
            _classify(client, path, found)
    finally:
        client.raise_request_exception = raise_before
    for sample in public_samples():
        for path in sample():
            if path not in found.pages:
                found.pages.append(path)
    return found


def _classify(client, path: str, found: Discovery) -> None:
    response = client.get(path)
    content_type = response.get("Content-Type", "")
    if response.status_code >= 500:
        exc = getattr(response, "exc_info", None)
        found.errors[path] = f"answers {response.status_code}" + (f" ({exc[1]!r})" if exc else "")
    elif response.status_code != 200:
        found.skipped[path] = f"answers {response.status_code}"
    elif not content_type.startswith("text/html") or response.has_header("Content-Disposition"):
        found.skipped[path] = f"not an HTML page ({content_type})"
    else:
        found.pages.append(path)
