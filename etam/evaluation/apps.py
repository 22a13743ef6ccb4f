from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "etam.evaluation"
    label = "evaluation"
    verbose_name = _("SPBE evaluation")

    def ready(self) -> None:
        from etam.core.demo_registry import register_demo_loader
        from etam.core.permissions import register_role_permissions
        from etam.evaluation import demo, rules
        from etam.evaluation.permissions import PARTICIPATE, ROLE_PERMISSIONS
        from etam.web.navigation import NavEntry, register_public, register_staff

        register_role_permissions(ROLE_PERMISSIONS)
        rules.register()
        from django.apps import apps

        if apps.is_installed("etam.opendata"):
            from etam.evaluation.feeds import register_with_opendata

            register_with_opendata()
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
                permission=PARTICIPATE,
                description=_("Self-assessment with evidence, assessor review, the index and what to raise next"),
            )
        )
