"""Business operations of the electronic-services module.

One function per operation, keyword-only, ``<entity>_<verb>(*, actor, ...)``: each
checks permission, changes state, writes the audit event in the same transaction and
schedules side effects (notifications, document generation) with ``on_commit``.
HTML views, the API, jobs and management commands all come through here.

Split by responsibility (catalogue, drafts, submission, cases, escalation); every public
name stays importable from ``etam.eservices.services``.
"""

from __future__ import annotations

from etam.eservices.permissions import (  # the permission names, also importable from here
    PERM_ESCALATION,
    PERM_MANAGE,
    PERM_PROCESS,
    PERM_REVOKE,
    PERM_SIGN,
    PERM_STATS,
    PERM_VIEW,
    ROLE_PERMISSIONS,
)
from etam.eservices.services._base import ApplicationRefused
from etam.eservices.services.cases import (
    SigningOutcome,
    application_act,
    application_assign,
    application_note,
    document_revoke,
    documents_sign,
    require_signatory,
    signing_error_message,
    signing_identity,
)
from etam.eservices.services.catalogue import (
    SERVICE_FIELDS,
    service_create,
    service_export,
    service_import,
    service_set_status,
    service_update,
    version_create,
    version_publish,
    version_update,
)
from etam.eservices.services.drafts import draft_discard, draft_for, draft_save, file_store_for
from etam.eservices.services.escalation import escalate_overdue
from etam.eservices.services.submission import (
    Submission,
    application_submit,
    receipt_secret_renew,
    submission_digest,
    submission_replay,
)

__all__ = [
    "PERM_ESCALATION",
    "PERM_MANAGE",
    "PERM_PROCESS",
    "PERM_REVOKE",
    "PERM_SIGN",
    "PERM_STATS",
    "PERM_VIEW",
    "ROLE_PERMISSIONS",
    "SERVICE_FIELDS",
    "ApplicationRefused",
    "SigningOutcome",
    "Submission",
    "application_act",
    "application_assign",
    "application_note",
    "application_submit",
    "document_revoke",
    "documents_sign",
    "draft_discard",
    "draft_for",
    "draft_save",
    "escalate_overdue",
    "file_store_for",
    "receipt_secret_renew",
    "require_signatory",
    "service_create",
    "service_export",
    "service_import",
    "service_set_status",
    "service_update",
    "signing_error_message",
    "signing_identity",
    "submission_digest",
    "submission_replay",
    "version_create",
    "version_publish",
    "version_update",
]
