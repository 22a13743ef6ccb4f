from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class EservicesConfig(AppConfig):
    name = "etam.eservices"
    label = "eservices"
    verbose_name = _("Electronic public services")

    def ready(self) -> None:
        from etam.eservices import registration

        registration.register_all()
        self._register_feeds()

    def _register_feeds(self) -> None:
        """Seams to Satu Data and SPBE evaluation, only when those modules are installed."""
        from etam.eservices import feeds

        if apps.is_installed("etam.opendata"):
            feeds.register_with_opendata()
        if apps.is_installed("etam.evaluation"):
            feeds.register_with_evaluation()
