from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "etam.inventory"
    label = "inventory"
    verbose_name = _("SPBE architecture: applications, infrastructure, connectivity")

    def ready(self) -> None:
        # The app skeleton (docs/architecture.md, "Where a new feature goes"): permissions,
        # demo loader, menus, then the seams to the apps that are installed.
        from etam.core.demo_registry import register_demo_loader
        from etam.core.permissions import register_role_permissions
        from etam.inventory import demo, feeds, permissions
        from etam.web.navigation import NavEntry, register_public, register_staff

        register_role_permissions(permissions.ROLE_PERMISSIONS)
        register_demo_loader("inventory", demo.load, order=60)
        register_public(NavEntry(label=_("Village connectivity"), url_name="inventory:public_connectivity", order=60))
        for label, url_name, order, permission in (
            (_("Applications"), "inventory:application_list", 60, permissions.VIEW_APPLICATION),
            (_("Infrastructure"), "inventory:datacentre_list", 61, permissions.VIEW_APPLICATION),
            (_("Village connectivity (staff)"), "inventory:village_list", 62, permissions.MANAGE_CONNECTIVITY),
        ):
            register_staff(NavEntry(label=label, url_name=url_name, order=order, permission=permission))
        if apps.is_installed("etam.opendata"):
            feeds.register_with_opendata()
        if apps.is_installed("etam.evaluation"):
            feeds.register_with_evaluation()
        if apps.is_installed("etam.governance"):
            from etam.inventory import governance_seam

            governance_seam.register_with_governance()
