"""Writing survey answers: the invitation made when a case ends, the citizen's answer through
its token, and an officer's entry of a paper questionnaire (docs/adr/0136)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date
from typing import IO, Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from etam.core import audit, filetypes
from etam.core.actors import Person
from etam.core.permissions import require
from etam.quality import permissions
from etam.quality.elements import elements
from etam.quality.models import SurveyInvitation, SurveyResponse
from etam.quality.selectors import PROFILE_FIELDS, invitation_for_applicant, token_digest

PHOTO_KINDS = ("jpeg", "png", "pdf")
PHOTO_MAX_BYTES = 5 * 1024 * 1024


def invitation_for_case(application: Any) -> list[str]:
    """The ``eservices.hooks`` callback: one invitation per finished case (a second call for the
    same case makes none), and the notification line with the survey link."""
    if SurveyInvitation.objects.filter(application_id=application.pk).exists():
        return []
    token = secrets.token_urlsafe(24)
    invitation = SurveyInvitation.objects.create(
        application_id=application.pk,
        service_id=application.service_id,
        agency_id=application.agency_id,
        institution_id=application.institution_id,
        token_digest=token_digest(token),
    )
    audit.record(actor="sistem", action="quality.invitation_create", target=invitation, after={"case": application.pk})
    link = settings.ESERVICES_PUBLIC_BASE_URL.rstrip("/") + reverse("quality:survey", args=[token])
    return [_("Please rate our service (Survei Kepuasan Masyarakat, 2 minutes): %(link)s") % {"link": link}]


def clean_answers(data: Mapping[str, Any], *, allow_unanswered: bool) -> tuple[dict[str, int | None], dict[str, str]]:
    """``{"u1": "4", …}`` → answers and per-field messages (Indonesian, naming the element)."""
    answers: dict[str, int | None] = {}
    errors: dict[str, str] = {}
    for element in elements():
        raw = str(data.get(element.field) or "").strip()
        if not raw:
            answers[element.field] = None
            if not allow_unanswered:
                errors[element.field] = _("Element %(number)s (%(name)s): choose one of the four answers.") % {
                    "number": element.number,
                    "name": element.name,
                }
            continue
        if raw not in {"1", "2", "3", "4"}:
            errors[element.field] = _("Element %(number)s (%(name)s): the answer must be 1, 2, 3 or 4.") % {
                "number": element.number,
                "name": element.name,
            }
            continue
        answers[element.field] = int(raw)
    if not errors and all(v is None for v in answers.values()):
        errors["u1"] = _("Answer at least one element of the questionnaire.")
    return answers, errors


def clean_profile(data: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    profile: dict[str, str] = {}
    errors: dict[str, str] = {}
    labels = {
        "age_band": _("Age"),
        "sex": _("Sex"),
        "education": _("Education"),
        "occupation": _("Occupation"),
    }
    for name, choices in PROFILE_FIELDS.items():
        value = str(data.get(name) or "").strip()
        if value and value not in choices.values:
            errors[name] = _("%(field)s: choose one of the options.") % {"field": labels[name]}
        profile[name] = value
    comment = str(data.get("comment") or "").strip()
    if len(comment) > 2000:
        errors["comment"] = _("Comment: at most 2000 characters.")
    profile["comment"] = comment
    return profile, errors


def survey_submit(*, token: str, data: Mapping[str, Any], today: date | None = None) -> SurveyResponse:
    """The citizen's answer through the invitation token: all nine elements, the profile is
    optional. An unknown or used token is refused (``token``); nothing is counted twice."""
    return _submit(_token_lookup(token), data, today)[0]


def survey_submit_queued(
    *, token: str, data: Mapping[str, Any], client_key: str, filled_on: date | None = None
) -> tuple[SurveyResponse, bool]:
    """An answer filled in the offline form and sent later by the device outbox (ADR 0164): the
    same checks as ``survey_submit``; a resend with the same ``client_key`` returns the answer
    already counted (``True``: replayed) instead of a second one. ``filled_on`` (the day the
    device kept it) dates the answer when it lies between the invitation and today."""
    return _submit(_token_lookup(token), data, None, client_key=client_key, filled_on=filled_on)


def survey_submit_for_case(
    *, actor: Any, application_id: int, data: Mapping[str, Any], today: date | None = None
) -> SurveyResponse:
    """The same answer from the applicant's own case page (signed in, no token): only the
    applicant of the case reaches its invitation; anyone else is refused as an unknown link."""
    invitation = invitation_for_applicant(actor, application_id)
    return _submit(Q(pk=invitation.pk) if invitation else None, data, today)[0]


def _token_lookup(token: str) -> Q | None:
    return Q(token_digest=token_digest(token)) if token and len(token) <= 100 else None


def _submit(
    lookup: Q | None,
    data: Mapping[str, Any],
    today: date | None,
    *,
    client_key: str = "",
    filled_on: date | None = None,
) -> tuple[SurveyResponse, bool]:
    answers, errors = clean_answers(data, allow_unanswered=False)
    profile, profile_errors = clean_profile(data)
    errors.update(profile_errors)
    with transaction.atomic():
        invitation = SurveyInvitation.objects.select_for_update().filter(lookup).first() if lookup else None
        if invitation is None:
            message = _("Survey link: this link is not known. Use the link from your notification.")
            raise ValidationError({"token": ValidationError(message, code="unknown")})
        if invitation.used_at is not None:
            earlier = SurveyResponse.objects.filter(invitation=invitation).first()
            if client_key and earlier is not None and earlier.client_key == client_key:
                return earlier, True
            message = _("Survey link: this survey has already been answered. Thank you.")
            raise ValidationError({"token": ValidationError(message, code="used")})
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        answered_on = today or timezone.localdate(now)
        if filled_on is not None and timezone.localdate(invitation.created_at) <= filled_on <= answered_on:
            answered_on = filled_on
        response = SurveyResponse.objects.create(
            service_id=invitation.service_id,
            agency_id=invitation.agency_id,
            institution_id=invitation.institution_id,
            invitation=invitation,
            channel=SurveyResponse.Channel.ONLINE,
            answered_on=answered_on,
            client_key=client_key,
            **answers,
            **profile,
        )
        invitation.used_at = now
        invitation.save(update_fields=["used_at"])
        after = {"channel": "daring", "outbox": bool(client_key)}
        audit.record(actor=None, action="quality.survey_submit", target=response, after=after)
    return response, False


EXTENSIONS = {"jpeg": "jpg", "png": "png", "pdf": "pdf"}


def _check_photo(photo: UploadedFile[Any] | None) -> tuple[str, dict[str, str]]:
    """The photo's kind, or the message naming the field."""
    if photo is None:
        return "", {"sheet_photo": _("Photo of the sheet: attach a photo or scan of the paper questionnaire.")}
    if photo.size is not None and photo.size > PHOTO_MAX_BYTES:
        return "", {"sheet_photo": _("Photo of the sheet: the file is larger than 5 MB.")}
    stream = cast(IO[bytes], photo.file)
    kind = filetypes.sniff(stream, PHOTO_KINDS)
    if kind is None:
        return "", {"sheet_photo": _("Photo of the sheet: only JPEG, PNG or PDF.")}
    return kind, {}


