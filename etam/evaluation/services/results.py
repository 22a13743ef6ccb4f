"""Import of a previous year's results (the XLSX report's "Indikator" sheet) as a final evaluation."""

from __future__ import annotations

from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from etam.core import audit
from etam.core.actors import Person
from etam.core.models import Institution
from etam.core.permissions import require
from etam.evaluation import permissions as perms
from etam.evaluation.models import Assessment, Claim, Evaluation, Framework, Stage
from etam.evaluation.reports import ResultsImportError, parse_results
from etam.evaluation.scores import shape_of
from etam.evaluation.services.frameworks import freeze_in_use


def results_import(
    *, actor: Person, institution: Institution, framework: Framework, period: int, upload: IO[bytes], filename: str
) -> Evaluation:
    """A previous year's results become a final evaluation; any error and nothing is saved."""
    require(actor, perms.MANAGE, institution)
    if framework.status == Framework.Status.DRAFT:
        raise ValidationError(
            {"framework": _("Framework %(name)s is still a draft; publish it first.") % {"name": framework.name}}
        )
    if Evaluation.objects.filter(institution=institution, period=period).exists():
        raise ValidationError(
            {
                "period": _("Period: %(institution)s already has an evaluation for %(period)s.")
                % {"institution": institution, "period": period}
            }
        )
    parsed, errors = parse_results(upload, framework)
    if errors:
        raise ResultsImportError(errors)
    shape = shape_of(framework)
    now = timezone.now()
    with transaction.atomic():
        evaluation = Evaluation.objects.create(
            institution=institution,
            framework=framework,
            period=period,
            stage=Stage.FINAL,
            finalised_at=now,
            opened_by=actor,
            note=_("Imported from %(file)s") % {"file": filename},
        )
        freeze_in_use(framework)
        Claim.objects.bulk_create(
            Claim(
                evaluation=evaluation,
                indicator=shape.indicators[number],
                level=self_level,
                fact=fact,
                analysis=analysis,
                claimed_by=actor,
            )
            for number, (self_level, _final, fact, analysis) in parsed.items()
            if self_level is not None
        )
        Assessment.objects.bulk_create(
            Assessment(
                evaluation=evaluation,
                indicator=shape.indicators[number],
                stage=Stage.FINAL,
                level=final,
                assessor=actor,
                notes=_("Imported"),
            )
            for number, (_self, final, _f, _a) in parsed.items()
            if final is not None
        )
        audit.record(
            actor=actor,
            action="evaluation.import_results",
            target=evaluation,
            after={
                "file": filename,
                "period": period,
                "rows": len(parsed),
                "self_levels": sum(1 for v in parsed.values() if v[0] is not None),
                "final_levels": sum(1 for v in parsed.values() if v[1] is not None),
            },
        )
    return evaluation
