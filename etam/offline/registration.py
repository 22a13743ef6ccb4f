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
    staff = (
        (
            _("Assisted entry (mode petugas)"),
            "offline:assisted",
            25,
            services.PERM_ASSIST,
            _("Enter applications for citizens on this device, with or without signal."),
        ),
        (
            _("Import a bundle"),
            "offline:bundle_import",
            26,
            services.PERM_IMPORT,
            _("Load a bundle of applications carried from a place without signal."),
        ),
    )
    for label, url_name, order, permission, description in staff:
        register_staff(
            NavEntry(label=label, url_name=url_name, order=order, permission=permission, description=description)
        )
