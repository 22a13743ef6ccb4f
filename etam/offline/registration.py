"""What the module contributes to the shared registries (called from AppConfig.ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register_all() -> None:
    from etam.core.permissions import register_role_permissions
    from etam.offline import services

    register_role_permissions({str(role): perms for role, perms in services.ROLE_PERMISSIONS.items()})
    try:
        from etam.web.navigation import NavEntry, register_public, register_staff
    except ImportError:  # pragma: no cover - the shell is always installed
        return
    register_public(NavEntry(label=_("Outbox"), url_name="offline:outbox", order=25))
    register_staff(
        NavEntry(
            label=_("Assisted entry (mode petugas)"),
            url_name="offline:assisted",
            order=25,
            permission=services.PERM_ASSIST,
        )
    )
    register_staff(
        NavEntry(
            label=_("Import a bundle"),
            url_name="offline:bundle_import",
            order=26,
            permission=services.PERM_IMPORT,
        )
    )
