"""Core pages, by responsibility (this module re-exports them, so ``etam.core.views.<name>``
and the URL names keep working):

- ``views_account``: sign-in (password, TOTP step), registration, sign-out, own account;
- ``views_orgs``: staff pages for instansi, OPDs and units;
- ``views_people``: staff pages for staff accounts and role grants;
- ``views_audit``: the audit trail viewer.
"""

from __future__ import annotations

from etam.core.validators import normalise_identifier
from etam.core.views_account import (
    ENROL_KEY_SESSION,
    PENDING_LOGIN_KEY,
    PENDING_LOGIN_TTL,
    STAFF_PASSWORD_HELP,
    account_security_view,
    account_view,
    login_verify_view,
    login_view,
    logout_view,
    password_change_view,
    register_view,
)
from etam.core.views_orgs import (
    agency_create_view,
    agency_detail_view,
    agency_edit_view,
    agency_list_view,
    agency_status_view,
    institution_create_view,
    institution_detail_view,
    institution_edit_view,
    unit_create_view,
    unit_edit_view,
)
from etam.core.views_people import (
    GRANT_ERROR_MAP,
    grant_revoke_view,
    staff_create_view,
    staff_detail_view,
    staff_edit_view,
    staff_list_view,
    staff_status_view,
)

__all__ = [
    "ENROL_KEY_SESSION",
    "GRANT_ERROR_MAP",
    "PENDING_LOGIN_KEY",
    "PENDING_LOGIN_TTL",
    "STAFF_PASSWORD_HELP",
    "account_security_view",
    "account_view",
    "agency_create_view",
    "agency_detail_view",
    "agency_edit_view",
    "agency_list_view",
    "agency_status_view",
    "grant_revoke_view",
    "institution_create_view",
    "institution_detail_view",
    "institution_edit_view",
    "login_verify_view",
    "login_view",
    "logout_view",
    "normalise_identifier",
    "password_change_view",
    "register_view",
    "staff_create_view",
    "staff_detail_view",
    "staff_edit_view",
    "staff_list_view",
    "staff_status_view",
    "unit_create_view",
    "unit_edit_view",
]
