from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

SYSTEM_REFRESH_JOB = "opendata.refresh_system_datasets"


class OpendataConfig(AppConfig):
    name = "etam.opendata"
    label = "opendata"
    verbose_name = _("Satu Data: open data catalogue")

    def ready(self) -> None:
        from etam.core import permissions
        from etam.core.demo_registry import register_demo_loader
        from etam.opendata import permissions as od_permissions
        from etam.opendata import system
        from etam.opendata.demo import load as load_demo
        from etam.web.navigation import NavEntry, register_public, register_staff

        permissions.register_role_permissions(od_permissions.ROLE_PERMISSIONS)  # type: ignore[arg-type]
        register_demo_loader("opendata", load_demo, order=40)
        register_public(NavEntry(label=pgettext_lazy("public menu", "Open data"), url_name="opendata:search", order=30))
        register_staff(
            NavEntry(label=_("Datasets"), url_name="opendata:staff_list", order=30, permission=od_permissions.DRAFT)
        )
        register_staff(
            NavEntry(
                label=_("Data review (walidata)"),
                url_name="opendata:staff_review",
                order=31,
                permission=od_permissions.REVIEW,
            )
        )
        system.register_builtin()

        from django.apps import apps

        if apps.is_installed("etam.evaluation"):
            from etam.opendata import evaluation_rules

            evaluation_rules.register()

        from django.conf import settings

        from etam.core.scheduling import register_periodic
        from etam.opendata.tasks import refresh_system_datasets

        register_periodic(
            refresh_system_datasets,
            every_seconds=getattr(settings, "OPENDATA_SYSTEM_REFRESH_SECONDS", 3600),
            name=SYSTEM_REFRESH_JOB,
        )
