"""Who may do what in the service-quality loop (SKM survey, reports, follow-up).

- ``quality.enter_paper``: type in a paper questionnaire of the OPD's services (petugas
  layanan, admin OPD).
- ``quality.view_report``: the OPD's or instansi's survey reports with open comments (admin
  OPD, petugas layanan; admin instansi and koordinator SPBE over the whole instansi).
- ``quality.view_institution_report``: the instansi roll-up of all its OPDs' survey responses
  (admin instansi, koordinator SPBE; instansi-scoped grants only).
- ``quality.manage_followup``: set and update the follow-up plan of the lowest elements
  (admin OPD — the head of the unit —, admin instansi).
- ``quality.manage_standard``: write the standar pelayanan of the OPD's services and the OPD's
  maklumat pelayanan (admin OPD).
- ``quality.sign_charter``: sign the OPD's maklumat pelayanan through the signing seam
  (penandatangan of the OPD, with a signing identity; ADR 0139).
- ``quality.handle_complaint``: handle and answer the complaints routed to the OPD (petugas
  layanan, admin OPD; admin instansi over the instansi).
- ``quality.participate``: shows the staff menu entry.
"""

from etam.core.models import Role

ENTER_PAPER = "quality.enter_paper"
VIEW_REPORT = "quality.view_report"
VIEW_INSTITUTION_REPORT = "quality.view_institution_report"
MANAGE_FOLLOWUP = "quality.manage_followup"
MANAGE_STANDARD = "quality.manage_standard"
HANDLE_COMPLAINT = "quality.handle_complaint"
SIGN_CHARTER = "quality.sign_charter"
PARTICIPATE = "quality.participate"

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.AGENCY_ADMIN: {ENTER_PAPER, VIEW_REPORT, MANAGE_FOLLOWUP, MANAGE_STANDARD, HANDLE_COMPLAINT, PARTICIPATE},
    Role.SERVICE_OFFICER: {ENTER_PAPER, VIEW_REPORT, HANDLE_COMPLAINT, PARTICIPATE},
    Role.INSTITUTION_ADMIN: {VIEW_REPORT, VIEW_INSTITUTION_REPORT, MANAGE_FOLLOWUP, HANDLE_COMPLAINT, PARTICIPATE},
    Role.SPBE_COORDINATOR: {VIEW_REPORT, VIEW_INSTITUTION_REPORT, PARTICIPATE},
    Role.SIGNATORY: {SIGN_CHARTER},
}
