from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "etam.web"
    label = "web"
    verbose_name = _("Web shell")

    def ready(self) -> None:
        from etam.web.navigation import NavEntry, register_staff

        # Core's staff pages: registered here (the shell knows core; core imports no web code).
        register_staff(
            NavEntry(
                label=_("Organisations"),
                url_name="core:agency_list",
                order=20,
                permission="core.view_organisation",
                description=_("Instansi, OPDs and their units."),
            )
        )
        register_staff(
            NavEntry(
                label=_("Staff and roles"),
                url_name="core:staff_list",
                order=25,
                permission="core.view_staff",
                description=_("Staff accounts and the roles granted to them."),
            )
        )

        # Core's component table (etam.core.readiness) on the dashboard, for super admins.
        from etam.core import readiness
        from etam.web.dashboard import register_widget

        register_widget(
            "core.components",
            title=_("System components"),
            template="core/widgets/components.html",
            context=readiness.widget_context,
            order=5,
        )
