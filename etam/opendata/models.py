"""Satu Data: the dataset catalogue, its SDI metadata and its immutable versions.

A ``Dataset`` is the catalogue entry (who produces it, what it is about, how often it
changes, who may see it). Its data arrives as ``DatasetVersion`` uploads: each is
validated row by row and, when clean, stored as a Parquet ``Resource``. Once a walidata
publishes a version it is frozen (``save``/``delete`` refuse) and stays downloadable;
``Dataset.published_version`` points at the newest one.

SDI metadata (Peraturan BPS 5/2020) lives in structured fields:
- MS-Keg (activity metadata) in ``ActivityMetadata``, one per dataset;
- MS-Var (variable metadata) on ``ColumnSpec``, one per column of a version (also the
  data dictionary and the Table Schema the rows are validated against);
- MS-Ind (indicator metadata) in ``IndicatorMetadata``, any number per dataset.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from etam.core.models import Agency, Named, RegionLevel, ScopedByPath, Timestamped


class Topic(models.TextChoices):
    """Sectors of the Kaltim Daftar Data; CKAN exposes them as groups."""

    POPULATION = "kependudukan", _("Population")
    EDUCATION = "pendidikan", _("Education")
    HEALTH = "kesehatan", _("Health")
    ECONOMY = "ekonomi", _("Economy and investment")
    INFRASTRUCTURE = "infrastruktur", _("Infrastructure")
    GOVERNMENT = "pemerintahan", _("Government administration")
    ENVIRONMENT = "lingkungan", _("Environment")
    SOCIAL = "sosial", _("Social welfare")
    AGRICULTURE = "pertanian", _("Agriculture and fisheries")
    TOURISM = "pariwisata", _("Tourism and culture")
    ICT = "tik", _("Communication and informatics")
    PUBLIC_SERVICES = "pelayanan-publik", _("Public services")


class Licence(models.TextChoices):
    CC_BY_4 = "CC-BY-4.0", _("Creative Commons Attribution 4.0")
    CC_BY_SA_4 = "CC-BY-SA-4.0", _("Creative Commons Attribution-ShareAlike 4.0")
    CC0 = "CC0-1.0", _("Creative Commons Zero (public domain)")
    ODBL = "ODbL-1.0", _("Open Data Commons Open Database License")


LICENCE_URLS = {
    Licence.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA_4: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
    Licence.ODBL: "https://opendatacommons.org/licenses/odbl/1-0/",
}


class Frequency(models.TextChoices):
    """Update frequency; each maps to an EU frequency-vocabulary URI in DCAT."""

    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    SEMIANNUAL = "semiannual", _("Every six months")
    ANNUAL = "annual", _("Yearly")
    IRREGULAR = "irregular", _("Irregular")
    NEVER = "never", _("Not updated (one-off)")


class Access(models.TextChoices):
    PUBLIC = "public", _("Public")
    RESTRICTED = "restricted", _("Restricted (data producer and walidata only)")


class Dataset(ScopedByPath, Timestamped):
    id = models.BigAutoField(primary_key=True)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(
        _("short name (URL)"), max_length=100, unique=True, help_text=_("Lower-case letters, digits and hyphens")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="datasets", verbose_name=_("data producer (OPD)")
    )
    topic = models.CharField(_("topic / sector"), max_length=30, choices=Topic.choices)
    tags: models.ManyToManyField[Tag, Any] = models.ManyToManyField(
        "Tag", blank=True, related_name="datasets", verbose_name=_("tags")
    )
    licence = models.CharField(_("licence"), max_length=20, choices=Licence.choices, default=Licence.CC_BY_4)
    update_frequency = models.CharField(
        _("update frequency"), max_length=20, choices=Frequency.choices, default=Frequency.ANNUAL
    )
    temporal_start = models.DateField(_("temporal coverage from"), null=True, blank=True)
    temporal_end = models.DateField(_("temporal coverage to"), null=True, blank=True)
    spatial_code = models.CharField(
        _("spatial coverage (region code)"), max_length=13, default="64", help_text=_("Kemendagri code, e.g. 64.72")
    )
    spatial_level = models.CharField(
        _("spatial detail level"),
        max_length=20,
        choices=RegionLevel.choices,
        default=RegionLevel.REGENCY_CITY,
        help_text=_("The finest region level the rows are broken down to"),
    )
    access = models.CharField(_("access"), max_length=12, choices=Access.choices, default=Access.PUBLIC)
    contact_name = models.CharField(_("contact name"), max_length=150)
    contact_email = models.EmailField(_("contact email"))
    is_system = models.BooleanField(_("kept current by the platform"), default=False)
    system_key = models.CharField(max_length=100, blank=True)
    published_version = models.OneToOneField(
        "DatasetVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("dataset")
        indexes = [models.Index(fields=["access", "published_version"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(temporal_start__isnull=True)
                | models.Q(temporal_end__isnull=True)
                | models.Q(temporal_end__gte=models.F("temporal_start")),
                name="dataset_temporal_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    scope_institution_path = "agency.institution_id"
    scope_agency_path = "agency_id"

    @property
    def is_published(self) -> bool:
        return self.published_version_id is not None

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS.get(self.licence, "")  # type: ignore[call-overload]


ACCESS_RANK = {Access.RESTRICTED: 0, Access.PUBLIC: 1}


def widens(current: str, requested: str) -> bool:
    """True if going from ``current`` to ``requested`` lets more people read the data."""
    return ACCESS_RANK.get(requested, 0) > ACCESS_RANK.get(current, 0)  # type: ignore[call-overload]


class AccessRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for walidata review")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class AccessRequest(ScopedByPath, models.Model):
    """A data producer's request to widen a dataset's access (e.g. restricted → public).

    Widening never applies on the producer's word: the dataset keeps its reviewed access
    (and the public surfaces keep serving exactly what they served) until a walidata of
    the instansi approves the request (docs/adr/0070-access-widening-needs-review.md).
    """

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="access_requests")
    access = models.CharField(_("requested access"), max_length=12, choices=Access.choices)
    previous_access = models.CharField(_("access when requested"), max_length=12, choices=Access.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=AccessRequestStatus.choices, default=AccessRequestStatus.PENDING
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("access change request")
        constraints = [
            models.UniqueConstraint(
                fields=["dataset"], condition=models.Q(status="pending"), name="accessrequest_one_pending_per_dataset"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset}: {self.previous_access} → {self.access}"

    scope_institution_path = "dataset.agency.institution_id"
    scope_agency_path = "dataset.agency_id"


class Tag(Named):
    name = models.SlugField(_("tag"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")


class StatisticType(models.TextChoices):
    BASIC = "dasar", _("Basic statistics (BPS)")
    SECTORAL = "sektoral", _("Sectoral statistics")
    SPECIAL = "khusus", _("Special statistics")


class CollectionMethod(models.TextChoices):
    SURVEY = "survei", _("Survey")
    CENSUS = "sensus", _("Census")
    ADMIN = "kompilasi", _("Compilation of administrative records")
    OTHER = "lainnya", _("Other")


class SampleDesign(models.TextChoices):
    NONE = "", _("No sample (full enumeration)")
    SINGLE = "single_stage", _("Single-stage / single-phase")
    MULTI = "multi_stage", _("Multi-stage / multi-phase")


class ActivityMetadata(models.Model):
    """MS-Keg: Metadata Kegiatan Statistik (BPS), blocks I–VIII, as structured fields.

    Field names follow the SDI CKAN mapping (``judul_kegiatan``, ``cara_pengumpulan_data``...)
    in English; docs/glossary.md maps each to its BPS name.
    """

    dataset = models.OneToOneField(Dataset, on_delete=models.CASCADE, related_name="activity")
    # Identity
    activity_title = models.CharField(_("activity title (judul kegiatan)"), max_length=255)
    activity_code = models.CharField(_("BPS activity ID (id MS-Keg)"), max_length=40, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    statistic_type = models.CharField(
        _("statistics type"), max_length=10, choices=StatisticType.choices, default=StatisticType.SECTORAL
    )
    collection_method = models.CharField(
        _("data collection method"), max_length=12, choices=CollectionMethod.choices, default=CollectionMethod.ADMIN
    )
    sector = models.CharField(_("activity sector"), max_length=120, blank=True)
    recommendation_id = models.CharField(_("BPS recommendation ID"), max_length=60, blank=True)
    # Block II Penanggung jawab
    responsible_unit = models.CharField(_("responsible unit (eselon)"), max_length=200, blank=True)
    responsible_person = models.CharField(_("responsible person"), max_length=150, blank=True)
    # Block III–IV Perencanaan & desain
    activity_frequency = models.CharField(
        _("activity frequency"), max_length=20, choices=Frequency.choices, default=Frequency.ANNUAL
    )
    coverage_area = models.CharField(_("coverage area"), max_length=200, blank=True)
    collection_tool = models.CharField(_("collection instrument"), max_length=200, blank=True)
    collection_unit = models.CharField(_("collection unit"), max_length=200, blank=True)
    # Block V Desain sampel
    sample_design = models.CharField(
        _("sample design"), max_length=20, choices=SampleDesign.choices, blank=True, default=SampleDesign.NONE
    )
    sample_selection_method = models.CharField(_("sample selection method"), max_length=200, blank=True)
    sampling_frame = models.CharField(_("sampling frame"), max_length=200, blank=True)
    sample_fraction = models.CharField(_("sample fraction"), max_length=60, blank=True)
    sampling_error = models.CharField(_("sampling error"), max_length=60, blank=True)
    sample_unit = models.CharField(_("sample unit"), max_length=120, blank=True)
    observation_unit = models.CharField(_("observation unit"), max_length=120, blank=True)
    # Block VI Penjaminan kualitas
    quality_checks = models.TextField(_("quality checks"), blank=True)
    nonresponse_adjustment = models.CharField(_("non-response adjustment"), max_length=200, blank=True)
    # Block VII Pengolahan & analisis
    processing_stages = models.TextField(_("processing stages"), blank=True)
    analysis_method = models.CharField(_("analysis method"), max_length=200, blank=True)
    analysis_unit = models.CharField(_("analysis unit"), max_length=120, blank=True)
    presentation_level = models.CharField(_("presentation level"), max_length=120, blank=True)
    # Block VIII Diseminasi
    product_printed = models.BooleanField(_("printed product available"), default=False)
    product_digital = models.BooleanField(_("digital product available"), default=True)
    product_microdata = models.BooleanField(_("microdata available"), default=False)

    class Meta:
        verbose_name = _("activity metadata (MS-Keg)")

    def __str__(self) -> str:
        return self.activity_title


class IndicatorMetadata(Named):
    """MS-Ind: Metadata Indikator (BPS)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicator name"), max_length=200)
    column_name = models.CharField(_("column holding the indicator"), max_length=63, blank=True)
    concept = models.TextField(_("concept"), blank=True)
    definition = models.TextField(_("definition"))
    interpretation = models.TextField(_("interpretation"), blank=True)
    method = models.TextField(_("calculation method / formula"), blank=True)
    measure = models.CharField(_("measure (ukuran)"), max_length=100, blank=True)
    unit = models.CharField(_("unit (satuan)"), max_length=60, blank=True)
    presentation_classification = models.CharField(_("presentation classification"), max_length=200, blank=True)
    is_composite = models.BooleanField(_("composite indicator"), default=False)
    component_indicators = models.TextField(_("component indicators"), blank=True)
    source_activity = models.CharField(_("source activity (kegiatan penghasil)"), max_length=200, blank=True)
    source_activity_code = models.CharField(_("source activity code (BPS)"), max_length=40, blank=True)
    source_variables = models.TextField(_("source variables"), blank=True)
    estimation_level = models.CharField(_("estimation level"), max_length=120, blank=True)
    publication_availability = models.CharField(_("publication availability"), max_length=120, blank=True)
    is_public = models.BooleanField(_("publicly accessible"), default=True)

    class Meta:
        ordering = ["dataset_id", "id"]
        verbose_name = _("indicator metadata (MS-Ind)")


