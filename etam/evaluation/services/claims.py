"""Self-assessment: claims, evidence and the submission of an OPD's indicators."""

from __future__ import annotations

from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from etam.core import audit, changes
from etam.core.actors import Actor, Person
from etam.core.models import Agency
from etam.core.permissions import Scope, require
from etam.evaluation import evidence as ev
from etam.evaluation import permissions as perms
from etam.evaluation.models import (
    Assignment,
    Claim,
    Evaluation,
    Evidence,
    Indicator,
    Stage,
)
from etam.evaluation.services.cycle import _ensure_open


def _assignment_for_claim(actor: Actor, evaluation: Evaluation, indicator: Indicator) -> Assignment:
    assignment = Assignment.objects.select_related("agency").filter(evaluation=evaluation, indicator=indicator).first()
    if assignment is None:
        # Not assigned: nobody at OPD level may claim it; the coordinator assigns first.
        raise PermissionDenied(_("This indicator is not assigned to your OPD."))
    require(actor, perms.CLAIM, Scope(evaluation.institution_id, assignment.agency_id))
    return assignment


def _check_level(indicator: Indicator, level: Any, field: str = "level") -> int:
    scale = indicator.scale
    try:
        value = int(level)
    except (TypeError, ValueError):
        value = None
    if value is None or str(level).strip() != str(value) or not scale.min_level <= value <= scale.max_level:
        raise ValidationError(
            {
                field: _("Level for indicator %(number)s: a whole number from %(min)s to %(max)s is expected.")
                % {"number": indicator.number, "min": scale.min_level, "max": scale.max_level}
            }
        )
    return value


def _check_justification(fact: str, analysis: str) -> dict[str, str]:
    errors = {}
    if len((fact or "").strip()) < 10:
        errors["fact"] = _("Fact sentence: state what exists, e.g. which policy or service (at least 10 characters).")
    if len((analysis or "").strip()) < 10:
        errors["analysis"] = _("Analysis sentence: explain why this meets the claimed level (at least 10 characters).")
    return errors


def claim_create(
    *, actor: Person, evaluation: Evaluation, indicator: Indicator, level: Any, fact: str, analysis: str
) -> Claim:
    assignment = _assignment_for_claim(actor, evaluation, indicator)
    _ensure_open(evaluation)
    if evaluation.stage != Stage.SELF:
        raise ValidationError({"stage": _("Claims can only be made during the self-assessment stage.")})
    value = _check_level(indicator, level)
    errors = _check_justification(fact, analysis)
    if Claim.objects.filter(evaluation=evaluation, indicator=indicator).exists():
        errors["indicator"] = _("Indicator %(number)s already has a claim; change the existing claim instead.") % {
            "number": indicator.number
        }
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                evaluation=evaluation,
                indicator=indicator,
                agency=assignment.agency,
                level=value,
                fact=fact.strip(),
                analysis=analysis.strip(),
                claimed_by=actor,
            )
            audit.record(actor=actor, action="evaluation.claim", target=claim, after={"level": value})
    except IntegrityError as exc:  # a concurrent duplicate
        raise ValidationError(
            {"indicator": _("Indicator %(number)s already has a claim.") % {"number": indicator.number}}
        ) from exc
    return claim


def claim_update(*, actor: Person, claim: Claim, level: Any, fact: str, analysis: str) -> Claim:
    evaluation = claim.evaluation
    _assignment_for_claim(actor, evaluation, claim.indicator)
    _ensure_open(evaluation)
    if evaluation.stage != Stage.SELF:
        raise ValidationError({"stage": _("Claims can only be changed during the self-assessment stage.")})
    value = _check_level(claim.indicator, level)
    errors = _check_justification(fact, analysis)
    if errors:
        raise ValidationError(errors)
    before = {"level": claim.level, "fact": claim.fact, "analysis": claim.analysis}
    with transaction.atomic():
        claim.level = value
        claim.fact = fact.strip()
        claim.analysis = analysis.strip()
        claim.claimed_by = actor
        claim.save()
        Assignment.objects.filter(evaluation=evaluation, indicator=claim.indicator).update(submitted_at=None)
        audit.record(
            actor=actor,
            action="evaluation.claim_update",
            target=claim,
            before=before,
            after={"level": claim.level, "fact": claim.fact, "analysis": claim.analysis},
        )
    return claim


