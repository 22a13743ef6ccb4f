from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfflineConfig(AppConfig):
    name = "etam.offline"
    label = "offline"
    verbose_name = _("Blank-spot ready (offline)")

    def ready(self) -> None:
        from etam.offline import registration

        registration.register_all()
