"""Service-quality API under /api/v1/skm/: the stateless SKM score (public reference
arithmetic, nothing saved; docs/adr/0135-skm-scoring.md) and the survey answers the device
outbox sends from the offline form (docs/adr/0164-skm-in-the-offline-form.md)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema

from etam.api.errors import ApiError, ErrorOut
from etam.quality import scoring, services
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


class SurveyAnswerIn(Schema):
    token: str = Field(..., max_length=100, description="The survey token of the invitation link (/survei/<token>/)")
    fields: list[tuple[str, str]] = Field(
        ...,
        max_length=40,
        description="The survey form's name/value pairs as the browser would post them: u1…u9 (1–4), "
        "age_band, sex, education, occupation, comment.",
        examples=[[["u1", "4"], ["u2", "3"], ["u3", "3"], ["u4", "4"], ["u5", "3"], ["u6", "4"], ["u7", "4"]]],
    )
    filled_on: date | None = Field(
        None, description="The day the device kept the answer; used when between the invitation and today"
    )


class SurveyAnswerOut(Schema):
    received: bool
    replayed: bool = Field(..., description="True when this Idempotency-Key's answer was already counted")
    answered_on: date


def _survey_error(exc: ValidationError) -> ApiError:
    token = exc.error_dict.get("token") if hasattr(exc, "error_dict") else None
    if token:
        used = token[0].code == "used"
        message = " ".join(token[0].messages)
        return ApiError(
            409 if used else 404,
            "already_answered" if used else "unknown_token",
            message,
            [{"path": "body.token", "message": message}],
        )
    fields = [{"path": f"body.fields.{name}", "message": " ".join(m)} for name, m in exc.message_dict.items()]
    return ApiError(422, "validation_error", _("Some answers are missing or invalid; see the list of fields."), fields)


@router.post(
    "/responses",
    response={
        200: SurveyAnswerOut,
        201: SurveyAnswerOut,
        400: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        413: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
        500: ErrorOut,
    },
    auth=None,
    summary="Send a satisfaction-survey answer filled in the offline form (the token is the credential; "
    "one answer per invitation; a resend with the same Idempotency-Key is answered 200, not counted again)",
)
def survey_answer(
    request: HttpRequest,
    response: HttpResponse,
    payload: SurveyAnswerIn,
    idempotency_key: str = Header("", alias="Idempotency-Key", max_length=80),
) -> Any:
    data = dict(payload.fields)
    if len(data) != len(payload.fields):  # a field sent twice: refused, never one value silently kept
        counts = Counter(name for name, _value in payload.fields)
        twice = sorted(name for name, count in counts.items() if count > 1)
        message = _("This field was sent more than once; send each answer once.")
        raise ApiError(
            422,
            "validation_error",
            _("Some answers are missing or invalid; see the list of fields."),
            [{"path": f"body.fields.{name}", "message": message} for name in twice],
        )
    try:
        saved, replayed = services.survey_submit_queued(
            token=payload.token, data=data, client_key=idempotency_key.strip(), filled_on=payload.filled_on
        )
    except ValidationError as exc:
        raise _survey_error(exc) from exc
    response["Cache-Control"] = "no-store"
    body = {"received": True, "replayed": replayed, "answered_on": saved.answered_on}
    return (200, body) if replayed else (201, body)
