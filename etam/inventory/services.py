"""Business operations of the inventory. Each checks permission, changes state, writes
the audit event in the same transaction, and schedules side effects after commit."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from etam.core import audit, changes
from etam.core.actors import Actor, Person, stored_person
from etam.core.fieldvalues import assign_given, stored_values
from etam.core.models import Agency, Institution
from etam.core.permissions import Scope, has_perm, require
from etam.inventory import duplicates
from etam.inventory import permissions as perms
from etam.inventory.models import (
    AccessPoint,
    Application,
    ApplicationKind,
    ConnectivityChange,
    DataCentre,
    DuplicateFlag,
    DuplicateStatus,
    ImportBatch,
    Lifecycle,
    NationalApplication,
    NetworkLink,
    VillageConnectivity,
)

APPLICATION_FIELDS = [
    "agency",
    "name",
    "acronym",
    "purpose",
    "kind",
    "national_application",
    "raa_code",
    "business_process_code",
    "service_code",
    "datasets",
    "hosting",
    "data_centre",
    "url",
    "technology",
    "lifecycle",
    "user_groups",
    "user_count",
    "integrations_provided",
    "integrations_consumed",
    "uses_splp",
    "last_security_audit",
    "sso",
]

M = TypeVar("M", bound=models.Model)


def _agency_scope(agency: Agency) -> Scope:
    return Scope(institution_id=agency.institution_id, agency_id=agency.pk)


def _schedule_duplicate_refresh(app_ids: list[int] | None) -> None:
    from etam.inventory.tasks import refresh_duplicates

    transaction.on_commit(lambda: refresh_duplicates.enqueue(app_ids))


# --- Applications ---------------------------------------------------------------------------


def application_create(*, actor: Actor, data: dict[str, Any], detect: bool = True) -> Application:
    agency: Agency = data["agency"]
    require(actor, perms.MANAGE_APPLICATION, _agency_scope(agency))
    app = Application(institution_id=agency.institution_id)
    assign_given(app, data, APPLICATION_FIELDS)
    app.full_clean()
    with transaction.atomic():
        app.save()
        changes.record_change(actor, "inventory.application_create", app, APPLICATION_FIELDS)
        if detect:
            _schedule_duplicate_refresh([app.pk])
    return app


def application_update(*, actor: Actor, application: Application, data: dict[str, Any]) -> Application:
    require(actor, perms.MANAGE_APPLICATION, application)
    new_agency: Agency = data.get("agency") or application.agency
    if new_agency.pk != application.agency_id:
        require(actor, perms.MANAGE_APPLICATION, _agency_scope(new_agency))
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        before = stored_values(locked, APPLICATION_FIELDS)
        assign_given(locked, data, APPLICATION_FIELDS)
        locked.institution_id = new_agency.institution_id
        locked.full_clean()
        locked.save()
        after = stored_values(locked, APPLICATION_FIELDS)
        if before != after:
            audit.record(actor=actor, action="inventory.application_update", target=locked, before=before, after=after)
            _schedule_duplicate_refresh([locked.pk])
    return locked


def application_retire(*, actor: Actor, application: Application, reason: str) -> Application:
    require(actor, perms.MANAGE_APPLICATION, application)
    if not reason.strip():
        raise ValidationError({"reason": _("Reason: say why the application is retired.")})
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        before = {"lifecycle": locked.lifecycle}
        locked.lifecycle = Lifecycle.RETIRED
        locked.save(update_fields=["lifecycle", "updated_at", "content_signature"])
        changes.record_change(
            actor, "inventory.application_retire", locked, ["lifecycle"], before=before, also={"reason": reason.strip()}
        )
    return locked


# --- National Aplikasi Umum -----------------------------------------------------------------

NATIONAL_FIELDS = [
    "code",
    "name",
    "full_name",
    "owner",
    "raa_code",
    "business_process_code",
    "purpose",
    "keywords",
    "legal_basis",
    "designation_verified",
    "url",
    "is_active",
]


def _national_scope() -> Scope | None:
    province = Institution.objects.filter(kind=Institution.Kind.PROVINCE).only("pk").first()
    return Scope(institution_id=province.pk) if province else None


def national_application_save(
    *, actor: Actor, data: dict[str, Any], instance: NationalApplication | None = None
) -> NationalApplication:
    scope = _national_scope()
    if scope is None or not has_perm(actor, perms.MANAGE_NATIONAL_APPS, scope):
        raise PermissionDenied(_("You do not have permission for this action."))
    return _save_fields(
        actor,
        NationalApplication,
        NATIONAL_FIELDS,
        "inventory.national_application_",
        data,
        instance,
        institution_id=scope.institution_id,
    )


# --- Duplicate candidates --------------------------------------------------------------------


def _records() -> tuple[list[duplicates.AppRecord], list[duplicates.NationalRecord]]:
    apps = [
        duplicates.AppRecord(
            id=row["id"],
            name=row["name"],
            purpose=row["purpose"],
            institution_id=row["institution_id"],
            agency_id=row["agency_id"],
            acronym=row["acronym"],
            business_process_code=row["business_process_code"],
            service_code=row["service_code"],
            datasets=tuple(str(d) for d in row["datasets"] or ()),
            national_id=row["national_application_id"] if row["kind"] == ApplicationKind.GENERAL else None,
        )
        for row in Application.objects.exclude(lifecycle=Lifecycle.RETIRED)
        .values(
            "id",
            "name",
            "purpose",
            "institution_id",
            "agency_id",
            "acronym",
            "business_process_code",
            "service_code",
            "datasets",
            "national_application_id",
            "kind",
        )
        .iterator(chunk_size=2000)
    ]
    nationals = [
        duplicates.NationalRecord(
            id=n.pk,
            name=n.name,
            purpose=n.purpose,
            keywords=tuple(k.strip() for k in n.keywords.split(",") if k.strip()),
            business_process_code=n.business_process_code,
        )
        for n in NationalApplication.objects.filter(is_active=True)
    ]
    return apps, nationals


def duplicates_refresh(*, actor: Actor | None = None, application_ids: list[int] | None = None) -> dict[str, int]:
    """Run detection (whole inventory, or only pairs touching ``application_ids``) and
    reconcile the stored flags. A dismissed flag stays dismissed while neither side has
    changed; when one has, it opens again. Open flags no longer detected are removed;
    confirmed and merge-planned ones are kept (a human decided them)."""
    apps, nationals = _records()
    focus = set(application_ids) if application_ids is not None else None
    found = duplicates.detect(apps, nationals, only_ids=focus)
    by_id = {a.id: a for a in apps}
    signatures = dict(Application.objects.values_list("id", "content_signature"))
    counts = {"created": 0, "updated": 0, "reopened": 0, "kept_dismissed": 0, "removed": 0}
    with transaction.atomic():
        existing_qs = DuplicateFlag.objects.all()
        if focus is not None:
            existing_qs = existing_qs.filter(application_id__in=focus) | existing_qs.filter(other_id__in=focus)
        existing = {(f.application_id, f.other_id, f.national_application_id): f for f in existing_qs}
        seen: set[tuple[int, int | None, int | None]] = set()
        to_create = []
        for cand in found:
            key = (cand.a, cand.b, cand.national)
            seen.add(key)
            sig_a = signatures.get(cand.a, "")
            sig_b = signatures.get(cand.b, "") if cand.b else ""
            flag = existing.get(key)
            if flag is None:
                to_create.append(
                    DuplicateFlag(
                        application_id=cand.a,
                        other_id=cand.b,
                        national_application_id=cand.national,
                        score=cand.score,
                        reasons=cand.reasons,
                        signature_a=sig_a,
                        signature_b=sig_b,
                        institution_a_id=by_id[cand.a].institution_id,
                        institution_b_id=by_id[cand.b].institution_id if cand.b else None,
                    )
                )
                continue
            changed = (flag.signature_a, flag.signature_b) != (sig_a, sig_b)
            if flag.status == DuplicateStatus.DISMISSED and not changed:
                counts["kept_dismissed"] += 1
                continue
            if flag.status == DuplicateStatus.DISMISSED:
                flag.status = DuplicateStatus.OPEN
                counts["reopened"] += 1
                audit.record(
                    actor=actor,
                    action="inventory.duplicate_reopen",
                    target=flag,
                    before={"status": DuplicateStatus.DISMISSED},
                    after={"status": DuplicateStatus.OPEN},
                )
            else:
                counts["updated"] += 1
            flag.score, flag.reasons, flag.signature_a, flag.signature_b = cand.score, cand.reasons, sig_a, sig_b
            flag.save()
        DuplicateFlag.objects.bulk_create(to_create, batch_size=500)
        counts["created"] = len(to_create)
        stale = [f.pk for key, f in existing.items() if key not in seen and f.status == DuplicateStatus.OPEN]
        DuplicateFlag.objects.filter(pk__in=stale).delete()
        counts["removed"] = len(stale)
        if any(counts[k] for k in ("created", "reopened", "removed")):
            audit.record(
                actor=actor,
                action="inventory.duplicates_refresh",
                object_type="inventory.duplicateflag",
                object_repr=_("duplicate detection run"),
                changes={"counts": counts, "scope": "partial" if focus else "all"},
            )
    return counts


def duplicate_decide(*, actor: Person, flag: DuplicateFlag, status: str, reason: str = "") -> DuplicateFlag:
    """Confirm, dismiss (reason required) or plan a merge. Either side's reviewer may decide."""
    allowed = has_perm(actor, perms.REVIEW_DUPLICATES, Scope(institution_id=flag.institution_a_id)) or (
        flag.institution_b_id is not None
        and has_perm(actor, perms.REVIEW_DUPLICATES, Scope(institution_id=flag.institution_b_id))
    )
    if not allowed:
        raise PermissionDenied(_("You do not have permission for this action."))
    if status not in {
        DuplicateStatus.CONFIRMED,
        DuplicateStatus.DISMISSED,
        DuplicateStatus.MERGE_PLANNED,
        DuplicateStatus.OPEN,
    }:
        raise ValidationError({"status": _("Decision: choose confirm, dismiss or plan a merge.")})
    if status == DuplicateStatus.DISMISSED and not reason.strip():
        raise ValidationError({"reason": _("Reason: say why this is not a duplicate (it is remembered).")})
    with transaction.atomic():
        locked = DuplicateFlag.objects.select_for_update().get(pk=flag.pk)
        with changes.recorded(locked, ("status", "decision_reason"), actor=actor, action="inventory.duplicate_decide"):
            locked.status = status
            locked.decision_reason = reason.strip()
            locked.decided_by = actor
            locked.decided_at = timezone.now()
    return locked


