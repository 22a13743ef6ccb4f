"""Public Satu Data pages (``/data/``) and downloads. Thin: selectors, query, render."""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from etam.core import exports
from etam.core.bounds import clamp_page
from etam.opendata import charts, parquetstore, query, selectors
from etam.opendata.models import Dataset, DatasetVersion, VersionStatus

XLSX_MAX_ROWS = 1_048_575
PAGE_SIZE = 10


AGGREGATE_LABELS = {
    "count": gettext_lazy("number of rows"),
    "sum": gettext_lazy("sum"),
    "avg": gettext_lazy("average"),
    "min": gettext_lazy("minimum"),
    "max": gettext_lazy("maximum"),
}


def ckan_root(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"version": 3})


def ckan_openapi(request: HttpRequest) -> JsonResponse:
    """OpenAPI 3 description of the CKAN action subset (docs/api/ckan-openapi.json)."""
    from etam.opendata.ckan_openapi import schema

    response = JsonResponse(schema(), json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _filters_from(request: HttpRequest) -> dict[str, list[str]]:
    return {key: [v for v in request.GET.getlist(key) if v] for key in selectors.FACETS if request.GET.getlist(key)}


def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    filters = _filters_from(request)
    page_number = clamp_page(request.GET.get("page"))
    result = selectors.search_datasets(
        request.user, q=q, filters=filters, rows=PAGE_SIZE, start=(page_number - 1) * PAGE_SIZE
    )
    facet_titles = {
        "organization": _("Data producer"),
        "groups": _("Topic"),
        "tags": _("Tag"),
        "res_format": _("Format"),
        "kabkota": _("Regency/city"),
    }
    facets = []
    for name, items in result.facets.items():
        entries = []
        for value, label, count in items[:12]:
            chosen = value in filters.get(name, [])
            params = [(k, v) for k in filters for v in filters[k] if not (k == name and v == value)]
            if not chosen:
                params.append((name, value))
            if q:
                params.append(("q", q))
            entries.append({"label": label, "count": count, "chosen": chosen, "url": "?" + urlencode(params)})
        if entries:
            facets.append({"title": facet_titles[name], "entries": entries})
    pages = max(1, -(-result.count // PAGE_SIZE))
    if page_number > pages:  # past the end (or past the bound): the last page
        page_number = pages
        result = selectors.search_datasets(
            request.user, q=q, filters=filters, rows=PAGE_SIZE, start=(page_number - 1) * PAGE_SIZE
        )
    base_params = [(k, v) for k in filters for v in filters[k]] + ([("q", q)] if q else [])
    return render(
        request,
        "opendata/search.html",
        {
            "q": q,
            "result": result,
            "facets": facets,
            "page": page_number,
            "pages": pages,
            "prev_url": "?" + urlencode([*base_params, ("page", page_number - 1)]) if page_number > 1 else "",
            "next_url": "?" + urlencode([*base_params, ("page", page_number + 1)]) if page_number < pages else "",
        },
    )


def _dataset_or_404(request: HttpRequest, slug: str) -> Dataset:
    dataset = selectors.visible_dataset(request.user, slug)
    if dataset is None:
        raise Http404
    return dataset


def _chart_choices(columns: list[Any]) -> tuple[list[str], list[str]]:
    dims = [c.name for c in columns if c.type in ("string", "year", "date", "boolean", "integer")]
    measures = [c.name for c in columns if c.type in ("integer", "number")]
    return dims, measures


def _chart_params(request: HttpRequest, columns: list[Any]) -> dict[str, str]:
    dims, measures = _chart_choices(columns)
    names = [c.name for c in columns]
    default_x = next((c.name for c in columns if c.type == "string" and not c.reference), dims[0] if dims else "")
    x = request.GET.get("x", default_x)
    y = request.GET.get("y", measures[-1] if measures else "")
    if y not in measures:
        y = measures[-1] if measures else ""
    by_name = {c.name: c for c in columns}
    agg = request.GET.get("agg") or charts.default_aggregate(by_name.get(y))
    kind = request.GET.get("kind", "bar")
    if x not in names:
        x = default_x
    if y not in measures:
        y = measures[-1] if measures else ""
    if agg not in query.AGGREGATES or (agg != "count" and not y):
        agg = "count"
    if kind not in ("bar", "line"):
        kind = "bar"
    return {"x": x, "y": y, "agg": agg, "kind": kind}


CHART_GROUPS = 40


def _chart(dataset: Dataset, table: query.Table, params: dict[str, str]) -> tuple[str, str]:
    """The chart's SVG and, when it shows only the first ``CHART_GROUPS`` groups, a caption
    saying so ("40 dari 105"), also written into the chart's title."""
    if not params["x"]:
        return "", ""
    metric = ("count", "*") if params["agg"] == "count" else (params["agg"], params["y"])
    result = query.aggregate(table, group_by=[params["x"]], metrics=[metric], limit=CHART_GROUPS, count_groups=True)
    label = result["metrics"][0]
    labels = [str(r[params["x"]]) for r in result["records"]]
    values = [r[label] for r in result["records"]]
    caption = ""
    if result["groups"] > len(labels):
        caption = _("The chart shows %(shown)s of %(total)s groups of %(column)s (the first in order).") % {
            "shown": len(labels),
            "total": charts.grouped(result["groups"]),
            "column": params["x"],
        }
    title = f"{dataset.title}: {params['agg']}({params['y'] or '*'}) / {params['x']}"
    if caption:
        title = f"{title}. {caption}"
    return charts.bar_or_line(labels, values, kind=params["kind"], title=title), caption


def _published(request: HttpRequest, slug: str) -> tuple[Any, Any, list[Any]]:
    """A visible dataset, its published version and that version's columns (the public pages read only these)."""
    item = _dataset_or_404(request, slug)
    version = item.published_version
    assert version is not None
    return item, version, getattr(version, "column_list", [])


def _region_column(columns: list[Any]) -> str:
    return next((c.name for c in columns if c.reference == "kode_wilayah"), "")


def dataset(request: HttpRequest, slug: str) -> HttpResponse:
    item, version, columns = _published(request, slug)
    table = selectors.table_for(version.resource, columns, actor=request.user)
    columns = [c for c in columns if c.name in table.names]
    preview = query.search(table, limit=10, include_total=False, fields=table.names)
    types = {c.name: c.type for c in columns}
    rows = [{k: charts.format_cell(v, types.get(k, "")) for k, v in r.items()} for r in preview["records"]]
    params = _chart_params(request, columns)
    chart_svg, chart_caption = _chart(item, table, params)
    dims, measures = _chart_choices(columns)
    region_column = _region_column(columns)
    map_url = ""
    if region_column:
        map_params = {"col": region_column, "y": params["y"], "agg": params["agg"]}
        map_url = reverse("opendata:map_svg", args=[item.slug]) + "?" + urlencode(map_params)
    return render(
        request,
        "opendata/dataset.html",
        {
            "dataset": item,
            "version": version,
            "columns": columns,
            "preview": rows,
            "chart_svg": chart_svg,
            "chart_caption": chart_caption,
            "chart": params,
            "dims": dims,
            "measures": measures,
            "aggregates": [(a, AGGREGATE_LABELS.get(a, a)) for a in query.AGGREGATES],
            "map_url": map_url,
            "region_column": region_column,
            "versions": getattr(item, "published_versions", []),
            "ckan_url": reverse("opendata:ckan_action", args=["package_show"]) + f"?id={item.slug}",
        },
    )


def chart_svg(request: HttpRequest, slug: str) -> HttpResponse:
    item, version, columns = _published(request, slug)
    table = selectors.table_for(version.resource, columns, actor=request.user)
    svg, _caption = _chart(item, table, _chart_params(request, columns))
    return HttpResponse(svg, content_type="image/svg+xml")


def map_svg(request: HttpRequest, slug: str) -> HttpResponse:
    item, version, columns = _published(request, slug)
    column = request.GET.get("col", _region_column(columns))
    if column not in [c.name for c in columns if c.reference == "kode_wilayah"]:
        raise Http404
    params = _chart_params(request, columns)
    metric = ("count", "*") if params["agg"] == "count" else (params["agg"], params["y"])
    table = selectors.table_for(version.resource, columns, actor=request.user)
    result = query.aggregate(table, group_by=[column], metrics=[metric], limit=5000)
    label = result["metrics"][0]
    values = {str(r[column]): r[label] for r in result["records"] if r[column]}
    # Draw the level the codes are at: kab/kota (64.xx) or kecamatan (64.xx.xx).
    kecamatan = any(code.count(".") >= 2 for code in values)
    level = "kecamatan" if kecamatan else "kabupaten_kota"
    if kecamatan:
        values = {code[:8]: value for code, value in values.items() if code.count(".") == 2}
    shapes = selectors.region_shapes(level)
    title = f"{item.title}: {params['agg']}({params['y'] or '*'}) per {column}"
    response = HttpResponse(charts.choropleth(shapes, values, title=title), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"
    return response


# ---------------------------------------------------------------------------- downloads


def _published_version(request: HttpRequest, slug: str, number: int) -> tuple[Dataset, DatasetVersion]:
    item = _dataset_or_404(request, slug)
    for version in getattr(item, "published_versions", []):
        if version.number == number and version.status == VersionStatus.PUBLISHED:
            return item, version
    raise Http404


def _csv_stream(table: query.Table) -> Iterator[bytes]:
    yield b"\xef\xbb\xbf"  # BOM so that Excel reads UTF-8
    first = True
    names = exports.safe_row(table.names)  # a column name can look like a formula too
    for batch in query.iter_rows(table):
        buffer = io.BytesIO()
        safe = exports.neutralise_arrow_batch(batch)
        if names != table.names:
            safe = pa.RecordBatch.from_arrays(safe.columns, names=names)
        pacsv.write_csv(safe, buffer, write_options=pacsv.WriteOptions(include_header=first))
        first = False
        yield buffer.getvalue()
    if first:
        yield (",".join(names) + "\n").encode()


def _json_stream(table: query.Table, dataset: Dataset, version: DatasetVersion) -> Iterator[bytes]:
    head = {
        "dataset": dataset.slug,
        "version": version.number,
        "fields": [{"name": n, "type": t} for n, t in table.columns],
    }
    yield (json.dumps(head, ensure_ascii=False)[:-1] + ', "records": [').encode()
    first = True
    for batch in query.iter_rows(table):
        rows = [{k: query.json_value(v) for k, v in row.items()} for row in batch.to_pylist()]
        if not rows:
            continue
        chunk = ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
        yield ((",\n" if not first else "\n") + chunk).encode()
        first = False
    yield b"\n]}\n"


def _projected_parquet(stored: pq.ParquetFile, columns: list[str]) -> Any:
    """A copy of the stored Parquet with only ``columns``, written batch by batch to a
    temporary file (FileResponse closes it)."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    schema = pa.schema([stored.schema_arrow.field(name) for name in columns])
    with pq.ParquetWriter(spool, schema) as writer:
        for batch in stored.iter_batches(columns=columns):
            writer.write_batch(batch)
    spool.seek(0)
    return spool


def download(request: HttpRequest, slug: str, number: int, fmt: str) -> HttpResponseBase:
    item, version = _published_version(request, slug, number)
    resource = version.resource
    name = f"{item.slug}-v{version.number}"
    # Only the columns this caller may read (ADR 0071); the stored file may hold more.
    columns = selectors.readable_columns(request.user, version)
    table = selectors.table_for(resource, columns, actor=request.user)
    if fmt == "parquet":
        stored = pq.ParquetFile(parquetstore.local_file(str(resource.file.name)))
        projected = [query.ROW_ID, *table.names]
        if stored.schema_arrow.names == projected:
            source: Any = resource.file.open("rb")
        else:
            source = _projected_parquet(stored, projected)
        response: HttpResponseBase = FileResponse(
            source,
            as_attachment=True,
            filename=f"{name}.parquet",
            content_type="application/vnd.apache.parquet",
        )
        return response
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_stream(table), content_type="text/csv; charset=utf-8")
    elif fmt == "json":
        response = StreamingHttpResponse(_json_stream(table, item, version), content_type="application/json")
    elif fmt == "xlsx":
        if resource.row_count > XLSX_MAX_ROWS:
            return HttpResponse(
                _("This table has more rows than Excel can hold; download CSV or Parquet instead."), status=409
            )
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title="data")
        sheet.append(exports.safe_row(table.names))
        for batch in query.iter_rows(table):
            columns_py = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            for row in zip(*columns_py, strict=True):
                sheet.append(exports.safe_row(row))
        spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        workbook.save(spool)
        spool.seek(0)
        response = FileResponse(
            spool,
            as_attachment=True,
            filename=f"{name}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        return response
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
