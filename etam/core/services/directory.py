"""Staff records kept current from the national employee directory (SIASN): the name and jabatan
printed in a signature block come from there, not from hand edits (issue 16, ADR 0155)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from etam.core import audit
from etam.core.models import SigningIdentity


def signing_identity_refresh(*, identity: SigningIdentity, full_name: str, position: str, source: str) -> bool:
    """Write the directory's name and jabatan onto a staff member's signing identity (and their
    account's name); one audit event, by the system, when anything changed. True if it did."""
    user = identity.user
    before = {"full_name": user.full_name, "position": identity.position}
    after = {"full_name": full_name.strip() or user.full_name, "position": position.strip() or identity.position}
    if before == after:
        return False
    with transaction.atomic():
        user.full_name = after["full_name"]
        user.save(update_fields=["full_name"])
        identity.position = after["position"]
        identity.updated_at = timezone.now()
        identity.save(update_fields=["position", "updated_at"])
        audit.record(
            actor="sistem",
            action="core.signing_identity_refreshed",
            target=identity,
            before=before,
            after={**after, "source": source},
        )
    return True
