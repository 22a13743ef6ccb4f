"""SPBE evaluation: frameworks held as data, and the evaluations that use them.

A framework (PermenPANRB 59/2020, the provisional Indeks Pemdi drafts, ...) is a tree
domain → aspect → indicator with weights, one or more level scales with per-level
criteria, predicate bands and the evidence expected per level. A framework used by an
evaluation is frozen; a change makes a new version (``services.framework_new_version``).

An evaluation belongs to one instansi for one period and walks the stages
penilaian mandiri → penilaian dokumen → interviu → visitasi → final.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from etam.core.models import Agency, Institution, Named, ScopedByPath, Timestamped


class Framework(Timestamped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        FROZEN = "frozen", _("Frozen (used by an evaluation)")

    code = models.SlugField(_("code"), max_length=60, help_text=_("e.g. permenpanrb-59-2020"))
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    provisional = models.BooleanField(
        _("provisional"), default=False, help_text=_("Not yet checked against the official text")
    )
    source = models.TextField(_("source"), blank=True)
    previous = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_versions")

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("evaluation framework")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="framework_code_version_unique")]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class LevelScale(Named):
    """A maturity scale, e.g. process capability (Rintisan…Optimum) or technical-function
    capability (Informasi, Interaksi, Transaksi, Kolaborasi, Optimum)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="scales")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    min_level = models.PositiveSmallIntegerField(_("lowest level"), default=1)
    max_level = models.PositiveSmallIntegerField(_("highest level"), default=5)

    class Meta:
        ordering = ["framework_id", "code"]
        verbose_name = _("level scale")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="levelscale_code_unique"),
            models.CheckConstraint(condition=Q(min_level__lte=models.F("max_level")), name="levelscale_min_le_max"),
        ]


class LevelCriterion(models.Model):
    scale = models.ForeignKey(LevelScale, on_delete=models.CASCADE, related_name="criteria")
    level = models.PositiveSmallIntegerField(_("level"))
    name = models.CharField(_("level name"), max_length=100)
    criterion = models.TextField(_("criterion"))

    class Meta:
        ordering = ["scale_id", "level"]
        verbose_name = _("level criterion")
        constraints = [models.UniqueConstraint(fields=["scale", "level"], name="levelcriterion_unique")]

    def __str__(self) -> str:
        return f"{self.level} {self.name}"


class EvidenceExpectation(models.Model):
    """The evidence ladder: what an assessor expects to see for a level of a scale."""

    scale = models.ForeignKey(LevelScale, on_delete=models.CASCADE, related_name="expectations")
    level = models.PositiveSmallIntegerField(_("level"))
    description = models.CharField(_("expected evidence"), max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["scale_id", "level", "order", "id"]
        verbose_name = _("expected evidence")

    def __str__(self) -> str:
        return f"L{self.level}: {self.description}"


class FrameworkPart(models.Model):
    """A numbered node of a framework's tree (domain, aspect, indicator), declared once:
    its number, unique within the framework and the order it is listed in, and how it
    reads ("3. name"). Each model declares its own ``framework`` key (its reverse name is
    part of the migration state) and ``name``; the constraint name resolves per model to
    the one it had, so the schema is unchanged."""

    number = models.PositiveSmallIntegerField(_("number"))
    name: str

    class Meta:
        abstract = True
        ordering = ["framework_id", "number"]
        constraints = [models.UniqueConstraint(fields=["framework", "number"], name="%(class)s_number_unique")]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Domain(FrameworkPart):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="domains")
    name = models.CharField(_("name"), max_length=200)
    weight = models.DecimalField(_("weight (%)"), max_digits=7, decimal_places=3)

    class Meta(FrameworkPart.Meta):
        verbose_name = _("domain")


class Aspect(FrameworkPart):
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="aspects")
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="aspects")
    name = models.CharField(_("name"), max_length=200)
    weight = models.DecimalField(_("weight (%)"), max_digits=7, decimal_places=3)

    class Meta(FrameworkPart.Meta):
        verbose_name = _("aspect")


class Indicator(FrameworkPart):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="indicators")
    aspect = models.ForeignKey(Aspect, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("name"), max_length=300)
    weight = models.DecimalField(
        _("weight (%)"), max_digits=7, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    scale = models.ForeignKey(LevelScale, on_delete=models.PROTECT, related_name="indicators")
    description = models.TextField(_("description"), blank=True)
    default_owner = models.CharField(
        _("typical owner"), max_length=40, blank=True, help_text=_("Key of the OPD that usually owns it, e.g. bappeda")
    )

    class Meta(FrameworkPart.Meta):
        verbose_name = _("indicator")


class PredicateBand(Named):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="bands")
    name = models.CharField(_("predicate"), max_length=60)
    min_value = models.DecimalField(_("from"), max_digits=5, decimal_places=2)
    max_value = models.DecimalField(_("to"), max_digits=5, decimal_places=2)
    min_inclusive = models.BooleanField(default=True)
    max_inclusive = models.BooleanField(default=False)

    class Meta:
        ordering = ["framework_id", "-min_value"]
        verbose_name = _("predicate band")
        constraints = [models.UniqueConstraint(fields=["framework", "name"], name="predicateband_name_unique")]