# --- Infrastructure ------------------------------------------------------------------------------

DATA_CENTRE_FIELDS = [
    "institution",
    "agency",
    "name",
    "kind",
    "tier",
    "standard",
    "location",
    "region_code",
    "rack_capacity",
    "racks_used",
    "power_kw",
    "status",
    "notes",
]
NETWORK_LINK_FIELDS = [
    "institution",
    "name",
    "endpoint_a",
    "endpoint_b",
    "data_centre",
    "bandwidth_mbps",
    "provider",
    "medium",
    "status",
    "connects_to_jip",
]


def _scope_for(institution: Institution, agency: Agency | None) -> Scope:
    return Scope(institution_id=institution.pk, agency_id=agency.pk if agency else None)


def data_centre_save(*, actor: Actor, data: dict[str, Any], instance: DataCentre | None = None) -> DataCentre:
    if instance is not None:
        require(actor, perms.MANAGE_INFRASTRUCTURE, instance)
    require(actor, perms.MANAGE_INFRASTRUCTURE, _scope_for(data["institution"], data.get("agency")))
    return _save_fields(actor, DataCentre, DATA_CENTRE_FIELDS, "inventory.data_centre_", data, instance)


def network_link_save(*, actor: Actor, data: dict[str, Any], instance: NetworkLink | None = None) -> NetworkLink:
    if instance is not None:
        require(actor, perms.MANAGE_INFRASTRUCTURE, Scope(institution_id=instance.institution_id))
    require(actor, perms.MANAGE_INFRASTRUCTURE, Scope(institution_id=data["institution"].pk))
    dc = data.get("data_centre")
    if dc is not None and dc.institution_id != data["institution"].pk and dc.kind != DataCentre.Kind.NATIONAL:
        raise ValidationError({"data_centre": _("Data centre: choose one of the same instansi, or a PDN.")})
    return _save_fields(actor, NetworkLink, NETWORK_LINK_FIELDS, "inventory.network_link_", data, instance)


