from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "etam.quality"
    label = "quality"
    verbose_name = _("Service quality")

    def ready(self) -> None:
        # The app skeleton (docs/architecture.md): permissions, demo loader, menus, then the seams.
        from etam.core.demo_registry import register_demo_loader
        from etam.core.permissions import register_role_permissions
        from etam.quality import demo, permissions
        from etam.web.navigation import NavEntry, register_public, register_staff

        register_role_permissions(permissions.ROLE_PERMISSIONS)
        register_demo_loader("quality", demo.load, order=60)
        register_public(
            NavEntry(
                label=_("Satisfaction survey"),
                url_name="quality:results",
                order=45,
                description=_("Community satisfaction index (IKM) of each public service"),
            )
        )
        register_public(
            NavEntry(
                label=_("Complaints"),
                url_name="quality:complaint_new",
                order=46,
                description=_(
                    "Send a complaint, suggestion or compliment about a public service and follow its answer"
                ),
            )
        )
        register_staff(
            NavEntry(
                label=_("Service quality"),
                url_name="quality:reports",
                order=45,
                permission=permissions.PARTICIPATE,
                description=_("Satisfaction survey reports, paper questionnaires and the follow-up plan"),
            )
        )
        if apps.is_installed("etam.eservices"):
            from etam.eservices.hooks import register_case_finished
            from etam.quality.services import invitation_for_case

            register_case_finished(invitation_for_case)
        from etam.quality import feeds
        from etam.web.budget import register_public_sample

        register_public_sample(feeds.public_sample_pages)

        if apps.is_installed("etam.opendata"):
            feeds.register_with_opendata()
        if apps.is_installed("etam.evaluation"):
            feeds.register_with_evaluation()
