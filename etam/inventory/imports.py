"""Bulk import and export: CSV or XLSX, read by the shared reader (``etam.core.tabular``:
delimiters , ; tab |; UTF-8, UTF-8 with BOM or Windows-1252). A file is parsed and
validated into an ``ImportBatch`` with a per-row, per-column report; nothing is written
until the user decides, and a file with errors is imported only if the user explicitly
chooses "import only the valid rows"."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from etam.core import audit, spreadsheets, tabular
from etam.core.actors import Actor, Person
from etam.core.models import Agency, Institution, Region
from etam.core.permissions import Scope, has_perm
from etam.inventory import permissions as perms
from etam.inventory.models import (
    AccessPoint,
    Application,
    Coverage,
    Hosting,
    ImportBatch,
    Lifecycle,
    NationalApplication,
    VillageConnectivity,
)

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024


ImportFileError = tabular.TableProblem  # the file as a whole cannot be read (not a row problem)
# Blank rows are skipped, not counted against MAX_ROWS; this bounds how many are read.
XLSX_MAX_SHEET_ROWS = 2 * MAX_ROWS


def read_table(filename: str, raw: bytes) -> list[tuple[int, dict[str, str]]]:
    """Rows as (line number in the file, {normalised header: text}), read by the shared
    reader (``etam.core.tabular``): the format by content, not by ``filename``; rows
    streamed and reading stopped at the row cap; an XLSX checked against the spreadsheet
    limits first."""
    if len(raw) > MAX_BYTES:
        raise ImportFileError(_("File: at most 5 MB."))
    first, rows = tabular.records(raw, max_rows=MAX_ROWS, xlsx_limits=spreadsheets.limits(rows=XLSX_MAX_SHEET_ROWS))
    header = [h.lower().replace(" ", "_") for h in first]
    if not any(header):
        raise ImportFileError(_("File: the first row must hold the column names."))
    return [
        (line, {h: values[i] if i < len(values) else "" for i, h in enumerate(header) if h}) for line, values in rows
    ]


# --- Applications -----------------------------------------------------------------------------------

# Column → form field. The export writes the same columns, so an export re-imports.
APPLICATION_COLUMNS: list[tuple[str, str]] = [
    ("kode_wilayah", "institution"),
    ("kode_opd", "agency"),
    ("nama", "name"),
    ("singkatan", "acronym"),
    ("tujuan", "purpose"),
    ("jenis", "kind"),
    ("aplikasi_umum", "national_application"),
    ("kode_raa", "raa_code"),
    ("kode_proses_bisnis", "business_process_code"),
    ("kode_layanan", "service_code"),
    ("data", "datasets"),
    ("hosting", "hosting"),
    ("url", "url"),
    ("teknologi", "technology"),
    ("status", "lifecycle"),
    ("pengguna", "user_groups"),
    ("jumlah_pengguna", "user_count"),
    ("integrasi_disediakan", "integrations_provided"),
    ("integrasi_digunakan", "integrations_consumed"),
    ("splp", "uses_splp"),
    ("audit_keamanan_terakhir", "last_security_audit"),
    ("sso", "sso"),
]
FIELD_TO_COLUMN = {field: column for column, field in APPLICATION_COLUMNS}
REQUIRED_APPLICATION_COLUMNS = ("kode_wilayah", "kode_opd", "nama", "tujuan")


def _boolean(value: str, column: str, errors: list[dict[str, str]], line: int) -> bool:
    """ya/tidak by the shared parser (a blank is "tidak"); a lone "t" is reported, not guessed."""
    try:
        return bool(tabular.parse_boolean(value, column=column, row=line))
    except tabular.TableProblem as exc:
        errors.append({"column": column, "message": exc.message})
        return False


def _enum(value: str, choices: Iterable[tuple[str, Any]], column: str, errors: list[dict[str, str]]) -> str:
    v = value.strip().lower()
    options = {str(k).lower(): str(k) for k, _label in choices}
    labels = {str(label).lower(): str(k) for k, label in choices}
    if v in options:
        return options[v]
    if v in labels:
        return labels[v]
    errors.append(
        {
            "column": column,
            "message": _('%(column)s: "%(value)s" is not allowed; use one of: %(allowed)s.')
            % {"column": column, "value": value, "allowed": ", ".join(k for k in options if k)},
        }
    )
    return ""


class _Lookups:
    """Caches of what rows refer to, so validating 5,000 rows does not run 5,000 queries."""

    def __init__(self, actor: Actor):
        self.actor = actor
        self.regions = set(Region.objects.current().values_list("code", flat=True))
        self.institutions = {i.region_code: i for i in Institution.objects.all()}
        self.agencies = {(a.institution_id, a.code.upper()): a for a in Agency.objects.filter(is_active=True)}
        self.nationals: dict[str, NationalApplication] = {}
        for n in NationalApplication.objects.filter(is_active=True):
            self.nationals[n.code.lower()] = n
            self.nationals[n.name.lower()] = n


def _application_row(raw: dict[str, str], lookups: _Lookups, line: int) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Form data for one row (ids for the foreign keys), plus the row errors found before the form."""
    from etam.inventory.models import ApplicationKind

    errors: list[dict[str, str]] = []
    data: dict[str, Any] = {}
    for column in REQUIRED_APPLICATION_COLUMNS:
        if not raw.get(column, "").strip():
            errors.append({"column": column, "message": _("%(column)s: this column is required.") % {"column": column}})
    region_code = raw.get("kode_wilayah", "").strip()
    institution = None
    if region_code:
        if region_code not in lookups.regions and region_code not in lookups.institutions:
            errors.append(
                {
                    "column": "kode_wilayah",
                    "message": _("kode_wilayah: %(code)s is not in the Kemendagri reference table.")
                    % {"code": region_code},
                }
            )
        else:
            institution = lookups.institutions.get(region_code)
            if institution is None:
                errors.append(
                    {
                        "column": "kode_wilayah",
                        "message": _("kode_wilayah: no instansi is registered for %(code)s.") % {"code": region_code},
                    }
                )
    agency_code = raw.get("kode_opd", "").strip().upper()
    if institution is not None and agency_code:
        agency = lookups.agencies.get((institution.pk, agency_code))
        if agency is None:
            errors.append(
                {
                    "column": "kode_opd",
                    "message": _("kode_opd: no OPD with code %(code)s in %(institution)s.")
                    % {"code": agency_code, "institution": institution.short_name},
                }
            )
        elif not has_perm(lookups.actor, perms.MANAGE_APPLICATION, Scope(agency.institution_id, agency.pk)):
            errors.append(
                {
                    "column": "kode_opd",
                    "message": _("kode_opd: you may not manage the applications of %(code)s.") % {"code": agency_code},
                }
            )
        else:
            data["agency"] = agency.pk
    for column, field in APPLICATION_COLUMNS:
        if field in {"institution", "agency"}:
            continue
        value = raw.get(column, "")
        if field == "kind":
            data[field] = _enum(value, ApplicationKind.choices, column, errors) if value else ApplicationKind.SPECIFIC
        elif field == "hosting":
            data[field] = _enum(value, Hosting.choices, column, errors) if value else Hosting.OWN_DC
        elif field == "lifecycle":
            data[field] = _enum(value, Lifecycle.choices, column, errors) if value else Lifecycle.PRODUCTION
        elif field in {"uses_splp", "sso"}:
            data[field] = _boolean(value, column, errors, line)
        elif field == "national_application":
            if value:
                national = lookups.nationals.get(value.strip().lower())
                if national is None:
                    errors.append(
                        {
                            "column": column,
                            "message": _('aplikasi_umum: "%(value)s" is not in the national Aplikasi Umum list.')
                            % {"value": value},
                        }
                    )
                else:
                    data[field] = national.pk
        elif field in {"datasets", "integrations_provided", "integrations_consumed"}:
            data[field] = value.replace("|", ";")
        else:
            data[field] = value
    return data, errors


