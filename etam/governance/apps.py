from django.utils.translation import gettext_lazy as _

from etam.core import appconfig


class GovernanceConfig(appconfig.ModuleConfig):
    # The app skeleton (docs/architecture.md): permissions, demo loader, register(), then the seams.
    name = "etam.governance"
    verbose_name = _("SPBE management: service desk, risk, security and audit, personal data")
    demo_order = 70
    seams = ("opendata", "evaluation")

    def register(self) -> None:
        from etam.governance import permissions, selectors
        from etam.web.dashboard import register_widget
        from etam.web.navigation import register_menu

        register_menu(
            staff=[
                (_("Service desk"), "governance:request_list", 70, permissions.VIEW),
                (_("Risk register"), "governance:risk_list", 71, permissions.VIEW),
                (_("Security and audit"), "governance:security_home", 72, permissions.VIEW),
                (_("Personal data"), "governance:privacy_list", 73, permissions.VIEW),
            ]
        )
        register_widget(
            "governance.desk",
            title=_("Diskominfo service desk"),
            template="governance/widgets/desk.html",
            context=selectors.desk_widget_context,
            permission=permissions.VIEW,
            order=25,
        )
