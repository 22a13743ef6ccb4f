"""The CKAN action API (``/api/3/action/<name>``): the read actions here, the write actions
in ``ckan_write`` (they need an API token and run in one transaction).

Plain Django views speaking CKAN's envelope: ``{"help", "success": true, "result"}`` or
``{"help", "success": false, "error": {"__type", "message", ...}}`` with CKAN's error
types. GET takes query parameters; POST takes a JSON body (or a form), as CKAN does.
Callers authenticate like CKAN clients, with ``Authorization: <token>`` (a ``Bearer``
prefix is accepted), or with a browser session; anonymous callers see public data only.
The views are CSRF-exempt: reads need no protection, and writes refuse a session (a token only).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from etam.core import bearer
from etam.core.actors import Actor
from etam.core.bounds import MAX_OFFSET
from etam.opendata import query, selectors
from etam.opendata.ckan_dicts import agency_id_from_name, group_dict, organization_dict, package_dict, resource_dict
from etam.opendata.models import Topic

MAX_ROWS = 1000
SQL_ROW_LIMIT = 10_000


class ActionError(Exception):
    status = 400
    kind = "Validation Error"

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ActionError):
    status = 404
    kind = "Not Found Error"


class NotAuthorized(ActionError):
    status = 403
    kind = "Authorization Error"


class MethodNotAllowed(ActionError):
    status = 405


class Throttled(ActionError):
    """Over the caller's request budget, shared with /api/v1 (``API_RATE_LIMIT``)."""

    status = 429
    kind = "Throttled"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    @classmethod
    def over_budget(cls, retry_after: int, limit: int) -> Throttled:
        return cls(
            f"Too many requests: the limit is {limit} per period. Try again in {retry_after} seconds.", retry_after
        )


def _throttle(request: HttpRequest, actor: Actor | None) -> None:
    from etam.api.throttling import check

    verdict = check(request, actor)
    if verdict is not None and not verdict.allowed:
        raise Throttled.over_budget(verdict.retry_after, verdict.limit)


def _caller(request: HttpRequest) -> Any:
    token = bearer.header_token(request, allow_raw=True)
    if token is not None:
        user = bearer.authenticate(request, token)
        if user is None:
            raise NotAuthorized("Authorization: the API token is unknown, expired or revoked.", "Authorization")
        return user
    return request.user


def _params(request: HttpRequest) -> dict[str, Any]:
    if request.method == "POST":
        if request.content_type == "multipart/form-data":  # an upload: never read the body whole
            return {k: v for k, v in request.POST.items()}
        if request.content_type == "application/json" or (request.body[:1] in (b"{", b"[")):
            try:
                body = json.loads(request.body or b"{}")
            except json.JSONDecodeError as exc:
                raise ActionError(f"JSON body: cannot be read ({exc.msg}).") from exc
            except RecursionError as exc:
                raise ActionError("JSON body: nested too deeply.") from exc
            except UnicodeDecodeError as exc:
                raise ActionError("JSON body: not UTF-8 text.") from exc
            if not isinstance(body, dict):
                raise ActionError("JSON body: must be an object.")
            return body
        return {k: v for k, v in request.POST.items()}
    return {k: v for k, v in request.GET.items()}


def _int(params: dict[str, Any], name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    value = params.get(name, default)
    if maximum is None:
        maximum = MAX_OFFSET  # shared bound: an offset past int64 used to reach the database (500)
    try:
        number = int(str(value)[:20]) if not isinstance(value, int) else value
    except (TypeError, ValueError) as exc:
        raise ActionError(f"{name}: must be a whole number.", name) from exc
    if number < minimum or (maximum is not None and number > maximum):
        limit = f" and {maximum}" if maximum is not None else ""
        raise ActionError(f"{name}: must be between {minimum}{limit}.", name)
    return number


def _bool(params: dict[str, Any], name: str, default: bool) -> bool:
    value = params.get(name, default)
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "yes", "on")


