from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EservicesConfig(AppConfig):
    name = "etam.eservices"
    label = "eservices"
    verbose_name = _("Electronic public services")

    def ready(self) -> None:
        from etam.eservices import registration

        registration.register_all()