def evidence_add(
    *,
    actor: Person,
    claim: Claim,
    level: Any,
    title: str,
    upload: IO[bytes] | None = None,
    filename: str = "",
    url: str = "",
) -> Evidence:
    evaluation = claim.evaluation
    _assignment_for_claim(actor, evaluation, claim.indicator)
    _ensure_open(evaluation)
    if evaluation.stage != Stage.SELF:
        raise ValidationError({"stage": _("Evidence can only be added during the self-assessment stage.")})
    errors: dict[str, str] = {}
    try:
        value = _check_level(claim.indicator, level)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        value = 0
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Title: name the document or page, e.g. 'Perda SPBE 2023'.")
    elif len(title) > 200:
        errors["title"] = _("Title: at most 200 characters.")
    url = (url or "").strip()
    kind = None
    size = 0
    if upload is not None and url:
        errors["file"] = _("Give either a file or a link, not both.")
    elif upload is None and not url:
        errors["file"] = _("Evidence: upload a file (%(kinds)s) or give a link.") % {"kinds": ev.ALLOWED_LABEL}
    elif upload is not None:
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(0)
        limit = ev.max_evidence_bytes()
        if size == 0:
            errors["file"] = _("File %(name)s is empty.") % {"name": filename}
        elif size > limit:
            errors["file"] = _("File %(name)s is %(size)s MB; at most %(limit)s MB is allowed.") % {
                "name": filename,
                "size": round(size / 1048576, 1),
                "limit": round(limit / 1048576, 1),
            }
        else:
            kind = ev.sniff(upload)
            if kind is None:
                errors["file"] = _(
                    "File %(name)s is not an allowed type; by its content it must be one of %(kinds)s."
                ) % {"name": filename, "kinds": ev.ALLOWED_LABEL}
    else:
        from django.core.validators import URLValidator

        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["url"] = _("Link: a full web address starting with https:// or http:// is expected.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item = Evidence(claim=claim, level=value, title=title, uploaded_by=actor, url=url)
        if upload is not None and kind is not None:
            item.content_type = ev.ALLOWED_KINDS[kind]
            item.size = size
            item.sha256 = ev.sha256_of(upload)
            safe_name = f"{item.sha256[:16]}.{kind.replace('jpeg', 'jpg')}"
            item.file.save(safe_name, File(upload), save=False)
        item.save()
        changes.record_change(
            actor,
            "evaluation.evidence_add",
            item,
            ["level", "title", "url", "sha256"],
            also={"indicator": claim.indicator.number},
        )
    return item


def evidence_remove(*, actor: Actor, item: Evidence) -> None:
    claim = item.claim
    _assignment_for_claim(actor, claim.evaluation, claim.indicator)
    _ensure_open(claim.evaluation)
    if claim.evaluation.stage != Stage.SELF:
        raise ValidationError({"stage": _("Evidence can only be removed during the self-assessment stage.")})
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="evaluation.evidence_remove",
            target=item,
            before={"level": item.level, "title": item.title, "sha256": item.sha256, "url": item.url},
        )
        stored = item.file.name if item.file else ""
        item.delete()
        if stored:
            storage = item.file.storage
            transaction.on_commit(lambda: storage.delete(stored))


class EvidenceGapWarning(ValidationError):
    """Raised by ``assignment_submit`` when claims outrun their evidence and the OPD has
    not acknowledged it; ``claims`` lists them."""

    def __init__(self, claims: list[Claim]):
        numbers = ", ".join(str(c.indicator.number) for c in claims)
        super().__init__(
            {
                "acknowledge_gaps": _(
                    "The claims for indicators %(numbers)s outrun their evidence. Add the missing evidence or "
                    "confirm that you submit them as they are."
                )
                % {"numbers": numbers}
            }
        )
        self.claims = claims


def assignment_submit(*, actor: Actor, evaluation: Evaluation, agency: Agency, acknowledge_gaps: bool = False) -> int:
    """An OPD hands in its claims. Every assigned indicator needs a claim; claims that
    outrun their evidence need an explicit acknowledgement."""
    require(actor, perms.CLAIM, Scope(evaluation.institution_id, agency.pk))
    _ensure_open(evaluation)
    if evaluation.stage != Stage.SELF:
        raise ValidationError({"stage": _("Claims can only be submitted during the self-assessment stage.")})
    from etam.evaluation.selectors import ladder_for_claims

    assignments = list(
        Assignment.objects.filter(evaluation=evaluation, agency=agency)
        .select_related("indicator")
        .order_by("indicator__number")
    )
    if not assignments:
        raise PermissionDenied(_("No indicator of this evaluation is assigned to your OPD."))
    claims = {
        c.indicator_id: c
        for c in Claim.objects.filter(evaluation=evaluation, indicator_id__in=[a.indicator_id for a in assignments])
        .select_related("indicator__scale")
        .prefetch_related("evidence")
    }
    unclaimed = [str(a.indicator.number) for a in assignments if a.indicator_id not in claims]
    if unclaimed:
        raise ValidationError(
            {"claims": _("Indicators %(numbers)s have no claim yet.") % {"numbers": ", ".join(unclaimed)}}
        )
    statuses = ladder_for_claims(list(claims.values()))
    gaps = [claim for claim in claims.values() if statuses[claim.pk].outruns]
    if gaps and not acknowledge_gaps:
        raise EvidenceGapWarning(sorted(gaps, key=lambda c: c.indicator.number))
    now = timezone.now()
    with transaction.atomic():
        Assignment.objects.filter(pk__in=[a.pk for a in assignments]).update(submitted_at=now)
        audit.record(
            actor=actor,
            action="evaluation.submit",
            target=evaluation,
            agency_id=agency.pk,
            after={
                "agency": agency.code,
                "indicators": [a.indicator.number for a in assignments],
                "acknowledged_gaps": [c.indicator.number for c in gaps],
            },
        )
    return len(assignments)
