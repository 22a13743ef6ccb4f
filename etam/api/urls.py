from django.urls import URLPattern, URLResolver, path, re_path

from etam.api.errors import enveloped, not_found
from etam.api.v1 import api


def _enveloped_patterns(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """Every answer under /api/v1/ uses the error envelope, also those Ninja's operations
    do not produce (405 from the path dispatcher, the API root, unknown paths)."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _enveloped_patterns(pattern.url_patterns)
        else:
            pattern.callback = enveloped(pattern.callback)
    return patterns


_patterns, _app_name, _namespace = api.urls
_patterns = [*_enveloped_patterns(list(_patterns)), re_path(r"^.*$", not_found, name="not-found")]

urlpatterns = [path("v1/", (_patterns, _app_name, _namespace))]