def _json_param(params: dict[str, Any], name: str) -> Any:
    value = params.get(name)
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ActionError(f"{name}: not valid JSON ({exc.msg}).", name) from exc
    return value


def _list_param(params: dict[str, Any], name: str) -> list[str]:
    value = _json_param(params, name)
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [v.strip() for v in str(value).split(",") if v.strip()]


# ---------------------------------------------------------------------------- actions


def package_list(request: HttpRequest, params: dict[str, Any], actor: Actor) -> Any:
    limit = _int(params, "limit", 1000, minimum=1, maximum=10_000)
    offset = _int(params, "offset", 0)
    names = selectors.visible_datasets(actor).order_by("slug").values_list("slug", flat=True)
    return list(names[offset : offset + limit])


def _parse_fq(fq: str) -> dict[str, list[str]]:
    """CKAN/Solr filter query, the common subset: ``field:value`` or ``field:"value"``,
    joined by spaces or AND; ``+`` prefixes are ignored."""
    import shlex

    filters: dict[str, list[str]] = {}
    try:
        tokens = shlex.split(fq)
    except ValueError as exc:
        raise ActionError(f"fq: cannot be read ({exc}).", "fq") from exc
    for token in tokens:
        if token.upper() == "AND":
            continue
        key, sep, value = token.lstrip("+").partition(":")
        if not sep:
            raise ActionError(f"fq: {token} is not of the form field:value.", "fq")
        key = {"organization": "organization", "groups": "groups", "tags": "tags", "res_format": "res_format"}.get(
            key, key
        )
        if key not in (
            "organization",
            "groups",
            "tags",
            "res_format",
            "kabkota",
            "name",
            "id",
            "license_id",
            "private",
        ):
            raise ActionError(f"fq: filtering on {key} is not supported.", "fq")
        filters.setdefault(key, []).append(value.strip('"'))
    return filters


def package_search(request: HttpRequest, params: dict[str, Any], actor: Actor) -> Any:
    rows = _int(params, "rows", 10, maximum=MAX_ROWS)
    start = _int(params, "start", 0)
    q = str(params.get("q", "") or "")
    if q.strip() in ("*:*", "*"):
        q = ""
    filters = _parse_fq(str(params.get("fq", "") or ""))
    facet_fields = _list_param(params, "facet.field")
    unknown = [f for f in facet_fields if f not in selectors.FACETS]
    if unknown:
        raise ActionError(f"facet.field: {', '.join(unknown)} cannot be a facet.", "facet.field")
    with_facets = _bool(params, "facet", True) and bool(facet_fields)
    result = selectors.search_datasets(
        actor,
        q=q,
        filters=filters,
        sort=str(params.get("sort", "") or ""),
        rows=rows,
        start=start,
        with_facets=with_facets,
    )
    facet_limit = _int(params, "facet.limit", 50, minimum=1, maximum=1000)
    search_facets = {
        name: {
            "title": name,
            "items": [
                {"name": v, "display_name": label, "count": n} for v, label, n in result.facets[name][:facet_limit]
            ],
        }
        for name in facet_fields
        if name in result.facets
    }
    return {
        "count": result.count,
        "results": [package_dict(d, request) for d in result.datasets],
        "facets": {
            name: {v: n for v, _label, n in result.facets[name]} for name in facet_fields if name in result.facets
        },
        "search_facets": search_facets,
        "sort": params.get("sort", "title_string asc"),
    }


def package_show(request: HttpRequest, params: dict[str, Any], actor: Actor) -> Any:
    key = str(params.get("id", "") or params.get("name", ""))
    if not key:
        raise ActionError("id: required.", "id")
    dataset = selectors.visible_dataset(actor, key)
    if dataset is None:
        raise NotFound("Not found: dataset")
    return package_dict(dataset, request)


def organization_list(request: HttpRequest, params: dict[str, Any], actor: Actor) -> Any:
    orgs = selectors.publishing_agencies(actor)
    if _bool(params, "all_fields", False):
        return [organization_dict(a, package_count=n) for a, n in orgs]
    return [organization_dict(a)["name"] for a, _n in orgs]


