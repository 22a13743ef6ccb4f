"""Framework operations: import, publish, new version, indicator edits."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from etam.core import audit, changes
from etam.core.actors import Actor
from etam.core.permissions import require
from etam.evaluation import exchange
from etam.evaluation import permissions as perms
from etam.evaluation.models import (
    Framework,
    Indicator,
)


def _require_framework_admin(actor: Actor | None) -> None:
    require(actor, perms.MANAGE_FRAMEWORK)


def framework_import(*, actor: Actor | None, data: Any, system: bool = False) -> Framework:
    """A JSON document becomes a new draft framework (or the next version of its code)."""
    if not system:
        _require_framework_admin(actor)
    doc = exchange.parse_document(data)
    with transaction.atomic():
        framework = exchange.create_from_document(doc, status=Framework.Status.DRAFT)
        audit.record(
            actor=actor or "sistem",
            action="evaluation.framework_import",
            target=framework,
            after={"code": framework.code, "version": framework.version, "indicators": framework.indicators.count()},
        )
    return framework


def framework_publish(*, actor: Actor, framework: Framework) -> Framework:
    _require_framework_admin(actor)
    if framework.status != Framework.Status.DRAFT:
        raise ValidationError({"status": _("Only a draft framework can be published.")})
    with transaction.atomic():
        framework.status = Framework.Status.PUBLISHED
        framework.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor, action="evaluation.framework_publish", target=framework, after={"status": "published"}
        )
    return framework


def framework_new_version(*, actor: Actor, framework: Framework) -> Framework:
    """A draft copy with the next version number; the original is left as it is."""
    _require_framework_admin(actor)
    doc = exchange.parse_document(exchange.export_document(framework))
    with transaction.atomic():
        copy = exchange.create_from_document(doc, status=Framework.Status.DRAFT)
        changes.record_change(
            actor, "evaluation.framework_new_version", copy, ["version"], before={"version": framework.version}
        )
    return copy


def freeze_in_use(framework: Framework) -> bool:
    """An evaluation now uses ``framework``: freeze it (no more edits). Call inside the
    transaction that creates the evaluation; True when this call froze it."""
    if framework.status == Framework.Status.FROZEN:
        return False
    Framework.objects.filter(pk=framework.pk).update(status=Framework.Status.FROZEN)
    framework.status = Framework.Status.FROZEN
    return True


def indicator_update(*, actor: Actor, indicator: Indicator, name: str | None = None, weight: Any = None) -> Indicator:
    """Edit an indicator of a draft framework; a published or frozen one is refused."""
    _require_framework_admin(actor)
    framework = indicator.framework
    if framework.status != Framework.Status.DRAFT:
        raise ValidationError(
            {
                "framework": _("Framework %(name)s is %(status)s and cannot be edited; make a new version first.")
                % {"name": framework.name, "status": framework.get_status_display()}
            }
        )
    with changes.recorded(indicator, ("name", "weight"), actor=actor, action="evaluation.indicator_update"):
        if name is not None:
            indicator.name = name
        if weight is not None:
            indicator.weight = weight
        indicator.full_clean(exclude=["framework", "aspect", "scale"])
    return indicator
