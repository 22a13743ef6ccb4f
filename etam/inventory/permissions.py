"""Inventory permissions and which roles hold them (docs/adr/0030-inventory-scoping.md).

- Applications: every staff role sees the applications of its scope (OPD roles their
  OPD, instansi roles the instansi); admin OPD edits its OPD's, admin instansi and
  koordinator SPBE edit the whole instansi.
- Duplicate review (confirm, dismiss, plan a merge): koordinator SPBE and admin instansi.
- Infrastructure: admin instansi and koordinator SPBE; admin OPD for the server rooms of its OPD.
- Village connectivity: admin instansi and koordinator SPBE, over the villages inside
  their instansi's kode wilayah (the province covers all villages).
- National Aplikasi Umum reference list: koordinator SPBE of the province (and super admin).
"""

from __future__ import annotations

from etam.core.models import Role

VIEW_APPLICATION = "inventory.view_application"
MANAGE_APPLICATION = "inventory.manage_application"
REVIEW_DUPLICATES = "inventory.review_duplicates"
MANAGE_INFRASTRUCTURE = "inventory.manage_infrastructure"
MANAGE_CONNECTIVITY = "inventory.manage_connectivity"
MANAGE_NATIONAL_APPS = "inventory.manage_national_apps"

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.SERVICE_OFFICER: {VIEW_APPLICATION},
    Role.DATA_PRODUCER: {VIEW_APPLICATION},
    Role.AGENCY_ADMIN: {VIEW_APPLICATION, MANAGE_APPLICATION, MANAGE_INFRASTRUCTURE},
    Role.DATA_STEWARD: {VIEW_APPLICATION},
    Role.ASSESSOR: {VIEW_APPLICATION},
    Role.SPBE_COORDINATOR: {
        VIEW_APPLICATION,
        MANAGE_APPLICATION,
        REVIEW_DUPLICATES,
        MANAGE_INFRASTRUCTURE,
        MANAGE_CONNECTIVITY,
        MANAGE_NATIONAL_APPS,
    },
    Role.INSTITUTION_ADMIN: {
        VIEW_APPLICATION,
        MANAGE_APPLICATION,
        REVIEW_DUPLICATES,
        MANAGE_INFRASTRUCTURE,
        MANAGE_CONNECTIVITY,
    },
}
