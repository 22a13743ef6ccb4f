from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "etam.api"
    label = "api"
    verbose_name = _("JSON API")

    def ready(self) -> None:
        from etam.api.errors import error_response
        from etam.core.bodylimit import register_error_responder
        from etam.web.navigation import register_menu

        register_error_responder("/api/v1/", lambda status, message, code: error_response(status, message, code=code))

        # The audit viewer (etam.core.views_audit) and the token page are built by the
        # same engineer as the API; their menu entries are registered here.
        register_menu(
            staff=[
                (
                    _("Audit trail"),
                    "audit:list",
                    90,
                    "core.view_audit",
                    _("Who changed what, when and from where."),
                ),
                (
                    _("API tokens"),
                    "api_tokens:list",
                    95,
                    None,
                    _("Keys for programs that use the Etam API in your name."),
                ),
            ]
        )
