"""Governance writes, one module per part; every name importable as ``services.X``."""

from etam.governance.services.desk import (
    proposal_decide,
    proposal_map,
    request_assign,
    request_attach,
    request_close,
    request_comment,
    request_file,
)
from etam.governance.services.risk import (
    assess,
    current_scale,
    monitoring_record,
    risk_context_save,
    risk_create,
    treatment_add,
    treatment_set_status,
)
from etam.governance.services.security import (
    audit_advance,
    audit_create,
    control_set,
    dpo_save,
    finding_add,
    finding_follow_up,
    incident_report,
    incident_update,
    processing_save,
)

__all__ = [
    "assess",
    "audit_advance",
    "audit_create",
    "control_set",
    "current_scale",
    "dpo_save",
    "finding_add",
    "finding_follow_up",
    "incident_report",
    "incident_update",
    "monitoring_record",
    "processing_save",
    "proposal_decide",
    "proposal_map",
    "request_assign",
    "request_attach",
    "request_close",
    "request_comment",
    "request_file",
    "risk_context_save",
    "risk_create",
    "treatment_add",
    "treatment_set_status",
]
