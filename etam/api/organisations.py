"""Public organisation and region reference data: /api/v1/organisations/..., /api/v1/regions.

Core's models, read through ``etam.core.selectors``; the router lives with the API (it was
``etam/core/api.py``) so that core imports no API code. Operation ids are kept.

Read-only and without authentication: names, codes and kode wilayah of instansi, OPDs and
units, and the current Kemendagri region tree. No people, no contact persons, no grants.
Each list is one query.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from etam.api.errors import ErrorOut
from etam.api.params import Id
from etam.core import selectors
from etam.core.models import Institution
from etam.core.models.reference import RegionLevel

router = Router(tags=["organisations"])

PUBLIC_ERRORS: dict[int, type[Schema]] = {404: ErrorOut, 422: ErrorOut, 429: ErrorOut, 500: ErrorOut}


def _public_list(path: str, out: type[Schema], name: str, summary: str, **options: Any) -> Any:
    """The decorator of a public list endpoint: no authentication, a list of ``out``, the
    public errors, and the operation id ``etam_core_api_<name>_list`` (kept from when these
    lived in etam/core/api.py)."""
    return router.get(
        path,
        response={200: list[out], **PUBLIC_ERRORS},  # type: ignore[valid-type]
        operation_id=f"etam_core_api_{name}_list",
        auth=None,
        summary=summary,
        **options,
    )


class InstitutionOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str = Field(description="provinsi, kabupaten or kota")
    region_code: str = Field(description="Kemendagri kode wilayah, e.g. 64.72")


class OrganisationInstitutionRef(Schema):
    id: int
    short_name: str
    region_code: str


class AgencyOut(Schema):
    id: int
    code: str = Field(description="Unique within the instansi, e.g. DISKOMINFO")
    name: str
    short_name: str
    kind: str
    is_active: bool
    institution: OrganisationInstitutionRef


class UnitOut(Schema):
    id: int
    code: str
    name: str
    agency_id: int
    agency_code: str
    parent_id: int | None


class AgencyFilters(Schema):
    institution: Id | None = Field(default=None, description="Only the OPDs of this instansi (id)")
    region_code: str | None = Field(default=None, description="Only the OPDs of the instansi of this kode wilayah")
    include_inactive: bool = Field(default=False, description="Also list OPDs that are no longer active")


class RegionOut(Schema):
    code: str
    name: str
    level: str
    kind: str = Field(description="Provinsi, Kabupaten, Kota, Kecamatan, Desa, Kelurahan, ...")
    parent_code: str


class RegionFilters(Schema):
    parent: str | None = Field(default=None, description="Children of this kode wilayah, e.g. 64.72")
    level: RegionLevel | None = Field(default=None, description="provinsi, kabupaten_kota, kecamatan, desa_kelurahan")


def _institution_ref(institution: Institution) -> dict[str, Any]:
    return {"id": institution.pk, "short_name": institution.short_name, "region_code": institution.region_code}


@_public_list("/organisations/instansi", InstitutionOut, "institution", "List instansi (public)")
def institution_list(request: HttpRequest) -> list[Institution]:
    return list(selectors.public_institutions())


@_public_list("/organisations/opd", AgencyOut, "agency", "List OPDs (public), optionally of one instansi")
def agency_list(request: HttpRequest, filters: Query[AgencyFilters]) -> list[dict[str, Any]]:
    qs = selectors.agency_list(
        None,
        public=True,
        include_inactive=filters.include_inactive,
        institution_id=filters.institution,
        region_code=filters.region_code.strip() if filters.region_code else None,
    )
    return [
        {
            "id": a.pk,
            "code": a.code,
            "name": a.name,
            "short_name": a.short_name,
            "kind": a.kind,
            "is_active": a.is_active,
            "institution": _institution_ref(a.institution),
        }
        for a in qs
    ]


@_public_list("/organisations/opd/{agency_id}/units", UnitOut, "unit", "List the units of one OPD (public)")
def unit_list(request: HttpRequest, agency_id: Id) -> list[dict[str, Any]]:
    rows = selectors.public_units(agency_id)
    if not rows and not selectors.agency_exists(agency_id):
        raise Http404(_("No OPD with this id."))
    return [
        {
            "id": row["id"],
            "code": row["code"],
            "name": row["name"],
            "agency_id": row["agency_id"],
            "agency_code": row["agency__code"],
            "parent_id": row["parent_id"],
        }
        for row in rows
    ]


@_public_list(
    "/regions", RegionOut, "region", "Current kode wilayah regions, by parent and level (public)", tags=["regions"]
)
def region_list(request: HttpRequest, filters: Query[RegionFilters]) -> list[Any]:
    parent = filters.parent.strip() if filters.parent else None
    level = filters.level.value if filters.level is not None else None
    rows = selectors.current_regions(parent=parent, level=level)
    if parent is not None and not rows and not selectors.current_region_exists(parent):
        raise Http404(_("No current region with this kode wilayah."))
    return rows
