"""Who may do what in the SPBE evaluation.

- ``evaluation.view``: see an instansi's evaluations (instansi-scoped roles).
- ``evaluation.manage``: open an evaluation, assign indicators to OPDs, move it through the
  stages, reopen a final one (koordinator SPBE).
- ``evaluation.claim``: claim levels and attach evidence for the indicators assigned to
  one's own OPD (every OPD-scoped role: admin OPD, petugas layanan, produsen data). An OPD
  grant sees an evaluation only while its OPD holds an assignment in it.
- ``evaluation.assess``: set assessed levels, decide platform suggestions (asesor).
- ``evaluation.manage_framework``: change frameworks; no role has it, only super admin.
- ``evaluation.participate``: shows the staff menu entry; every role above has it (the
  pages check the real permissions).
"""

from etam.core.models import Role

VIEW = "evaluation.view"
MANAGE = "evaluation.manage"
CLAIM = "evaluation.claim"
ASSESS = "evaluation.assess"
MANAGE_FRAMEWORK = "evaluation.manage_framework"
PARTICIPATE = "evaluation.participate"

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.SPBE_COORDINATOR: {VIEW, MANAGE, PARTICIPATE},
    Role.ASSESSOR: {VIEW, ASSESS, PARTICIPATE},
    Role.INSTITUTION_ADMIN: {VIEW, PARTICIPATE},
    Role.AGENCY_ADMIN: {CLAIM, PARTICIPATE},
    Role.SERVICE_OFFICER: {CLAIM, PARTICIPATE},
    Role.DATA_PRODUCER: {CLAIM, PARTICIPATE},
}
