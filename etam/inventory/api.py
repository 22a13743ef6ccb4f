"""JSON API of the inventory under /api/v1/inventory/. Thin: the same forms validate as the
HTML pages (field errors answer 422 with ``body.<field>`` paths through the common
envelope), the same services write, the same selectors read."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from etam.api.auth import require_auth
from etam.api.params import Id, PageNumber, page_rows
from etam.core.actors import Actor
from etam.core.lookups import or_404
from etam.inventory import permissions as perms
from etam.inventory import selectors, services
from etam.inventory.forms import ApplicationForm, DataCentreForm, NetworkLinkForm
from etam.inventory.models import Application, DataCentre, NetworkLink

router = Router(tags=["inventory"])
MAX_PAGE_SIZE = 100


class SpbeApplicationOut(Schema):
    id: int
    name: str
    acronym: str
    purpose: str
    institution_code: str = Field(validation_alias="institution.region_code")
    agency_code: str = Field(validation_alias="agency.code")
    agency_name: str = Field(validation_alias="agency.name")
    kind: str
    national_application: str | None
    raa_code: str
    business_process_code: str
    service_code: str
    datasets: list[str]
    hosting: str
    data_centre_id: int | None
    url: str
    technology: str
    lifecycle: str
    user_groups: str
    user_count: int | None
    integrations_provided: list[str]
    integrations_consumed: list[str]
    uses_splp: bool
    last_security_audit: date | None
    sso: bool

    @staticmethod
    def resolve_national_application(a: Application) -> str | None:
        return a.national_application.code if a.national_application else None

    @staticmethod
    def resolve_datasets(a: Application) -> list[str]:
        return list(a.datasets or [])

    @staticmethod
    def resolve_integrations_provided(a: Application) -> list[str]:
        return list(a.integrations_provided or [])

    @staticmethod
    def resolve_integrations_consumed(a: Application) -> list[str]:
        return list(a.integrations_consumed or [])


class ApplicationPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[SpbeApplicationOut]


class SpbeApplicationIn(Schema):
    agency_id: Id | None = None
    name: str | None = None
    acronym: str | None = None
    purpose: str | None = None
    kind: str | None = None
    national_application: str | None = None
    raa_code: str | None = None
    business_process_code: str | None = None
    service_code: str | None = None
    datasets: list[str] | None = None
    hosting: str | None = None
    data_centre_id: int | None = None
    url: str | None = None
    technology: str | None = None
    lifecycle: str | None = None
    user_groups: str | None = None
    user_count: int | None = None
    integrations_provided: list[str] | None = None
    integrations_consumed: list[str] | None = None
    uses_splp: bool | None = None
    last_security_audit: date | None = None
    sso: bool | None = None


class ApplicationFilters(Schema):
    q: str = ""
    institution_id: Id | None = None
    agency_id: Id | None = None
    kind: str = ""
    lifecycle: str = ""
    hosting: str = ""
    page: PageNumber = 1
    page_size: int = 50


def _form_data(payload: SpbeApplicationIn, base: Application | None) -> dict[str, Any]:
    """Merge the given fields over the current values (PATCH semantics) into form data."""
    sent = payload.dict(exclude_unset=True)
    data: dict[str, Any] = {"kind": "khusus", "hosting": "pusat_data_sendiri", "lifecycle": "produksi"}
    if base is not None:
        form = ApplicationForm(instance=base, actor=None)
        for name, field in form.fields.items():
            value = form.initial.get(name)
            data[name] = field.prepare_value(value) if value is not None else ""
            if isinstance(value, bool):
                data[name] = value
    mapping = {"agency_id": "agency", "data_centre_id": "data_centre"}
    for key, value in sent.items():
        name = mapping.get(key, key)
        if name == "national_application":
            national = selectors.national_application_by_code(value)
            if value and national is None:
                raise DjangoValidationError(
                    {"national_application": [f"national_application: '{value}' is not in the national list."]}
                )
            value = national.pk if national else ""
        elif isinstance(value, list):
            value = "\n".join(value)
        elif isinstance(value, date):
            value = value.isoformat()
        data[name] = "" if value is None else value
    return data


def _cleaned(form: BaseForm) -> dict[str, Any]:
    """The form's cleaned data; its field errors raised as one ValidationError (a 422 naming each
    field through the envelope). The HTML pages' forms validate every write of this API."""
    if not form.is_valid():
        raise DjangoValidationError({field: list(messages) for field, messages in form.errors.items()})
    return form.cleaned_data


def _validated(data: dict[str, Any], actor: Actor, instance: Application | None) -> dict[str, Any]:
    return _cleaned(ApplicationForm(data=data, instance=instance, actor=actor))


@router.get("/applications", response=ApplicationPage, auth=require_auth, summary="List applications")
def application_list(request: HttpRequest, filters: Query[ApplicationFilters]) -> dict[str, Any]:
    qs = selectors.application_list(
        request.user,
        selectors.ApplicationFilter(**filters.dict(exclude={"q", "page", "page_size"}), q=filters.q[:100]),
    )
    size = max(1, min(filters.page_size, MAX_PAGE_SIZE))
    page = max(1, filters.page)
    return {
        "count": qs.count(),
        "page": page,
        "page_size": size,
        "results": page_rows(qs, page, size),
    }


@router.get("/applications/{app_id}", response=SpbeApplicationOut, auth=require_auth, summary="One application")
def application_detail(request: HttpRequest, app_id: int) -> Application:
    return or_404(selectors.application_get, request.user, app_id)


@router.post("/applications", response={201: SpbeApplicationOut}, auth=require_auth, summary="Record an application")
def application_create(request: HttpRequest, payload: SpbeApplicationIn) -> tuple[int, Application]:
    data = _validated(_form_data(payload, None), request.user, None)
    app = services.application_create(actor=request.user, data=data)
    return 201, selectors.application_get(request.user, app.pk)