class FrozenError(ValidationError):
    pass


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    RETURNED = "returned", _("Returned with comments")
    PUBLISHED = "published", _("Published")


class ValidationState(models.TextChoices):
    PENDING = "pending", _("Queued for validation")
    VALIDATING = "validating", _("Validating")
    INVALID = "invalid", _("Has errors")
    VALID = "valid", _("Valid")


def _stored_status(pk: int | None) -> str | None:
    if pk is None:
        return None
    return DatasetVersion.objects.filter(pk=pk).values_list("status", flat=True).first()


class DatasetVersion(ScopedByPath, models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    change_note = models.TextField(_("change note"), blank=True)
    source_file = models.FileField(_("uploaded file"), upload_to="opendata/uploads/%Y/%m/", max_length=255)
    source_name = models.CharField(_("file name"), max_length=255)
    source_format = models.CharField(max_length=8)  # csv | xlsx
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=2, blank=True)
    validation = models.CharField(
        _("validation"), max_length=10, choices=ValidationState.choices, default=ValidationState.PENDING
    )
    # Incremented each time a validation is requested (upload, corrected dictionary); a
    # background validation whose run number is no longer current discards its result.
    validation_run = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    error_summary = models.JSONField(default=dict, blank=True)
    error_file = models.FileField(upload_to="opendata/reports/%Y/%m/", blank=True, max_length=255)
    row_count = models.PositiveBigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dataset_id", "-number"]
        verbose_name = _("dataset version")
        constraints = [models.UniqueConstraint(fields=["dataset", "number"], name="datasetversion_number_unique")]
        indexes = [models.Index(fields=["status", "dataset"])]

    def __str__(self) -> str:
        return f"{self.dataset} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if _stored_status(self.pk) == VersionStatus.PUBLISHED:
            raise FrozenError(_("A published version cannot be changed; upload a new version instead."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if _stored_status(self.pk) == VersionStatus.PUBLISHED:
            raise FrozenError(_("A published version cannot be deleted."))
        return super().delete(*args, **kwargs)

    scope_institution_path = "dataset.agency.institution_id"
    scope_agency_path = "dataset.agency_id"

    @property
    def is_editable(self) -> bool:
        return self.status in (VersionStatus.DRAFT, VersionStatus.RETURNED)


class ColumnType(models.TextChoices):
    """Frictionless Table Schema field types Etam accepts."""

    STRING = "string", _("Text")
    INTEGER = "integer", _("Whole number")
    NUMBER = "number", _("Decimal number")
    BOOLEAN = "boolean", _("Yes/no")
    DATE = "date", _("Date")
    YEAR = "year", _("Year")


class NumberFormat(models.TextChoices):
    INDONESIAN = "id", _("Indonesian: 1.234.567,89")
    INTERNATIONAL = "intl", _("International: 1,234,567.89")
    PLAIN = "plain", _("Plain: 1234567.89")


class ReferenceList(models.TextChoices):
    NONE = "", _("None")
    REGION = "kode_wilayah", _("Kemendagri region code (kode wilayah)")
    NPSN = "npsn", _("School ID (NPSN, 8 digits)")


class ColumnSpec(Named):
    """One column of a version: the data dictionary entry, its validation rules (Table
    Schema constraints) and its MS-Var variable metadata."""

    version = models.ForeignKey(DatasetVersion, on_delete=models.CASCADE, related_name="columns")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("column name"), max_length=63)
    title = models.CharField(_("label (alias)"), max_length=150, blank=True)
    type = models.CharField(_("type"), max_length=10, choices=ColumnType.choices, default=ColumnType.STRING)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    definition = models.TextField(_("definition"), blank=True)
    concept = models.TextField(_("concept"), blank=True)
    reference = models.CharField(
        _("reference code list"), max_length=20, choices=ReferenceList.choices, blank=True, default=""
    )
    required = models.BooleanField(_("required"), default=False)
    minimum = models.DecimalField(_("minimum"), max_digits=20, decimal_places=6, null=True, blank=True)
    maximum = models.DecimalField(_("maximum"), max_digits=20, decimal_places=6, null=True, blank=True)
    number_format = models.CharField(
        _("number format"), max_length=6, choices=NumberFormat.choices, default=NumberFormat.PLAIN
    )
    date_format = models.CharField(_("date format"), max_length=20, default="%Y-%m-%d")
    # MS-Var
    selection_reference = models.CharField(_("selection reference"), max_length=200, blank=True)
    time_reference = models.CharField(_("time reference"), max_length=120, blank=True)
    classification = models.CharField(_("value classification"), max_length=200, blank=True)
    question = models.CharField(_("question text"), max_length=255, blank=True)
    is_public = models.BooleanField(_("publicly accessible"), default=True)

    class Meta:
        ordering = ["version_id", "position"]
        verbose_name = _("column (data dictionary)")
        constraints = [
            models.UniqueConstraint(fields=["version", "name"], name="columnspec_name_unique_per_version"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        status = DatasetVersion.objects.filter(pk=self.version_id).values_list("status", flat=True).first()
        if status == VersionStatus.PUBLISHED:
            raise FrozenError(_("The data dictionary of a published version cannot be changed."))
        super().save(*args, **kwargs)

    @property
    def validation_rule(self) -> str:
        """MS-Var "aturan validasi", derived from the enforced constraints."""
        parts = [self.get_type_display()]
        if self.required:
            parts.append(str(_("required")))
        if self.minimum is not None:
            parts.append(f"≥ {self.minimum.normalize()}")
        if self.maximum is not None:
            parts.append(f"≤ {self.maximum.normalize()}")
        if self.reference:
            parts.append(str(self.get_reference_display()))
        return ", ".join(str(p) for p in parts)


class Resource(Named):
    """The validated table of a version, stored as Parquet. CKAN's resource id is ``uuid``."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.OneToOneField(DatasetVersion, on_delete=models.PROTECT, related_name="resource")
    name = models.CharField(max_length=200)
    file = models.FileField(upload_to="opendata/parquet/%Y/%m/", max_length=255)
    row_count = models.PositiveBigIntegerField()
    size_bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("resource (Parquet table)")


class SystemDatasetRun(models.Model):
    """Last refresh of a system dataset, so the job publishes only when the data changed."""

    key = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_sha256 = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("system dataset refresh")

    def __str__(self) -> str:
        return self.key
