from django.utils.translation import gettext_lazy as _

from etam.core import appconfig


class QualityConfig(appconfig.ModuleConfig):
    # The app skeleton (docs/architecture.md): permissions, demo loader, register(), then the seams.
    name = "etam.quality"
    verbose_name = _("Service quality")
    demo_order = 60
    seams = ("eservices", "opendata", "evaluation")

    def register(self) -> None:
        from etam.quality import feeds, permissions
        from etam.web.budget import register_public_sample
        from etam.web.navigation import register_menu

        register_menu(
            public=[
                (
                    _("Satisfaction survey"),
                    "quality:results",
                    45,
                    None,
                    _("Community satisfaction index (IKM) of each public service"),
                ),
                (
                    _("Complaints"),
                    "quality:complaint_new",
                    46,
                    None,
                    _("Send a complaint, suggestion or compliment about a public service and follow its answer"),
                ),
            ],
            staff=[
                (
                    _("Service quality"),
                    "quality:reports",
                    45,
                    permissions.PARTICIPATE,
                    _("Satisfaction survey reports, paper questionnaires and the follow-up plan"),
                ),
                (
                    _("Service pledge"),
                    "quality:charter_sign",
                    46,
                    permissions.SIGN_CHARTER,
                    _("Sign the agency's service pledge (maklumat pelayanan) electronically"),
                ),
            ],
        )
        register_public_sample(feeds.public_sample_pages)
        from etam.core.scheduling import register_periodic
        from etam.quality import tasks

        register_periodic(tasks.forward_complaints_to_lapor, 600, name="quality.forward_complaints_to_lapor")
