"""Governance permissions (service desk, risk, security and audit, personal data) and the roles
holding them (docs/adr/0140-governance-module-and-gate.md).

"Diskominfo" is the koordinator SPBE role of the instansi (and the admin instansi): it handles the
service desk and decides proposals for the whole instansi. An OPD (admin OPD) files requests and
keeps the risks, checklists, incidents and processing activities of its own OPD; every staff role
of an OPD sees its own OPD's records, instansi roles the instansi's.
"""

from __future__ import annotations

from etam.core.models import Role

VIEW = "governance.view"
FILE_REQUEST = "governance.file_request"
HANDLE_REQUEST = "governance.handle_request"
MANAGE_RISK = "governance.manage_risk"
MANAGE_RISK_CONTEXT = "governance.manage_risk_context"
MANAGE_SECURITY = "governance.manage_security"
MANAGE_AUDIT = "governance.manage_audit"
MANAGE_PRIVACY = "governance.manage_privacy"
MANAGE_DPO = "governance.manage_dpo"

_OPD = {VIEW, FILE_REQUEST, MANAGE_RISK, MANAGE_SECURITY, MANAGE_PRIVACY}
_DISKOMINFO = _OPD | {HANDLE_REQUEST, MANAGE_RISK_CONTEXT, MANAGE_AUDIT, MANAGE_DPO}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.SERVICE_OFFICER: {VIEW},
    Role.DATA_PRODUCER: {VIEW},
    Role.DATA_STEWARD: {VIEW},
    Role.ASSESSOR: {VIEW},
    Role.AGENCY_ADMIN: set(_OPD),
    Role.SPBE_COORDINATOR: set(_DISKOMINFO),
    Role.INSTITUTION_ADMIN: set(_DISKOMINFO),
}
