from etam.core.models.audit import AuditEvent, AuditSeal
from etam.core.models.choices import ServiceStatus
from etam.core.models.named import Named
from etam.core.models.organisations import Agency, AgencyOwned, AgencyOwnedModel, Institution, OrgUnit
from etam.core.models.people import ApiToken, Role, RoleGrant, SigningIdentity, User
from etam.core.models.ratelimit import RateCounter
from etam.core.models.recovery import PasswordRecoveryCode
from etam.core.models.reference import (
    BpsCrosswalk,
    ReferenceLoad,
    Region,
    RegionBoundary,
    RegionLevel,
    RegionStatistic,
)
from etam.core.models.scheduling import PeriodicTaskState
from etam.core.models.scope import ScopedByPath
from etam.core.models.stamps import Timestamped

__all__ = [
    "Agency",
    "AgencyOwned",
    "AgencyOwnedModel",
    "ApiToken",
    "AuditEvent",
    "AuditSeal",
    "BpsCrosswalk",
    "Institution",
    "Named",
    "OrgUnit",
    "PasswordRecoveryCode",
    "PeriodicTaskState",
    "RateCounter",
    "ReferenceLoad",
    "Region",
    "RegionBoundary",
    "RegionLevel",
    "RegionStatistic",
    "Role",
    "RoleGrant",
    "ScopedByPath",
    "ServiceStatus",
    "SigningIdentity",
    "Timestamped",
    "User",
]
