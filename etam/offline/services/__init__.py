"""Business operations of the blank-spot module.

- ``application_intake``: an outbox item (from a device, or from a bundle) becomes an
  eservices case exactly once. The idempotency store is the eservices one (a unique
  ``(applicant, idempotency_key)`` on ``Application``), so an item retried through any
  path — device, bundle, or ``POST /api/v1/applications`` — never makes a second case.
- the version rule: an item is checked and filed under the service version its form was
  filled in, while that version still accepts (``OFFLINE_VERSION_GRACE_DAYS`` after it
  was replaced); otherwise it is refused with an actionable message.
- resumable uploads in pieces, handed to the eservices file store when the item is filed.
- device keys and signed store-and-forward bundles.
"""

from __future__ import annotations

from etam.offline.permissions import PERM_ASSIST, PERM_IMPORT, ROLE_PERMISSIONS  # also importable from here
from etam.offline.services._base import (
    BUNDLE_FORMAT,
    BUNDLE_MAX_BYTES,
    CHUNK_MAX_BYTES,
    KEY_PATTERN,
    UPLOAD_MAX_BYTES,
    Refused,
    can_assist,
    can_import,
    grace_days,
)
from etam.offline.services.bundles import (
    BUNDLE_ITEM_SCHEMA,
    BundleRejected,
    BundleReport,
    ItemReport,
    bundle_import,
    device_key_register,
    device_key_revoke,
    verify_bundle,
)
from etam.offline.services.intake import (
    Assisted,
    Intake,
    application_intake,
    consent_text,
    item_digest,
    parse_assisted,
    version_for,
)
from etam.offline.services.uploads import upload_append, upload_limit, upload_start

__all__ = [
    "BUNDLE_FORMAT",
    "BUNDLE_ITEM_SCHEMA",
    "BUNDLE_MAX_BYTES",
    "CHUNK_MAX_BYTES",
    "KEY_PATTERN",
    "PERM_ASSIST",
    "PERM_IMPORT",
    "ROLE_PERMISSIONS",
    "UPLOAD_MAX_BYTES",
    "Assisted",
    "BundleRejected",
    "BundleReport",
    "Intake",
    "ItemReport",
    "Refused",
    "application_intake",
    "bundle_import",
    "can_assist",
    "can_import",
    "consent_text",
    "device_key_register",
    "device_key_revoke",
    "grace_days",
    "item_digest",
    "parse_assisted",
    "upload_append",
    "upload_limit",
    "upload_start",
    "verify_bundle",
    "version_for",
]
