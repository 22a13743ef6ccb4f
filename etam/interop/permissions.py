"""Interoperability permissions and which roles hold them (ADR 0152).

- Providers: an OPD's admin (and the instansi's admin and SPBE coordinator) registers the OPD's
  data-exchange services and decides the agreements asked for them.
- Consumers: the same roles register their OPD's consumer systems, issue and revoke their keys
  and ask for agreements.
- The exchange log: each side sees the exchanges of its own services and its own consumers.
- Provider hosts (where the gateway may forward): super admin only; no role carries it.
"""

from __future__ import annotations

from etam.core.models import Role

MANAGE_SERVICE = "interop.manage_service"
MANAGE_CONSUMER = "interop.manage_consumer"
VIEW_EXCHANGES = "interop.view_exchanges"
MANAGE_HOSTS = "interop.manage_hosts"

_BOTH_SIDES = {MANAGE_SERVICE, MANAGE_CONSUMER, VIEW_EXCHANGES}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.AGENCY_ADMIN: set(_BOTH_SIDES),
    Role.INSTITUTION_ADMIN: set(_BOTH_SIDES),
    Role.SPBE_COORDINATOR: set(_BOTH_SIDES),
}
