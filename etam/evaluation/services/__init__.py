"""Business operations of the SPBE evaluation, one function each.

Every function checks permission, validates, changes state and writes one audit event in
the same transaction. Bad input raises ``ValidationError`` with a message per field (in
Bahasa Indonesia through gettext) and nothing is saved.

Split by responsibility: ``frameworks``, ``cycle`` (open, assign, advance, reopen),
``claims`` (self-assessment and evidence), ``review`` (assessments, suggestions) and
``results`` (import of earlier results). Every public name stays importable from
``etam.evaluation.services``.
"""

from __future__ import annotations

from etam.evaluation.services.claims import (
    EvidenceGapWarning,
    assignment_submit,
    claim_create,
    claim_update,
    evidence_add,
    evidence_remove,
)
from etam.evaluation.services.cycle import (
    assignment_apply_defaults,
    assignment_set,
    default_owner_agencies,
    evaluation_advance,
    evaluation_open,
    evaluation_reopen,
)
from etam.evaluation.services.frameworks import (
    framework_import,
    framework_new_version,
    framework_publish,
    indicator_update,
)
from etam.evaluation.services.results import (
    results_import,
)
from etam.evaluation.services.review import (
    assessment_set,
    suggestion_decide,
    suggestions_refresh,
)

__all__ = [
    "EvidenceGapWarning",
    "assessment_set",
    "assignment_apply_defaults",
    "assignment_set",
    "assignment_submit",
    "claim_create",
    "claim_update",
    "default_owner_agencies",
    "evaluation_advance",
    "evaluation_open",
    "evaluation_reopen",
    "evidence_add",
    "evidence_remove",
    "framework_import",
    "framework_new_version",
    "framework_publish",
    "indicator_update",
    "results_import",
    "suggestion_decide",
    "suggestions_refresh",
]
