from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "etam.interop"
    label = "interop"
    verbose_name = _("Interoperability node")

    def ready(self) -> None:
        # The app skeleton (docs/architecture.md): permissions, demo loader, menus.
        from etam.core.demo_registry import register_demo_loader
        from etam.core.permissions import register_role_permissions
        from etam.interop import demo, permissions
        from etam.web.navigation import NavEntry, register_public, register_staff

        register_role_permissions(permissions.ROLE_PERMISSIONS)
        register_demo_loader("interop", demo.load, order=80)
        register_public(NavEntry(label=_("Data exchange"), url_name="interop:catalogue", order=80))
        for label, url_name, order, permission in (
            (_("Data-exchange services"), "interop:service_list", 80, permissions.MANAGE_SERVICE),
            (_("Consumer systems"), "interop:consumer_list", 81, permissions.MANAGE_CONSUMER),
            (_("Exchange log"), "interop:exchange_list", 82, permissions.VIEW_EXCHANGES),
        ):
            register_staff(NavEntry(label=label, url_name=url_name, order=order, permission=permission))
        # The national connectors are known from the start, so the health table lists them
        # before their first call.
        from etam.interop.connectors import dukcapil, lapor, siasn, splp

        for connector in (dukcapil, lapor, siasn, splp):
            connector.system()
        from etam.core.scheduling import register_periodic
        from etam.interop import feeds, tasks

        register_periodic(tasks.retry_nik_verifications, 600, name="interop.retry_nik_verifications")
        if apps.is_installed("etam.eservices"):
            feeds.register_with_eservices()
