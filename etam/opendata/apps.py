from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from etam.core import appconfig

SYSTEM_REFRESH_JOB = "opendata.refresh_system_datasets"


class OpendataConfig(appconfig.ModuleConfig):
    # The app skeleton (docs/architecture.md): permissions, demo loader, then register()
    # (menus, own registries and periodic jobs), then the seams to the apps that are installed.
    name = "etam.opendata"
    verbose_name = _("Satu Data: open data catalogue")
    demo_order = 40
    seams = ("evaluation",)

    def register(self) -> None:
        from etam.core.scheduling import register_periodic
        from etam.opendata import permissions, system
        from etam.opendata.tasks import refresh_system_datasets
        from etam.web.navigation import register_menu

        register_menu(
            public=[(pgettext_lazy("public menu", "Open data"), "opendata:search", 30)],
            staff=[
                (_("Datasets"), "opendata:staff_list", 30, permissions.DRAFT),
                (_("Data review (walidata)"), "opendata:staff_review", 31, permissions.REVIEW),
            ],
        )
        system.register_builtin()
        register_periodic(
            refresh_system_datasets,
            every_seconds=getattr(settings, "OPENDATA_SYSTEM_REFRESH_SECONDS", 3600),
            name=SYSTEM_REFRESH_JOB,
        )
