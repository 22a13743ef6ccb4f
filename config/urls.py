from django.contrib import admin
from django.urls import include, path

from etam.core import urls as core_urls
from etam.web import views as web_views

urlpatterns = [
    path("healthz", web_views.healthz, name="healthz"),
    path("readyz", web_views.readyz, name="readyz"),
    # The language switch: Django's view, without a CSRF token but same-site only (ADR 0167).
    path("i18n/setlang/", web_views.set_language, name="set_language"),
    path("api/", include("etam.api.urls")),
    path("django-admin/", admin.site.urls),
    path("staf/organisasi/", include("etam.core.urls")),
    path("staf/audit/", include("etam.core.urls_audit")),
    path("staf/token-api/", include("etam.api.staff_urls")),
    path("", include(core_urls.account_urlpatterns)),
    path("", include("etam.opendata.urls")),
    path("", include("etam.evaluation.urls")),
    path("", include("etam.eservices.urls")),
    path("", include("etam.inventory.urls")),
    path("", include("etam.interop.urls")),
    path("", include("etam.offline.urls")),
    path("", include("etam.quality.urls")),
    path("", include("etam.governance.urls")),
    path("", include("etam.web.urls")),
]

# The 500 page carries the CSP nonce for its inline <style> (docs/adr/0078).
handler500 = "etam.web.views.server_error"
