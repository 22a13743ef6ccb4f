"""Signing the OPD's maklumat pelayanan through the signing seam (ADR 0139).

The maklumat is rendered as a PDF (``pdf.charter_pdf``) and signed by the OPD's penandatangan
with their passphrase through ``etam.eservices.signing`` (the shared signing service, ADR 0082;
PAdES B-LT, ADR 0083). The signed PDF is kept in Django storage and offered on the public
standar pelayanan pages with the signer's name and the time of signing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from etam.core import audit
from etam.core.actors import Person
from etam.core.models import SigningIdentity
from etam.core.permissions import require
from etam.eservices.signing import pki
from etam.eservices.signing.signer import SigningRefused, SigningUnavailable, SignRequest, get_signer, sign_b_lt
from etam.quality import permissions
from etam.quality.models import ServiceCharter
from etam.quality.pdf import charter_pdf

# The signature box: bottom right of the first page, under the pledge (PDF points).
SIGNATURE_BOX = (340.0, 60.0, 540.0, 150.0)


class CharterSigningUnavailable(Exception):
    """The signing service cannot be reached; nothing was changed."""


def refusal_message(exc: SigningRefused) -> str:
    if exc.code == pki.WRONG_PASSPHRASE:
        return _("Passphrase: the signing service says the passphrase is wrong. Nothing was signed.")
    return _("Passphrase: the signing service refused the request. Nothing was signed.")


@sensitive_variables("passphrase")
def charter_sign(*, actor: Person, charter: ServiceCharter, passphrase: str) -> ServiceCharter:
    """Sign the maklumat as the OPD's penandatangan. ``ValidationError`` naming ``passphrase``
    when it is missing or refused; ``CharterSigningUnavailable`` when the service is down."""
    require(actor, permissions.SIGN_CHARTER, charter)
    identity = SigningIdentity.objects.filter(user_id=actor.pk).first()
    if identity is None:
        raise PermissionDenied(_("You have no signing identity (NIK, NIP, position): ask your administrator."))
    if not passphrase:
        raise ValidationError({"passphrase": _("Passphrase: enter your signing passphrase.")})
    signed_at = timezone.now()
    label = f"{actor}, {identity.position}"[:400]
    body = charter_pdf(charter, signer_label=label)
    request = SignRequest(
        pdf=body,
        nik=str(identity.nik),
        passphrase=passphrase,
        box=SIGNATURE_BOX,
        reason="Maklumat pelayanan",
        location=charter.agency.name[:100],
    )
    try:
        signed = sign_b_lt(get_signer(), request)
    except SigningRefused as exc:
        raise ValidationError({"passphrase": refusal_message(exc)}) from None
    except SigningUnavailable:
        raise CharterSigningUnavailable(
            _("The signing service cannot be reached right now. Nothing was changed; try again later.")
        ) from None
    with transaction.atomic():
        locked = ServiceCharter.objects.select_for_update().get(pk=charter.pk)
        if locked.text != charter.text:
            raise ValidationError({"text": _("Service pledge: the text changed while signing; sign again.")})
        before = {"signed_by": locked.signed_by_id, "signed_at": locked.signed_at}
        delete_on_commit(locked.signed_pdf)  # a new signature replaces the old file
        locked.signed_pdf.save(f"maklumat-{locked.agency_id}.pdf", ContentFile(signed), save=False)
        locked.signed_by, locked.signer_label, locked.signed_at = actor, label, signed_at
        locked.save(update_fields=["signed_pdf", "signed_by", "signer_label", "signed_at", "updated_at"])
        audit.record(
            actor=actor,
            action="quality.charter_sign",
            target=locked,
            before=before,
            after={"signed_by": actor.pk, "signed_at": signed_at.isoformat(), "file": locked.signed_pdf.name},
        )
    return locked


def delete_on_commit(file: FieldFile) -> None:
    """Remove the stored file of a superseded signed maklumat once the change is committed."""
    if file and file.name:
        storage, name = file.storage, file.name
        transaction.on_commit(lambda: storage.delete(name))
