from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "etam.evaluation"
    label = "evaluation"
    verbose_name = _("SPBE evaluation")

    def ready(self) -> None:
        from etam.core.permissions import register_role_permissions
        from etam.evaluation import rules
        from etam.evaluation.permissions import ROLE_PERMISSIONS

        register_role_permissions(ROLE_PERMISSIONS)
        rules.register()
