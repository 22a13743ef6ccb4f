from django.utils.translation import gettext_lazy as _

from etam.core import appconfig


class EservicesConfig(appconfig.ModuleConfig):
    # The app skeleton (docs/architecture.md): permissions, demo loader, then register()
    # (holiday signals, menus, page-budget samples, dashboard widget), then the seams.
    name = "etam.eservices"
    verbose_name = _("Electronic public services")
    demo_order = 30
    seams = ("opendata", "evaluation")

    def register(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from etam.eservices import demo, permissions, selectors, workdays
        from etam.eservices.models import Holiday
        from etam.web.budget import register_public_sample
        from etam.web.dashboard import register_widget
        from etam.web.navigation import register_menu

        def holidays_changed(**kwargs: object) -> None:
            workdays.forget_holidays()

        post_save.connect(holidays_changed, sender=Holiday, weak=False, dispatch_uid="eservices.holidays_changed")
        post_delete.connect(holidays_changed, sender=Holiday, weak=False, dispatch_uid="eservices.holidays_deleted")

        register_menu(
            public=[
                (_("Services"), "eservices:catalogue", 20),
                (_("Track an application"), "eservices:status_lookup", 21),
            ],
            staff=[
                (_("Application inbox"), "eservices:inbox", 20, permissions.PERM_PROCESS),
                (_("To sign"), "eservices:to_sign", 20, permissions.PERM_SIGN),
                (_("Services (manage)"), "eservices:staff_services", 21, permissions.PERM_MANAGE),
                (_("Service statistics"), "eservices:statistics", 22, permissions.PERM_STATS),
            ],
        )
        register_public_sample(demo.public_sample_pages)
        register_widget(
            "eservices.inbox",
            title=_("Applications waiting"),
            template="eservices/widgets/inbox.html",
            context=selectors.inbox_widget_context,
            permission=permissions.PERM_PROCESS,
            order=20,
        )