def organization_show(request: HttpRequest, params: dict[str, Any], actor: Actor) -> Any:
    key = str(params.get("id", ""))
    if not key:
        raise ActionError("id: required.", "id")
    agency = selectors.agency_by_id(agency_id_from_name(key))
    if agency is None:
        raise NotFound("Not found: organization")
    datasets = selectors.visible_datasets(actor).filter(agency=agency)
    result = organization_dict(agency, package_count=datasets.count())
    if _bool(params, "include_datasets", False):
        result["packages"] = [package_dict(d, request) for d in selectors.with_catalogue(datasets, actor)[:1000]]
    return result


def group_list(request: HttpRequest, params: dict[str, Any], actor: Actor) -> Any:
    counts = dict(selectors.visible_datasets(actor).values("topic").annotate(n=Count("pk")).values_list("topic", "n"))
    topics = [t for t, _label in Topic.choices if t in counts]
    if _bool(params, "all_fields", False):
        return [group_dict(t, counts[t]) for t in topics]
    return topics


def tag_list(request: HttpRequest, params: dict[str, Any], actor: Actor) -> Any:
    tags = selectors.visible_tags(actor)
    q = str(params.get("query", "") or "")
    if q:
        tags = tags.filter(name__icontains=q)
    names = list(tags.values_list("name", flat=True))
    if _bool(params, "all_fields", False):
        return [{"id": n, "name": n, "display_name": n} for n in names]
    return names


def _resource(actor: Actor, resource_id: str) -> Any:
    if not resource_id:
        raise ActionError("resource_id: required.", "resource_id")
    resource = selectors.visible_resource(actor, resource_id)
    if resource is None:
        raise NotFound("Not found: resource")
    return resource


def resource_show(request: HttpRequest, params: dict[str, Any], actor: Actor) -> Any:
    resource = _resource(actor, str(params.get("id", "")))
    version = resource.version
    return resource_dict(resource, version, version.dataset, request, 0)


def datastore_search(request: HttpRequest, params: dict[str, Any], actor: Actor) -> Any:
    resource = _resource(actor, str(params.get("resource_id", "") or params.get("id", "")))
    table = selectors.table_for(resource, actor=actor)
    filters = _json_param(params, "filters") or {}
    if not isinstance(filters, dict):
        raise ActionError("filters: must be a JSON object of column: value.", "filters")
    q = _json_param(params, "q")
    fields = _list_param(params, "fields") or None
    sort = params.get("sort")
    if isinstance(sort, list):
        sort = ",".join(str(s) for s in sort)
    result = query.search(
        table,
        filters=filters,
        q=q,
        fields=fields,
        sort=str(sort) if sort else None,
        limit=_int(params, "limit", 100, maximum=getattr(settings, "OPENDATA_ROWS_MAX", 32000)),
        offset=_int(params, "offset", 0),
        include_total=_bool(params, "include_total", True),
        distinct=_bool(params, "distinct", False),
    )
    result["resource_id"] = str(resource.uuid)
    result["_links"] = {"start": reverse("opendata:ckan_action", args=["datastore_search"])}
    return result


def datastore_search_sql(request: HttpRequest, params: dict[str, Any], actor: Actor) -> Any:
    sql = params.get("sql")
    if not isinstance(sql, str):
        raise ActionError("sql: required.", "sql")
    return query.run_sql(
        sql,
        lambda names: selectors.tables_for(actor, names),
        row_limit=getattr(settings, "OPENDATA_SQL_ROWS_MAX", SQL_ROW_LIMIT),
    )


def status_show(request: HttpRequest, params: dict[str, Any], actor: Actor) -> Any:
    import duckdb

    return {
        "site_title": "Etam Satu Data Kalimantan Timur",
        "site_url": request.build_absolute_uri("/"),
        "site_description": "Satu Data Kalimantan Timur",
        "ckan_version": "2.10.0",
        "api_version": 3,
        "locale_default": "id",
        "extensions": ["datastore", "dcat", "etam"],
        "etam": {"duckdb": duckdb.__version__},
    }


