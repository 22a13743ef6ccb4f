"""Service quality: SKM invitations and responses, and the follow-up plans of a period.

The nine answers are nine columns (``u1`` … ``u9``, 1–4 or empty for unanswered), so a report
is one aggregate query. A response belongs to the OPD (and instansi) of its service; the
scope engine reads ``agency_id``/``institution_id`` like every OPD-owned row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from etam.core.models import AgencyOwned, AgencyOwnedModel

ANSWER_FIELDS = tuple(f"u{n}" for n in range(1, 10))


class SurveyInvitation(AgencyOwnedModel):
    """One per finished case: the link in the citizen's notification carries a random token;
    only its SHA-256 digest is stored. ``used_at`` is set once, with the response."""

    application_id = models.BigIntegerField(unique=True)  # the eservices case (no FK: quality is a plug-in)
    service = models.ForeignKey("eservices.Service", on_delete=models.PROTECT, related_name="+")
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"SKM invitation for case {self.application_id}"


class SurveyResponse(AgencyOwnedModel):
    class Channel(models.TextChoices):
        ONLINE = "daring", _("Online")
        PAPER = "kertas", _("Paper questionnaire")

    class AgeBand(models.TextChoices):
        UNDER_20 = "<20", _("Under 20")
        A20 = "20-29", "20–29"
        A30 = "30-39", "30–39"
        A40 = "40-49", "40–49"
        A50 = "50+", _("50 and over")

    class Sex(models.TextChoices):
        MALE = "L", _("Male")
        FEMALE = "P", _("Female")

    class Education(models.TextChoices):
        SD = "sd", _("Primary school or lower")
        SMP = "smp", _("Junior high school")
        SMA = "sma", _("Senior high school")
        D = "diploma", _("Diploma (D1–D4)")
        S1 = "s1", _("Bachelor (S1)")
        S2 = "s2", _("Master or doctorate (S2/S3)")

    class Occupation(models.TextChoices):
        CIVIL = "pns", _("Civil servant / TNI / Polri")
        PRIVATE = "swasta", _("Private employee")
        SELF = "wirausaha", _("Self-employed")
        STUDENT = "pelajar", _("Student")
        OTHER = "lainnya", _("Other")

    service = models.ForeignKey("eservices.Service", on_delete=models.PROTECT, related_name="+")
    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.PROTECT, null=True, blank=True, related_name="response"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    answered_on = models.DateField(db_index=True)
    u1 = models.PositiveSmallIntegerField(null=True, blank=True)
    u2 = models.PositiveSmallIntegerField(null=True, blank=True)
    u3 = models.PositiveSmallIntegerField(null=True, blank=True)
    u4 = models.PositiveSmallIntegerField(null=True, blank=True)
    u5 = models.PositiveSmallIntegerField(null=True, blank=True)
    u6 = models.PositiveSmallIntegerField(null=True, blank=True)
    u7 = models.PositiveSmallIntegerField(null=True, blank=True)
    u8 = models.PositiveSmallIntegerField(null=True, blank=True)
    u9 = models.PositiveSmallIntegerField(null=True, blank=True)
    age_band = models.CharField(max_length=8, choices=AgeBand.choices, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    education = models.CharField(max_length=10, choices=Education.choices, blank=True)
    occupation = models.CharField(max_length=10, choices=Occupation.choices, blank=True)
    comment = models.TextField(blank=True, max_length=2000)
    sheet_photo = models.FileField(upload_to="quality/paper/%Y/", blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The device outbox's key of an answer filled offline (ADR 0164): a resend after a lost
    # reply is recognised as the same answer, not refused as a second one.
    client_key = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["service", "answered_on"]), models.Index(fields=["agency", "answered_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{name}__gte": 1, f"{name}__lte": 4}) | Q(**{f"{name}__isnull": True}),
                name=f"skm_{name}_1_to_4",
            )
            for name in ANSWER_FIELDS
        ]

    def __str__(self) -> str:
        return f"SKM {self.get_channel_display()} {self.answered_on}"

    def answers(self) -> list[int | None]:
        return [getattr(self, name) for name in ANSWER_FIELDS]


class FollowUpPlan(AgencyOwnedModel):
    """Rencana tindak lanjut for one low element of an OPD's survey period."""

    class Status(models.TextChoices):
        PLANNED = "rencana", _("Planned")
        IN_PROGRESS = "berjalan", _("In progress")
        DONE = "selesai", _("Done")

    period = models.CharField(max_length=10)
    element = models.PositiveSmallIntegerField()
    action = models.TextField(max_length=2000)
    owner = models.CharField(max_length=200)
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "period", "element"], name="followup_one_per_element"),
            models.CheckConstraint(condition=Q(element__gte=1, element__lte=9), name="followup_element_1_to_9"),
        ]

    def __str__(self) -> str:
        return f"RTL {self.period} U{self.element}"