@router.patch("/applications/{app_id}", response=SpbeApplicationOut, auth=require_auth, summary="Change an application")
def application_update(request: HttpRequest, app_id: int, payload: SpbeApplicationIn) -> Application:
    app = or_404(selectors.application_get, request.user, app_id, perm=perms.MANAGE_APPLICATION)
    data = _validated(_form_data(payload, app), request.user, app)
    services.application_update(actor=request.user, application=app, data=data)
    return selectors.application_get(request.user, app.pk)


class NationalOut(Schema):
    code: str
    name: str
    full_name: str
    owner: str
    purpose: str
    legal_basis: str
    designation_verified: bool
    is_active: bool


@router.get("/national-applications", response=list[NationalOut], auth=None, summary="National Aplikasi Umum")
def national_list(request: HttpRequest) -> Any:
    return list(selectors.national_applications())


class DuplicateOut(Schema):
    id: int
    application_id: int
    other_id: int | None
    national_application: str | None
    score: float
    reasons: list[dict[str, Any]]
    status: str
    decision_reason: str


@router.get("/duplicates", response=list[DuplicateOut], auth=require_auth, summary="Duplicate candidates")
def duplicate_list(request: HttpRequest, status: str = "", limit: int = 100) -> list[DuplicateOut]:
    qs = selectors.duplicate_flags_visible_to(request.user, status=status)[: max(1, min(limit, 500))]
    return [
        DuplicateOut(
            id=f.pk,
            application_id=f.application_id,
            other_id=f.other_id,
            national_application=f.national_application.code if f.national_application else None,
            score=f.score,
            reasons=f.reasons,
            status=f.status,
            decision_reason=f.decision_reason,
        )
        for f in qs
    ]


class DataCentreOut(Schema):
    id: int
    institution_code: str = Field(validation_alias="institution.region_code")
    name: str
    kind: str
    tier: str
    standard: str
    location: str
    rack_capacity: int | None
    racks_used: int | None
    status: str
    application_count: int


class DataCentreIn(Schema):
    institution_id: int
    agency_id: Id | None = None
    name: str
    kind: str = "ruang_server"
    tier: str = ""
    standard: str = ""
    location: str = ""
    region_code: str = ""
    rack_capacity: int | None = None
    racks_used: int | None = None
    status: str = "operasional"


@router.get("/data-centres", response=list[DataCentreOut], auth=require_auth, summary="Data centres")
def datacentre_list(request: HttpRequest) -> QuerySet[DataCentre]:
    return selectors.data_centres_visible_to(request.user)


@router.post("/data-centres", response={201: DataCentreOut}, auth=require_auth, summary="Record a data centre")
def datacentre_create(request: HttpRequest, payload: DataCentreIn) -> tuple[int, DataCentre]:
    data = payload.dict()
    data["institution"] = data.pop("institution_id")
    data["agency"] = data.pop("agency_id") or ""
    form = DataCentreForm(data={k: ("" if v is None else v) for k, v in data.items()}, actor=request.user)
    dc = services.data_centre_save(actor=request.user, data=_cleaned(form))
    return 201, selectors.data_centres_visible_to(request.user).get(pk=dc.pk)


class NetworkLinkOut(Schema):
    id: int
    institution_code: str = Field(validation_alias="institution.region_code")
    name: str
    endpoint_a: str
    endpoint_b: str
    data_centre_id: int | None
    bandwidth_mbps: int
    provider: str
    medium: str
    status: str
    connects_to_jip: bool


class NetworkLinkIn(Schema):
    institution_id: int
    name: str
    endpoint_a: str
    endpoint_b: str
    data_centre_id: int | None = None
    bandwidth_mbps: int
    provider: str
    medium: str = "fiber"
    status: str = "aktif"
    connects_to_jip: bool = False


@router.get("/network-links", response=list[NetworkLinkOut], auth=require_auth, summary="Network links")
def link_list(request: HttpRequest) -> QuerySet[NetworkLink]:
    return selectors.network_links_visible_to(request.user)


@router.post("/network-links", response={201: NetworkLinkOut}, auth=require_auth, summary="Record a network link")
def link_create(request: HttpRequest, payload: NetworkLinkIn) -> tuple[int, NetworkLink]:
    data: dict[str, Any] = payload.dict()
    data["institution"] = data.pop("institution_id")
    data["data_centre"] = data.pop("data_centre_id") or ""
    form = NetworkLinkForm(data=data, actor=request.user)
    return 201, services.network_link_save(actor=request.user, data=_cleaned(form))


class VillageOut(Schema):
    code: str = Field(validation_alias="region_code")
    name: str
    kelurahan: bool = Field(validation_alias="is_kelurahan")
    coverage: str
    active_access_points: int = Field(validation_alias="active")
    in_programme: bool
    demo: bool = Field(validation_alias="is_demo")


class ProgressOut(Schema):
    code: str
    name: str
    target: int
    connected: int


@router.get("/villages", response=list[VillageOut], auth=None, summary="Village connectivity (public)")
def village_list(request: HttpRequest, regency_code: str = "", district_code: str = "") -> QuerySet[Any]:
    return selectors.public_villages(regency_code=regency_code, district_code=district_code)[:2000]


@router.get("/connectivity-progress", response=list[ProgressOut], auth=None, summary="Internet Desa progress (public)")
def progress(request: HttpRequest) -> list[ProgressOut]:
    return [
        ProgressOut(code=r["code"], name=r["name"], target=r["target"], connected=r["connected"])
        for r in selectors.programme_progress()
        if r["target"]
    ]