ACTIONS: dict[str, Callable[[HttpRequest, dict[str, Any], Any], Any]] = {
    "package_list": package_list,
    "package_search": package_search,
    "package_show": package_show,
    "organization_list": organization_list,
    "organization_show": organization_show,
    "group_list": group_list,
    "tag_list": tag_list,
    "resource_show": resource_show,
    "datastore_search": datastore_search,
    "datastore_search_sql": datastore_search_sql,
    "status_show": status_show,
}


def _handler(name: str) -> Callable[[HttpRequest, dict[str, Any], Any], Any] | None:
    from etam.opendata.ckan_write import ACTIONS as WRITE_ACTIONS

    return ACTIONS.get(name) or WRITE_ACTIONS.get(name)


def _run(
    name: str, handler: Callable[[HttpRequest, dict[str, Any], Any], Any], request: HttpRequest, actor: Any
) -> Any:
    """Run an action; a write runs in one transaction, so a refusal leaves nothing changed."""
    from django.db import transaction

    from etam.opendata.ckan_write import WRITES

    if name not in WRITES:
        return handler(request, _params(request), actor)
    if request.method != "POST":
        raise MethodNotAllowed(f"{name}: use POST for this action.")
    with transaction.atomic():
        return handler(request, _params(request), actor)


def _envelope(request: HttpRequest, name: str, body: dict[str, Any], status: int = 200) -> JsonResponse:
    help_url = request.build_absolute_uri(reverse("opendata:ckan_help", args=[name])) if _handler(name) else ""
    response = JsonResponse({"help": help_url, **body}, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@csrf_exempt
def action(request: HttpRequest, name: str) -> JsonResponse:
    if request.method not in ("GET", "POST"):
        return _envelope(
            request,
            name,
            {"success": False, "error": {"__type": "Validation Error", "message": "Use GET or POST."}},
            405,
        )
    handler = _handler(name)
    if handler is None:
        return _envelope(
            request,
            name,
            {"success": False, "error": {"__type": "Not Found Error", "message": f"Action name not known: {name}"}},
            400,
        )
    try:
        try:
            actor = _caller(request)
        except NotAuthorized:
            _throttle(request, None)  # a wrong token counts against the address
            raise
        _throttle(request, actor)
        try:
            result = _run(name, handler, request, actor)
        except query.QueryBusy as exc:  # no free SQL slot: the same 429 as an exhausted budget
            raise Throttled(exc.message, exc.retry_after) from exc
    except query.QueryError as exc:
        error: dict[str, Any] = {"__type": "Validation Error", "message": exc.message}
        if exc.field:
            error[exc.field] = [exc.message]
        return _envelope(request, name, {"success": False, "error": error}, 409)
    except DjangoValidationError as exc:
        from etam.opendata.ckan_write import ckan_error

        return _envelope(request, name, {"success": False, "error": ckan_error(exc)}, 409)
    except PermissionDenied as exc:
        denied = {"__type": "Authorization Error", "message": str(exc) or "Not authorised."}
        return _envelope(request, name, {"success": False, "error": denied}, 403)
    except ActionError as exc:
        action_error: dict[str, Any] = {"__type": exc.kind, "message": exc.message}
        if exc.field:
            action_error[exc.field] = [exc.message]
        response = _envelope(
            request, name, {"success": False, "error": action_error}, exc.status if exc.status != 400 else 409
        )
        if isinstance(exc, Throttled):
            response["Retry-After"] = str(exc.retry_after)
        return response
    return _envelope(request, name, {"success": True, "result": result})


def action_help(request: HttpRequest, name: str) -> JsonResponse:
    handler = _handler(name)
    doc = (handler.__doc__ or "") if handler else ""
    return JsonResponse({"help": "", "success": True, "result": doc or f"CKAN action {name} (see docs.ckan.org)."})
