"""Issued documents: preview, QR image, and signing and issuing a document."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from etam.core import audit
from etam.eservices.documents.keys import qr_key
from etam.eservices.documents.pdf import QR_BOX, render_content_pdf
from etam.eservices.documents.qr import make_payload
from etam.eservices.models import Application, ApplicationEvent, IssuedDocument

# Generation (background task)


def preview_pdf(application: Application, official: Any) -> bytes:
    """The content PDF as it would be issued today by this official: not saved, not
    signed, with "PRATINJAU" (preview) in place of the number."""
    from etam.eservices.services import signing_identity

    identity = signing_identity(official)
    draft = IssuedDocument(
        application=application,
        number="PRATINJAU",
        code="pratinjau",
        holder_name=application.holder_name,
        issued_on=timezone.localdate(),
        signer_name=str(official)[:150],
        signer_nip=identity.nip if identity else "",
        signer_position=identity.position if identity else "",
        created_at=timezone.now(),
    )
    return render_content_pdf(draft, application)


def qr_png(text: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=4, border=2)
    return buffer.getvalue()


@sensitive_variables("passphrase")
def sign_and_issue(document: IssuedDocument, *, passphrase: str, signer: Any = None) -> IssuedDocument:
    """Render the document with the official's signature block, sign it through the
    signing service as that official (NIK + passphrase), add B-LT data and store it.

    Raises ``SigningRefused`` (wrong passphrase, unknown NIK, revoked certificate: nothing
    changes) or ``SigningUnavailable`` (the document stays "to sign"). The passphrase is
    only passed on to the signer; it is never stored or logged."""
    from etam.eservices.signing.signer import SignRequest, get_signer, sign_b_lt

    document = IssuedDocument.objects.select_related(
        "application__service",
        "application__version",
        "application__agency__institution",
        "signer__signing_identity",
    ).get(pk=document.pk)
    if document.status == IssuedDocument.Status.ISSUED:
        return document
    application = document.application
    institution = application.agency.institution
    identity = document.signer.signing_identity  # type: ignore[union-attr]
    content_pdf = render_content_pdf(document, application)
    key = qr_key(institution)
    payload = make_payload(
        key=key,
        number=document.number,
        code=document.code,
        service_code=application.service.code,
        institution_code=institution.region_code,
        holder=document.holder_name,
        issued_on=document.issued_on,
        content_sha256=hashlib.sha256(content_pdf).digest(),
        content_length=len(content_pdf),
    )
    qr_text = f"{settings.ESERVICES_PUBLIC_BASE_URL}/v/{document.code}#{payload}"
    signed = sign_b_lt(
        signer or get_signer(),
        SignRequest(
            pdf=content_pdf,
            nik=str(identity.nik),
            passphrase=passphrase,
            visible=True,
            page=1,
            box=QR_BOX,
            image_png=qr_png(qr_text),
            reason=f"{application.service.name} — {document.number}",
            location=institution.name,
        ),
    )
    from pyhanko.pdf_utils.reader import PdfFileReader

    signature = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    from etam.eservices import notifications

    locked = IssuedDocument.objects.select_for_update().get(pk=document.pk)
    if locked.status == IssuedDocument.Status.ISSUED:
        return locked
    locked.file.save("dokumen.pdf", ContentFile(signed), save=False)
    locked.pdf_sha256 = hashlib.sha256(signed).hexdigest()
    locked.content_sha256 = hashlib.sha256(content_pdf).hexdigest()
    locked.qr_payload = payload
    locked.key_id = key.key_id
    locked.status = IssuedDocument.Status.ISSUED
    locked.attempts = document.attempts + 1
    locked.last_error = ""
    locked.signed_at = timezone.now()
    locked.certificate_serial = format(signature.signer_cert.serial_number, "x")
    locked.save()
    ApplicationEvent.objects.create(
        application=application,
        actor=document.signer,
        actor_label=str(document.signer)[:200],
        kind=ApplicationEvent.Kind.DOCUMENT_ISSUED,
        message=locked.number,
    )
    audit.record(
        actor=document.signer,
        action="eservices.document_issue",
        target=application,
        object_type="eservices.issueddocument",
        object_id=locked.pk,
        object_repr=locked.number,
        after={"number": locked.number, "pdf_sha256": locked.pdf_sha256, "certificate": locked.certificate_serial},
    )
    notifications.queue(application, "document_issued", {"number": locked.number})
    return locked