def _save_fields(
    actor: Actor, model: type[M], fields: list[str], action: str, data: dict[str, Any], instance: M | None, **scope: Any
) -> M:
    """Create or update a row from form data (permissions already checked): the stored row
    locked and read (a bound form has already changed ``instance``), validated, saved and
    audited in one transaction."""
    with transaction.atomic():
        obj = model.objects.select_for_update().get(pk=instance.pk) if instance else model()  # type: ignore[attr-defined]  # django-stubs gives `objects` to concrete models, not type[M]
        before = stored_values(obj, fields) if instance else None
        assign_given(obj, data, fields)
        obj.full_clean()
        obj.save()
        changes.record_change(actor, action + ("update" if instance else "create"), obj, fields, before=before, **scope)
    return obj


# --- Village connectivity ---------------------------------------------------------------------------


def _village_scope_ok(actor: Actor, village: VillageConnectivity) -> bool:
    from etam.inventory.selectors import village_scope_q

    return VillageConnectivity.objects.filter(village_scope_q(actor)).filter(pk=village.pk).exists()


def _village_institution_id(code: str) -> int | None:
    regency = code[:5]
    inst = Institution.objects.filter(region_code=regency).only("pk").first()
    return inst.pk if inst else None


def village_update(
    *,
    actor: Person,
    village: VillageConnectivity,
    coverage: str | None = None,
    in_programme: bool | None = None,
    notes: str | None = None,
    access_points: list[dict[str, Any]] | None = None,
    source: str = "form",
) -> VillageConnectivity:
    """Change a village's coverage and (optionally) replace its access points. Writes one
    history row and one audit event with what it was before and after."""
    if not _village_scope_ok(actor, village):
        raise PermissionDenied(_("You do not have permission for this action."))
    with transaction.atomic():
        locked = VillageConnectivity.objects.select_for_update().get(pk=village.pk)
        current_points = list(locked.access_points.all())
        before = locked.snapshot(current_points)
        if coverage is not None:
            locked.coverage = coverage
        if in_programme is not None:
            locked.in_programme = in_programme
        if notes is not None:
            locked.notes = notes
        locked.is_demo = False
        locked.full_clean()
        locked.save()
        new_points = current_points
        if access_points is not None:
            locked.access_points.all().delete()
            new_points = [AccessPoint(village=locked, **point) for point in access_points]
            for point in new_points:
                point.full_clean(exclude=["village"])
            AccessPoint.objects.bulk_create(new_points)
        after = locked.snapshot(new_points)
        if before != after:
            ConnectivityChange.objects.create(
                village=locked,
                changed_by=stored_person(actor),
                source=source,
                before=before,
                after=after,
            )
            audit.record(
                actor=actor,
                action="inventory.village_update",
                target=locked,
                institution_id=_village_institution_id(locked.region_code),
                before=before,
                after=after,
            )
    return locked


# ---------------------------------------------------------------------------- staff requests


def duplicates_run_request(*, actor: Actor) -> None:
    """Schedule a whole-inventory duplicate detection run (the task writes its own event
    when flags change); the request itself is recorded."""
    require(actor, perms.REVIEW_DUPLICATES)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="inventory.duplicates_run_request",
            object_type="inventory.duplicateflag",
            object_repr=_("duplicate detection run"),
        )
        _schedule_duplicate_refresh(None)


def import_batch_cancel(*, actor: Actor, batch: ImportBatch) -> ImportBatch:
    """Only the person who uploaded a batch cancels it, and only while it waits; a batch
    already imported or cancelled is left as it is."""
    if batch.created_by_id != getattr(actor, "pk", None):
        raise PermissionDenied
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.VALIDATED:
            return locked
        locked.status = ImportBatch.Status.CANCELLED
        locked.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="inventory.import_cancel",
            object_type="inventory.importbatch",
            object_id=locked.pk,
            object_repr=locked.filename,
            before={"status": ImportBatch.Status.VALIDATED},
            after={"status": ImportBatch.Status.CANCELLED},
        )
    return locked
