from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "etam.governance"
    label = "governance"
    verbose_name = _("SPBE management: service desk, risk, security and audit, personal data")

    def ready(self) -> None:
        # The app skeleton (docs/architecture.md): permissions, demo loader, menus, then the seams.
        from etam.core.demo_registry import register_demo_loader
        from etam.core.permissions import register_role_permissions
        from etam.governance import demo, feeds, permissions, selectors
        from etam.web.dashboard import register_widget
        from etam.web.navigation import NavEntry, register_staff

        register_role_permissions(permissions.ROLE_PERMISSIONS)
        register_demo_loader("governance", demo.load, order=70)
        for label, url_name, order in (
            (_("Service desk"), "governance:request_list", 70),
            (_("Risk register"), "governance:risk_list", 71),
            (_("Security and audit"), "governance:security_home", 72),
            (_("Personal data"), "governance:privacy_list", 73),
        ):
            register_staff(NavEntry(label=label, url_name=url_name, order=order, permission=permissions.VIEW))
        register_widget(
            "governance.desk",
            title=_("Diskominfo service desk"),
            template="governance/widgets/desk.html",
            context=selectors.desk_widget_context,
            permission=permissions.VIEW,
            order=25,
        )
        if apps.is_installed("etam.opendata"):
            feeds.register_with_opendata()
        if apps.is_installed("etam.evaluation"):
            feeds.register_with_evaluation()
