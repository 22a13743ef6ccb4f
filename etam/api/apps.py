from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "etam.api"
    label = "api"
    verbose_name = _("JSON API")

    def ready(self) -> None:
        from etam.api.errors import error_response
        from etam.core.bodylimit import register_error_responder
        from etam.web.navigation import NavEntry, register_staff

        register_error_responder("/api/v1/", lambda status, message, code: error_response(status, message, code=code))

        # The audit viewer (etam.core.views_audit) and the token page are built by the
        # same engineer as the API; their menu entries are registered here.
        register_staff(
            NavEntry(
                label=_("Audit trail"),
                url_name="audit:list",
                order=90,
                permission="core.view_audit",
                description=_("Who changed what, when and from where."),
            )
        )
        register_staff(
            NavEntry(
                label=_("API tokens"),
                url_name="api_tokens:list",
                order=95,
                description=_("Keys for programs that use the Etam API in your name."),
            )
        )