class ServiceStandard(AgencyOwnedModel):
    """Standar pelayanan (PermenPANRB 15/2014) of one service version: the components Etam does
    not hold elsewhere. Legal basis, requirements, time, fee and product are read from the
    service, the procedure from the version's workflow unless written here (standards.py)."""

    service = models.ForeignKey("eservices.Service", on_delete=models.PROTECT, related_name="+")
    version = models.OneToOneField("eservices.ServiceVersion", on_delete=models.PROTECT, related_name="+")
    procedure = models.TextField(blank=True, max_length=4000)
    facilities = models.TextField(blank=True, max_length=4000)
    competence = models.TextField(blank=True, max_length=4000)
    internal_oversight = models.TextField(blank=True, max_length=4000)
    complaints = models.TextField(blank=True, max_length=4000)
    staff_count = models.PositiveSmallIntegerField(null=True, blank=True)
    service_guarantee = models.TextField(blank=True, max_length=4000)
    safety_guarantee = models.TextField(blank=True, max_length=4000)
    performance_evaluation = models.TextField(blank=True, max_length=4000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Standar pelayanan {self.service_id} v{self.version_id}"


class ServiceCharter(AgencyOwned, models.Model):
    """Maklumat pelayanan of an OPD, signed as a PDF by the OPD's penandatangan through the signing
    seam (ADR 0139). Saving a new text clears the signature (the signed PDF is of the old text)."""

    agency = models.OneToOneField("core.Agency", on_delete=models.PROTECT, related_name="+")
    institution = models.ForeignKey("core.Institution", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=4000)
    signed_by_name = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_pdf = models.FileField(upload_to="quality/maklumat/%Y/", max_length=255, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signer_label = models.CharField(max_length=400, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Maklumat pelayanan {self.agency_id}"


class Complaint(AgencyOwnedModel):
    """Pengaduan, saran or pujian about a service or a case, routed to the OPD; followed by the
    citizen through a receipt code (only its digest is stored)."""

    class Kind(models.TextChoices):
        COMPLAINT = "pengaduan", _("Complaint")
        SUGGESTION = "saran", _("Suggestion")
        COMPLIMENT = "pujian", _("Compliment")

    class State(models.TextChoices):
        RECEIVED = "diterima", _("Received")
        IN_PROGRESS = "diproses", _("In progress")
        ANSWERED = "dijawab", _("Answered")
        CLOSED = "ditutup", _("Closed")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECEIVED, db_index=True)
    service = models.ForeignKey("eservices.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    case_reference = models.CharField(max_length=40, blank=True)
    text = models.TextField(max_length=4000)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reporter_name = models.CharField(max_length=200, blank=True)
    receipt_digest = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField(auto_now_add=True)
    due_date = models.DateField()
    answer = models.TextField(blank=True, max_length=4000)
    answered_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lapor_status = models.CharField(max_length=12, blank=True)  # "" | "antre" | "terkirim" (SP4N-LAPOR! seam)
    lapor_tracking_id = models.CharField(max_length=20, blank=True)
    lapor_stage = models.CharField(max_length=20, blank=True)  # LAPOR!'s stage, read back (etam.quality.lapor)
    is_demo = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["agency", "state", "due_date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"