def validate_application_rows(actor: Actor, rows: list[tuple[int, dict[str, str]]]) -> list[dict[str, Any]]:
    from etam.inventory.forms import ApplicationForm

    lookups = _Lookups(actor)
    report = []
    for line, raw in rows:
        data, errors = _application_row(raw, lookups, line)
        form = ApplicationForm(data=data, actor=actor)
        if not form.is_valid():
            for field, messages in form.errors.items():
                column = FIELD_TO_COLUMN.get(field, field)
                if field == "agency" and any(e["column"] in {"kode_opd", "kode_wilayah"} for e in errors):
                    continue  # already explained by the lookup error
                for message in messages:
                    if not any(e["column"] == column and e["message"] == message for e in errors):
                        errors.append({"column": column, "message": str(message)})
        report.append({"line": line, "data": raw, "errors": errors})
    return report


def stage(*, actor: Person, kind: str, filename: str, raw: bytes) -> ImportBatch:
    """Parse and validate a file into a batch waiting for the user's decision."""
    if kind == ImportBatch.Kind.APPLICATIONS:
        if not has_perm(actor, perms.MANAGE_APPLICATION):
            raise PermissionDenied(_("You do not have permission for this action."))
        rows = read_table(filename, raw)
        missing = [c for c in REQUIRED_APPLICATION_COLUMNS if rows and c not in rows[0][1]]
        if missing:
            raise ImportFileError(_("File: missing column(s) %(columns)s.") % {"columns": ", ".join(missing)})
        report = validate_application_rows(actor, rows)
    else:
        if not has_perm(actor, perms.MANAGE_CONNECTIVITY):
            raise PermissionDenied(_("You do not have permission for this action."))
        rows = read_table(filename, raw)
        if rows and "kode_wilayah" not in rows[0][1]:
            raise ImportFileError(_("File: missing column(s) %(columns)s.") % {"columns": "kode_wilayah"})
        report = validate_connectivity_rows(actor, rows)
    return ImportBatch.objects.create(kind=kind, created_by=actor, filename=filename[:255], rows=report)


