from django.apps import AppConfig, apps
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

SYSTEM_REFRESH_JOB = "opendata.refresh_system_datasets"


class OpendataConfig(AppConfig):
    name = "etam.opendata"
    label = "opendata"
    verbose_name = _("Satu Data: open data catalogue")

    def ready(self) -> None:
        # The app skeleton (docs/architecture.md, "Where a new feature goes"): permissions,
        # demo loader, menus, own registries and periodic jobs, then the seams to the apps
        # that are installed.
        from etam.core.demo_registry import register_demo_loader
        from etam.core.permissions import register_role_permissions
        from etam.core.scheduling import register_periodic
        from etam.opendata import demo, feeds, permissions, system
        from etam.opendata.tasks import refresh_system_datasets
        from etam.web.navigation import NavEntry, register_public, register_staff

        register_role_permissions(permissions.ROLE_PERMISSIONS)
        register_demo_loader("opendata", demo.load, order=40)
        register_public(NavEntry(label=pgettext_lazy("public menu", "Open data"), url_name="opendata:search", order=30))
        for label, url_name, order, permission in (
            (_("Datasets"), "opendata:staff_list", 30, permissions.DRAFT),
            (_("Data review (walidata)"), "opendata:staff_review", 31, permissions.REVIEW),
        ):
            register_staff(NavEntry(label=label, url_name=url_name, order=order, permission=permission))
        system.register_builtin()
        register_periodic(
            refresh_system_datasets,
            every_seconds=getattr(settings, "OPENDATA_SYSTEM_REFRESH_SECONDS", 3600),
            name=SYSTEM_REFRESH_JOB,
        )
        if apps.is_installed("etam.evaluation"):
            feeds.register_with_evaluation()
