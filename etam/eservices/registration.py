"""Everything the module contributes to the shared registries (called from AppConfig.ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register_all() -> None:
    from etam.core.demo_registry import register_demo_loader
    from etam.core.permissions import register_role_permissions
    from etam.eservices import services

    register_role_permissions({str(role): perms for role, perms in services.ROLE_PERMISSIONS.items()})

    from django.db.models.signals import post_delete, post_save

    from etam.eservices import workdays
    from etam.eservices.models import Holiday

    def holidays_changed(**kwargs: object) -> None:
        workdays.forget_holidays()

    post_save.connect(holidays_changed, sender=Holiday, weak=False, dispatch_uid="eservices.holidays_changed")
    post_delete.connect(holidays_changed, sender=Holiday, weak=False, dispatch_uid="eservices.holidays_deleted")

    try:
        from etam.web.navigation import NavEntry, register_public, register_staff
    except ImportError:  # pragma: no cover - the shell is always installed
        return
    register_public(NavEntry(label=_("Services"), url_name="eservices:catalogue", order=20))
    register_public(NavEntry(label=_("Track an application"), url_name="eservices:status_lookup", order=21))
    # Descriptions: the dashboard cards say what each page is for (issue 15).
    staff = (
        (
            _("Application inbox"),
            "eservices:inbox",
            20,
            services.PERM_PROCESS,
            _("Applications waiting for you, overdue first."),
        ),
        (
            _("To sign"),
            "eservices:to_sign",
            20,
            services.PERM_SIGN,
            _("Approved decisions waiting for your electronic signature."),
        ),
        (
            _("Services (manage)"),
            "eservices:staff_services",
            21,
            services.PERM_MANAGE,
            _("Create and publish services and their forms."),
        ),
        (
            _("Service statistics"),
            "eservices:statistics",
            22,
            services.PERM_STATS,
            _("Applications, completion times and satisfaction per service."),
        ),
    )
    for label, url_name, order, permission, description in staff:
        register_staff(
            NavEntry(label=label, url_name=url_name, order=order, permission=permission, description=description)
        )

    from etam.eservices import demo

    register_demo_loader("eservices", demo.load, order=30)

    try:
        from etam.web.budget import register_public_sample
        from etam.web.dashboard import register_widget
    except ImportError:  # pragma: no cover
        return
    from etam.eservices import selectors

    register_public_sample(demo.public_sample_pages)
    register_widget(
        "eservices.inbox",
        title=_("Applications waiting"),
        template="eservices/widgets/inbox.html",
        context=selectors.inbox_widget_context,
        permission=services.PERM_PROCESS,
        order=20,
    )
