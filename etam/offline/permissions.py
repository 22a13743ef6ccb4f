"""Blank-spot permissions and which roles hold them (registered from ``OfflineConfig.ready``).

- ``PERM_ASSIST``: assisted entry (mode petugas) and the officer's device keys.
- ``PERM_IMPORT``: import a signed bundle carried from a blank spot.

Both go to petugas layanan and admin OPD. ``etam.offline.services`` re-exports the names.
"""

from etam.core.models import Role

PERM_ASSIST = "offline.assisted_entry"

PERM_IMPORT = "offline.import_bundle"

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.SERVICE_OFFICER: {PERM_ASSIST, PERM_IMPORT},
    Role.AGENCY_ADMIN: {PERM_ASSIST, PERM_IMPORT},
}
