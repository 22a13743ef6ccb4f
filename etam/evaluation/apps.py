from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "etam.evaluation"
    label = "evaluation"
    verbose_name = _("SPBE evaluation")

    def ready(self) -> None:
        # The app skeleton (docs/architecture.md, "Where a new feature goes"): permissions,
        # demo loader, menus, own registries, then the seams to the apps that are installed.
        from etam.core.demo_registry import register_demo_loader
        from etam.core.permissions import register_role_permissions
        from etam.evaluation import demo, feeds, permissions, rules
        from etam.web.navigation import NavEntry, register_public, register_staff

        register_role_permissions(permissions.ROLE_PERMISSIONS)
        register_demo_loader("evaluation", demo.load, order=50)
        register_public(
            NavEntry(
                label=_("SPBE index"),
                url_name="evaluation:rollup",
                order=40,
                description=_("SPBE evaluation results of the province and the 10 regencies/cities"),
            )
        )
        register_staff(
            NavEntry(
                label=_("SPBE evaluation"),
                url_name="evaluation:list",
                order=40,
                permission=permissions.PARTICIPATE,
                description=_("Self-assessment with evidence, assessor review, the index and what to raise next"),
            )
        )
        rules.register()
        if apps.is_installed("etam.opendata"):
            feeds.register_with_opendata()
