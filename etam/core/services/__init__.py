"""Core business operations: one function per operation, ``<entity>_<verb>(*, actor, ...)``.

Every function checks permission, changes state and writes one audit event in the same
transaction. HTML views, the API, admin actions, jobs and commands all call these.
"""

from etam.core.services.accounts import (
    may_manage_account,
    staff_user_deactivate,
    staff_user_reactivate,
    staff_user_update,
)
from etam.core.services.organisations import (
    agency_create,
    agency_deactivate,
    agency_reactivate,
    agency_update,
    institution_create,
    institution_update,
    orgunit_create,
    orgunit_update,
)
from etam.core.services.password_recovery import password_recovery_complete, password_recovery_request
from etam.core.services.people import (
    citizen_register,
    citizen_registration_errors,
    citizen_sign_up,
    grantable_roles,
    may_grant,
    role_grant_create,
    role_grant_revoke,
    staff_user_create,
    totp_device_confirm,
    totp_device_remove,
    user_password_change,
)
from etam.core.services.profile import citizen_profile_update
from etam.core.services.recovery_codes import (
    recovery_code_digest,
    recovery_code_use,
    recovery_codes_generate,
    recovery_codes_remaining,
)

__all__ = [
    "agency_create",
    "agency_deactivate",
    "agency_reactivate",
    "agency_update",
    "citizen_profile_update",
    "citizen_register",
    "citizen_registration_errors",
    "citizen_sign_up",
    "grantable_roles",
    "institution_create",
    "institution_update",
    "may_grant",
    "may_manage_account",
    "orgunit_create",
    "orgunit_update",
    "password_recovery_complete",
    "password_recovery_request",
    "recovery_code_digest",
    "recovery_code_use",
    "recovery_codes_generate",
    "recovery_codes_remaining",
    "role_grant_create",
    "role_grant_revoke",
    "staff_user_create",
    "staff_user_deactivate",
    "staff_user_reactivate",
    "staff_user_update",
    "totp_device_confirm",
    "totp_device_remove",
    "user_password_change",
]