class Stage(models.TextChoices):
    SELF = "mandiri", _("Self-assessment (penilaian mandiri)")
    DOCUMENT = "dokumen", _("Document review (penilaian dokumen)")
    INTERVIEW = "interviu", _("Interview (interviu)")
    VISIT = "visitasi", _("Site visit (visitasi)")
    FINAL = "final", _("Final")


STAGE_ORDER = [Stage.SELF, Stage.DOCUMENT, Stage.INTERVIEW, Stage.VISIT, Stage.FINAL]
ASSESSMENT_STAGES = [Stage.DOCUMENT, Stage.INTERVIEW, Stage.VISIT, Stage.FINAL]


class Evaluation(ScopedByPath, models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="spbe_evaluations")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="evaluations")
    period = models.PositiveSmallIntegerField(
        _("period (year)"), validators=[MinValueValidator(2018), MaxValueValidator(2100)]
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.SELF)
    is_demo = models.BooleanField(_("demo data"), default=False)
    published_index = models.DecimalField(
        _("published index"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The index as officially announced, when known"),
    )
    note = models.TextField(_("note"), blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finalised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period", "institution__region_code"]
        verbose_name = _("SPBE evaluation")
        constraints = [models.UniqueConstraint(fields=["institution", "period"], name="evaluation_one_per_period")]

    def __str__(self) -> str:
        return f"{self.institution.short_name or self.institution.name} {self.period}"

    scope_institution_path = "institution_id"

    @property
    def is_final(self) -> bool:
        return self.stage == Stage.FINAL

    @property
    def stage_index(self) -> int:
        return STAGE_ORDER.index(Stage(self.stage))


class Assignment(ScopedByPath, models.Model):
    """Which OPD answers for an indicator in an evaluation."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="assignments")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="spbe_assignments")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["evaluation_id", "indicator__number"]
        verbose_name = _("indicator assignment")
        constraints = [models.UniqueConstraint(fields=["evaluation", "indicator"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.evaluation} #{self.indicator.number} → {self.agency}"

    scope_institution_path = "agency.institution_id"
    scope_agency_path = "agency_id"


class Claim(ScopedByPath, models.Model):
    """The self-assessed level of one indicator, with its justification."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="claims")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    level = models.PositiveSmallIntegerField(_("claimed level"))
    fact = models.TextField(_("fact sentence"), blank=True)
    analysis = models.TextField(_("analysis sentence"), blank=True)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["evaluation_id", "indicator__number"]
        verbose_name = _("self-assessment claim")
        constraints = [models.UniqueConstraint(fields=["evaluation", "indicator"], name="claim_one_per_indicator")]

    def __str__(self) -> str:
        return f"{self.evaluation} #{self.indicator.number}: {self.level}"

    scope_institution_path = "evaluation.institution_id"
    scope_agency_path = "agency_id"


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"evaluation/{instance.claim.evaluation_id}/{instance.claim.indicator_id}/{filename}"


class Evidence(ScopedByPath, models.Model):
    """Data dukung: a file or a link, labelled with the level it supports."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    level = models.PositiveSmallIntegerField(_("supports level"))
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=evidence_path, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim_id", "level", "id"]
        verbose_name = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")), name="evidence_file_xor_link"
            )
        ]

    def __str__(self) -> str:
        return self.title

    scope_institution_path = "claim.scope_institution_id"
    scope_agency_path = "claim.scope_agency_id"


class Assessment(ScopedByPath, models.Model):
    """An assessor's level for an indicator at one stage."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="assessments")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    level = models.PositiveSmallIntegerField(_("assessed level"))
    notes = models.TextField(_("notes"), blank=True)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["evaluation_id", "indicator__number", "stage"]
        verbose_name = _("assessment")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "indicator", "stage"], name="assessment_one_per_stage")
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} #{self.indicator.number} {self.stage}: {self.level}"

    scope_institution_path = "evaluation.institution_id"


class Suggestion(ScopedByPath, models.Model):
    """A level the platform suggests from what it already holds; an assessor decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="suggestions")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(_("rule"), max_length=80)
    level = models.PositiveSmallIntegerField(_("suggested level"))
    rationale = models.TextField(_("rationale"))
    links = models.JSONField(_("evidence links"), default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["evaluation_id", "indicator__number", "rule"]
        verbose_name = _("suggestion")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "indicator", "rule"],
                condition=Q(status="pending"),
                name="suggestion_one_pending_per_rule",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule} → {self.level}"

    scope_institution_path = "evaluation.institution_id"
