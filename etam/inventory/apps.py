from django.utils.translation import gettext_lazy as _

from etam.core import appconfig


class InventoryConfig(appconfig.ModuleConfig):
    # The app skeleton (docs/architecture.md): permissions, demo loader, menus, then the seams.
    name = "etam.inventory"
    verbose_name = _("SPBE architecture: applications, infrastructure, connectivity")
    demo_order = 60
    seams = ("opendata", "evaluation", "governance")

    def register(self) -> None:
        from etam.inventory import permissions
        from etam.web.navigation import register_menu

        register_menu(
            public=[(_("Village connectivity"), "inventory:public_connectivity", 60)],
            staff=[
                (_("Applications"), "inventory:application_list", 60, permissions.VIEW_APPLICATION),
                (_("Infrastructure"), "inventory:datacentre_list", 61, permissions.VIEW_APPLICATION),
                (_("Village connectivity (staff)"), "inventory:village_list", 62, permissions.MANAGE_CONNECTIVITY),
            ],
        )
