"""Service-quality API under /api/v1/skm/: the stateless SKM score (public reference
arithmetic, nothing saved; docs/adr/0135-skm-scoring.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from etam.api.errors import ApiError, ErrorOut
from etam.quality import scoring
from etam.quality.elements import elements

router = Router(tags=["skm"])


class SkmScoreIn(Schema):
    responses: list[Any] = Field(
        ...,
        description="One entry per respondent: nine answers (elements 1–9 in the regulation's order), "
        "each 1–4, or null for an element left unanswered.",
        examples=[[[4, 3, 3, 4, 3, 4, 4, 3, 3], [3, 3, None, 4, 3, 3, 4, 3, 2]]],
    )


class SkmScoreOut(Schema):
    ikm: Decimal = Field(..., description="Indeks Kepuasan Masyarakat 25–100, two places (half up)")
    mutu: str = Field(..., description="Quality grade A, B, C or D")
    kinerja: str = Field(..., description="Performance words: Sangat Baik, Baik, Kurang Baik, Tidak Baik")
    unsur: list[Decimal | None] = Field(
        ..., description="NRR per element 1–9 (three places); null when no respondent answered it"
    )
    respondents: int
    unanswered: list[int] = Field(..., description="Per element, how many respondents left it unanswered")


def _message(problem: scoring.Problem) -> str:
    parts = problem.path.split(".")
    if problem.code == "no_responses":
        return _("responses: send at least one respondent's answers.")
    respondent = int(parts[1]) + 1
    if problem.code == "range":
        number = int(parts[2]) + 1
        return _("Respondent %(respondent)s, element %(number)s (%(name)s): the answer must be 1, 2, 3, 4 or null.") % {
            "respondent": respondent,
            "number": number,
            "name": elements()[number - 1].name,
        }
    if problem.code == "empty":
        return _("Respondent %(respondent)s: no element answered; leave the respondent out.") % {
            "respondent": respondent
        }
    return _("Respondent %(respondent)s: nine answers are expected (elements 1–9), null for an unanswered one.") % {
        "respondent": respondent
    }


@router.post(
    "/score",
    response={200: SkmScoreOut, 400: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut, 500: ErrorOut},
    auth=None,
    summary="Compute the SKM index, grade and per-element NRR for posted responses (stateless; nothing is saved)",
)
def score(request: HttpRequest, payload: SkmScoreIn) -> Any:
    try:
        result = scoring.score(payload.responses)
    except scoring.InvalidResponses as exc:
        fields = [{"path": f"body.{p.path}", "message": _message(p)} for p in exc.problems[:50]]
        raise ApiError(422, "validation_error", _("Some answers are invalid; see the list of fields."), fields) from exc
    return {
        "ikm": result.ikm,
        "mutu": result.mutu,
        "kinerja": result.kinerja,
        "unsur": list(result.unsur),
        "respondents": result.respondents,
        "unanswered": list(result.unanswered),
    }
