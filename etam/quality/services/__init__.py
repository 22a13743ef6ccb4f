"""Writes of the service-quality module (names re-exported; one module per responsibility)."""

from etam.quality.services.complaints import (
    complaint_act,
    complaint_submit,
    complaints_forward_queued,
    complaints_lapor_refresh,
)
from etam.quality.services.followup import followup_save
from etam.quality.services.maklumat import CharterSigningUnavailable, charter_sign
from etam.quality.services.standards import charter_save, standard_save
from etam.quality.services.survey import (
    clean_answers,
    clean_profile,
    invitation_for_case,
    paper_response_create,
    survey_submit,
    survey_submit_for_case,
    survey_submit_queued,
)

__all__ = [
    "CharterSigningUnavailable",
    "charter_save",
    "charter_sign",
    "clean_answers",
    "clean_profile",
    "complaint_act",
    "complaint_submit",
    "complaints_forward_queued",
    "complaints_lapor_refresh",
    "followup_save",
    "invitation_for_case",
    "paper_response_create",
    "standard_save",
    "survey_submit",
    "survey_submit_for_case",
    "survey_submit_queued",
]
