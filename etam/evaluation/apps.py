from django.utils.translation import gettext_lazy as _

from etam.core import appconfig


class EvaluationConfig(appconfig.ModuleConfig):
    # The app skeleton (docs/architecture.md): permissions, demo loader, then register()
    # (menus, own registries), then the seams to the apps that are installed.
    name = "etam.evaluation"
    verbose_name = _("SPBE evaluation")
    demo_order = 50
    seams = ("opendata",)

    def register(self) -> None:
        from etam.evaluation import permissions, rules
        from etam.web.navigation import register_menu

        register_menu(
            public=[
                (
                    _("SPBE index"),
                    "evaluation:rollup",
                    40,
                    None,
                    _("SPBE evaluation results of the province and the 10 regencies/cities"),
                )
            ],
            staff=[
                (
                    _("SPBE evaluation"),
                    "evaluation:list",
                    40,
                    permissions.PARTICIPATE,
                    _("Self-assessment with evidence, assessor review, the index and what to raise next"),
                )
            ],
        )
        rules.register()