def paper_response_create(
    *, actor: Person, service: Any, data: Mapping[str, Any], photo: UploadedFile[Any] | None, answered_on: date | None
) -> SurveyResponse:
    """An officer types in a paper questionnaire of one of the OPD's services, with a photo of
    the sheet. Blank elements on paper stay unanswered."""
    require(actor, permissions.ENTER_PAPER, service)
    answers, errors = clean_answers(data, allow_unanswered=True)
    profile, profile_errors = clean_profile(data)
    errors.update(profile_errors)
    kind, photo_errors = _check_photo(photo)
    errors.update(photo_errors)
    today = timezone.localdate()
    if answered_on is None:
        errors["answered_on"] = _("Date filled in: write the date on the sheet (YYYY-MM-DD).")
    elif answered_on > today:
        errors["answered_on"] = _("Date filled in: the date cannot be in the future.")
    if errors or answered_on is None or photo is None:
        raise ValidationError(errors)
    with transaction.atomic():
        response = SurveyResponse(
            service=service,
            agency_id=service.agency_id,
            institution_id=service.institution_id,
            channel=SurveyResponse.Channel.PAPER,
            answered_on=answered_on,
            entered_by=actor,
            **answers,
            **profile,
        )
        response.sheet_photo.save(f"skm-{secrets.token_hex(8)}.{EXTENSIONS[kind]}", photo, save=False)
        response.save()
        audit.record(actor=actor, action="quality.paper_response_create", target=response, after={"channel": "kertas"})
    return response