def commit(*, actor: Person, batch: ImportBatch, only_valid: bool) -> int:
    """Write the batch. A batch with invalid rows is refused unless ``only_valid``."""
    if batch.created_by_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("You do not have permission for this action."))
    if batch.status != ImportBatch.Status.VALIDATED:
        raise ValidationError(_("This file has already been imported or cancelled."))
    if batch.invalid_rows and not only_valid:
        raise ValidationError(
            _(
                "The file has rows with errors. Fix the file and upload it again, "
                "or choose to import only the valid rows."
            )
        )
    if batch.kind == ImportBatch.Kind.APPLICATIONS:
        count = _commit_applications(actor, batch)
    else:
        count = _commit_connectivity(actor, batch)
    return count


def _mark_imported(actor: Actor, batch: ImportBatch, count: int, action: str, changes: dict[str, int]) -> None:
    """The batch is done: its status and count, and the audit event (inside the import's transaction)."""
    batch.status = ImportBatch.Status.IMPORTED
    batch.imported_count = count
    batch.save(update_fields=["status", "imported_count"])
    audit.record(
        actor=actor,
        action=action,
        object_type="inventory.importbatch",
        object_id=batch.pk,
        object_repr=batch.filename,
        changes={**changes, "skipped_invalid": len(batch.invalid_rows)},
    )


