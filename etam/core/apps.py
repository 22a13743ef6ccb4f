from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "etam.core"
    label = "core"
    verbose_name = _("Core: organisations, people, audit")

    def ready(self) -> None:
        from etam.core import permissions

        permissions.register_role_permissions(permissions.CORE_ROLE_PERMISSIONS)

        from etam.core import staff_access

        staff_access.register()

        from etam.core import demo

        demo.register()

        from etam.core import readiness

        readiness.register_widget()
