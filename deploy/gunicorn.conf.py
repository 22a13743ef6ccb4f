"""gunicorn settings of the etam-web units (deploy/systemd/etam-web@.service; docs/adr/0145).

The application is loaded once in the master (``preload_app``) and warmed there before any
worker is forked: every URL module (views, the API schema), the hot templates and both
translation catalogues. A worker then starts serving at once, including the ones gunicorn
starts again after ``--max-requests``: without this each new worker imported the URL conf on
its first request, which under the opening-minute load took seconds, with every request
queued behind it (measured: p99 14 s in bench/ppdb_burst_bench.py, docs/adr/0145).
Nothing here opens a database or Redis connection in the master (they would be shared by
the forked workers); the command line in the unit still sets bind, workers and timeouts.
"""

preload_app = True

HOT_TEMPLATES = (
    "base.html",
    "web/home.html",
    "eservices/catalogue.html",
    "eservices/service_detail.html",
    "eservices/fill.html",
    "eservices/case.html",
    "core/login.html",
    "core/register.html",
    "opendata/search.html",
    "opendata/dataset.html",
)


def when_ready(server):  # type: ignore[no-untyped-def]
    """Runs in the master after the application is loaded, before the workers are forked."""
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 (imports every URL module)
    for name in HOT_TEMPLATES:
        try:
            get_template(name)
        except TemplateDoesNotExist:
            server.log.warning("warm-up: no template %s", name)
    for language in ("id", "en"):
        with translation.override(language):
            translation.gettext("Sign in")
    server.log.info("warm-up done: URL conf, %d templates, translations", len(HOT_TEMPLATES))
