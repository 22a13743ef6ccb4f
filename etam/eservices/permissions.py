"""E-service permissions and which roles hold them (registered from ``EservicesConfig.ready``).

- ``PERM_PROCESS`` / ``PERM_VIEW``: work on / see the applications of one's OPD (petugas layanan).
- ``PERM_MANAGE``: publish and edit the OPD's services; ``PERM_REVOKE``: revoke issued documents;
  ``PERM_ESCALATION``: receive the applications past their service standard (admin OPD).
- ``PERM_STATS``: the service statistics (admin OPD, admin instansi, koordinator SPBE).
- ``PERM_SIGN``: sign the documents of one's OPD (penandatangan).

``etam.eservices.services`` re-exports every name (the old import path).
"""

from etam.core.models import Role

PERM_MANAGE = "eservices.manage_service"
PERM_PROCESS = "eservices.process_application"
PERM_VIEW = "eservices.view_application"
PERM_STATS = "eservices.view_statistics"
PERM_REVOKE = "eservices.revoke_document"
PERM_ESCALATION = "eservices.receive_escalation"
PERM_SIGN = "eservices.sign_document"

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.SERVICE_OFFICER: {PERM_PROCESS, PERM_VIEW},
    Role.AGENCY_ADMIN: {PERM_MANAGE, PERM_PROCESS, PERM_VIEW, PERM_STATS, PERM_REVOKE, PERM_ESCALATION},
    Role.INSTITUTION_ADMIN: {PERM_VIEW, PERM_STATS},
    Role.SPBE_COORDINATOR: {PERM_STATS},
    Role.SIGNATORY: {PERM_SIGN, PERM_VIEW},
}