def _commit_applications(actor: Actor, batch: ImportBatch) -> int:
    from etam.inventory.forms import ApplicationForm
    from etam.inventory.services import application_create, application_update, duplicates_refresh

    lookups = _Lookups(actor)
    touched: list[int] = []
    with transaction.atomic():
        for row in batch.valid_rows:
            data, errors = _application_row(row["data"], lookups, row["line"])
            form = ApplicationForm(data=data, actor=actor)
            if errors or not form.is_valid():
                # Something changed since validation (an OPD closed, a permission revoked): stop, write nothing.
                raise ValidationError(
                    _("Row %(line)d is no longer valid; upload the file again.") % {"line": row["line"]}
                )
            agency = form.cleaned_data["agency"]
            existing = Application.objects.filter(agency=agency, name__iexact=form.cleaned_data["name"]).first()
            if existing:
                app = application_update(actor=actor, application=existing, data=form.cleaned_data)
            else:
                app = application_create(actor=actor, data=form.cleaned_data, detect=False)
            touched.append(app.pk)
        _mark_imported(actor, batch, len(touched), "inventory.application_import", {"imported": len(touched)})
    if touched:
        duplicates_refresh(actor=actor, application_ids=touched)
    return len(touched)


def export_rows(apps: Iterable[Application]) -> Iterable[list[str]]:
    yield [c for c, _f in APPLICATION_COLUMNS]
    for a in apps:
        yield [
            a.institution.region_code,
            a.agency.code,
            a.name,
            a.acronym,
            a.purpose,
            a.kind,
            a.national_application.code if a.national_application else "",
            a.raa_code,
            a.business_process_code,
            a.service_code,
            "; ".join(a.datasets or []),
            a.hosting,
            a.url,
            a.technology,
            a.lifecycle,
            a.user_groups,
            "" if a.user_count is None else str(a.user_count),
            "; ".join(a.integrations_provided or []),
            "; ".join(a.integrations_consumed or []),
            "ya" if a.uses_splp else "tidak",
            a.last_security_audit.isoformat() if a.last_security_audit else "",
            "ya" if a.sso else "tidak",
        ]


# --- Village connectivity -------------------------------------------------------------------------------

CONNECTIVITY_COLUMNS = [
    "kode_wilayah",
    "sinyal",
    "program_internet_desa",
    "lokasi_titik",
    "program",
    "penyedia",
    "teknologi",
    "bandwidth_mbps",
    "daya",
    "tanggal_pasang",
    "status_titik",
]


def validate_connectivity_rows(actor: Actor, rows: list[tuple[int, dict[str, str]]]) -> list[dict[str, Any]]:
    from etam.inventory.forms import AccessPointForm
    from etam.inventory.selectors import village_scope_q

    villages = set(Region.objects.current().filter(level="desa_kelurahan").values_list("code", flat=True))
    allowed = set(VillageConnectivity.objects.filter(village_scope_q(actor)).values_list("region_code", flat=True))
    report = []
    for line, raw in rows:
        errors: list[dict[str, str]] = []
        code = raw.get("kode_wilayah", "").strip()
        if not code:
            errors.append({"column": "kode_wilayah", "message": _("kode_wilayah: this column is required.")})
        elif code not in villages:
            errors.append(
                {
                    "column": "kode_wilayah",
                    "message": _("kode_wilayah: %(code)s is not a desa/kelurahan in the Kemendagri reference table.")
                    % {"code": code},
                }
            )
        elif code not in allowed:
            errors.append(
                {
                    "column": "kode_wilayah",
                    "message": _("kode_wilayah: you may not update %(code)s (outside your instansi).") % {"code": code},
                }
            )
        if raw.get("sinyal", "").strip():
            _enum(raw["sinyal"], [c for c in Coverage.choices if c[0]], "sinyal", errors)
        if raw.get("program_internet_desa", "").strip():
            _boolean(raw["program_internet_desa"], "program_internet_desa", errors, line)
        if raw.get("penyedia", "").strip():
            point = _access_point_data(raw, errors)
            form = AccessPointForm(data=point)
            if not form.is_valid():
                column_of = {
                    "site": "lokasi_titik",
                    "programme": "program",
                    "provider": "penyedia",
                    "technology": "teknologi",
                    "bandwidth_mbps": "bandwidth_mbps",
                    "power": "daya",
                    "installed_on": "tanggal_pasang",
                    "status": "status_titik",
                }
                for field, messages in form.errors.items():
                    for message in messages:
                        errors.append({"column": column_of.get(field, field), "message": str(message)})
        report.append({"line": line, "data": raw, "errors": errors})
    return report


