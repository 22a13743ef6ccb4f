from django.utils.translation import gettext_lazy as _

from etam.core import appconfig


class InteropConfig(appconfig.ModuleConfig):
    # The app skeleton (docs/architecture.md): permissions, demo loader, register(), then the seams.
    name = "etam.interop"
    verbose_name = _("Interoperability node")
    demo_order = 80
    seams = ("eservices", "quality")

    def register(self) -> None:
        from etam.core.scheduling import register_periodic
        from etam.interop import permissions, tasks
        from etam.interop.connectors import dukcapil, lapor, siasn, splp
        from etam.web.navigation import register_menu

        register_menu(
            public=[(_("Data exchange"), "interop:catalogue", 80)],
            staff=[
                (_("Data-exchange services"), "interop:service_list", 80, permissions.MANAGE_SERVICE),
                (_("Consumer systems"), "interop:consumer_list", 81, permissions.MANAGE_CONSUMER),
                (_("Exchange log"), "interop:exchange_list", 82, permissions.VIEW_EXCHANGES),
            ],
        )
        # The national connectors are known from the start, so the health table lists them
        # before their first call.
        for connector in (dukcapil, lapor, siasn, splp):
            connector.system()
        register_periodic(tasks.retry_nik_verifications, 600, name="interop.retry_nik_verifications")
