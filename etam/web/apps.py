from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "etam.web"
    label = "web"
    verbose_name = _("Web shell")

    def ready(self) -> None:
        from etam.web.navigation import register_menu

        # Core's staff pages: registered here (the shell knows core; core imports no web code).
        register_menu(
            staff=[
                (
                    _("Organisations"),
                    "core:agency_list",
                    20,
                    "core.view_organisation",
                    _("Instansi, OPDs and their units."),
                ),
                (
                    _("Staff and roles"),
                    "core:staff_list",
                    25,
                    "core.view_staff",
                    _("Staff accounts and the roles granted to them."),
                ),
            ]
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
