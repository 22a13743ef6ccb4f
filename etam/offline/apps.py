from django.utils.translation import gettext_lazy as _

from etam.core import appconfig


class OfflineConfig(appconfig.ModuleConfig):
    # The app skeleton (docs/architecture.md): permissions, then register() (menus). No demo
    # loader and no seams: offline is a channel of eservices (feeds.py says so).
    name = "etam.offline"
    verbose_name = _("Blank-spot ready (offline)")

    def register(self) -> None:
        from etam.offline import permissions
        from etam.web.navigation import register_menu

        register_menu(
            public=[(_("Outbox"), "offline:outbox", 25)],
            staff=[
                (_("Assisted entry (mode petugas)"), "offline:assisted", 25, permissions.PERM_ASSIST),
                (_("Import a bundle"), "offline:bundle_import", 26, permissions.PERM_IMPORT),
            ],
        )