def _access_point_data(raw: dict[str, str], errors: list[dict[str, str]]) -> dict[str, Any]:
    def pick(column: str, choices: Any, default: str) -> str:
        value = raw.get(column, "").strip()
        return _enum(value, choices, column, errors) if value else default

    return {
        "site": raw.get("lokasi_titik", "").strip() or "Kantor desa",
        "programme": pick("program", AccessPoint.Programme.choices, AccessPoint.Programme.INTERNET_DESA),
        "provider": raw.get("penyedia", "").strip(),
        "technology": pick("teknologi", AccessPoint.Technology.choices, ""),
        "bandwidth_mbps": raw.get("bandwidth_mbps", "").strip(),
        "power": pick("daya", AccessPoint.Power.choices, AccessPoint.Power.GRID),
        "installed_on": raw.get("tanggal_pasang", "").strip(),
        "status": pick("status_titik", AccessPoint.Status.choices, AccessPoint.Status.ACTIVE),
    }


def _commit_connectivity(actor: Person, batch: ImportBatch) -> int:
    from etam.inventory.forms import AccessPointForm
    from etam.inventory.services import village_update

    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in batch.valid_rows:
        grouped.setdefault(row["data"]["kode_wilayah"].strip(), []).append(row)
    with transaction.atomic():
        ensure_villages(codes=list(grouped))
        villages = {v.region_code: v for v in VillageConnectivity.objects.filter(region_code__in=list(grouped))}
        for code, rows in grouped.items():
            errors: list[dict[str, str]] = []
            coverage = None
            in_programme = None
            points = []
            for row in rows:
                raw, line = row["data"], row["line"]
                if raw.get("sinyal", "").strip():
                    coverage = _enum(raw["sinyal"], [c for c in Coverage.choices if c[0]], "sinyal", errors)
                if raw.get("program_internet_desa", "").strip():
                    in_programme = _boolean(raw["program_internet_desa"], "program_internet_desa", errors, line)
                if raw.get("penyedia", "").strip():
                    form = AccessPointForm(data=_access_point_data(raw, errors))
                    if not form.is_valid():
                        raise ValidationError(
                            _("Row for %(code)s is no longer valid; upload the file again.") % {"code": code}
                        )
                    points.append(form.cleaned_data)
            village_update(
                actor=actor,
                village=villages[code],
                coverage=coverage,
                in_programme=in_programme,
                access_points=points or None,
                source="import",
            )
        _mark_imported(actor, batch, len(grouped), "inventory.connectivity_import", {"villages": len(grouped)})
    return len(grouped)


def ensure_villages(codes: list[str] | None = None) -> int:
    """One connectivity row per current desa/kelurahan (created as unknown coverage)."""
    regions = Region.objects.current().filter(level="desa_kelurahan", code__startswith="64.")
    if codes is not None:
        regions = regions.filter(code__in=codes)
    existing = set(VillageConnectivity.objects.values_list("region_code", flat=True))
    new = [
        VillageConnectivity(
            region_code=r.code,
            name=r.name,
            is_kelurahan=r.kind.lower() == "kelurahan",
            district_code=r.code[:8],
            regency_code=r.code[:5],
        )
        for r in regions.only("code", "name", "kind")
        if r.code not in existing
    ]
    VillageConnectivity.objects.bulk_create(new, batch_size=500)
    return len(new)
