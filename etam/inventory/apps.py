from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "etam.inventory"
    label = "inventory"
    verbose_name = _("SPBE architecture: applications, infrastructure, connectivity")

    def ready(self) -> None:
        from etam.core import permissions
        from etam.core.demo_registry import register_demo_loader
        from etam.inventory import permissions as inventory_permissions
        from etam.inventory.demo import load as load_demo
        from etam.web.navigation import NavEntry, register_public, register_staff

        permissions.register_role_permissions(inventory_permissions.ROLE_PERMISSIONS)
        register_demo_loader("inventory", load_demo, order=60)
        register_public(NavEntry(label=_("Village connectivity"), url_name="inventory:public_connectivity", order=60))
        register_staff(
            NavEntry(
                label=_("Applications"),
                url_name="inventory:application_list",
                order=60,
                permission=inventory_permissions.VIEW_APPLICATION,
            )
        )
        register_staff(
            NavEntry(
                label=_("Infrastructure"),
                url_name="inventory:datacentre_list",
                order=61,
                permission=inventory_permissions.VIEW_APPLICATION,
            )
        )
        register_staff(
            NavEntry(
                label=_("Village connectivity (staff)"),
                url_name="inventory:village_list",
                order=62,
                permission=inventory_permissions.MANAGE_CONNECTIVITY,
            )
        )
        self._register_feeds()

    def _register_feeds(self) -> None:
        """Wire the seams to Satu Data and SPBE evaluation when those modules are installed."""
        from etam.inventory import feeds

        if apps.is_installed("etam.opendata"):
            feeds.register_with_opendata()
        if apps.is_installed("etam.evaluation"):
            feeds.register_with_evaluation()
