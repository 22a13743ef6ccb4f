"""Standards out: DCAT-AP (JSON-LD and Turtle, built with rdflib) and Frictionless
Data Package descriptors.

SDI metadata goes where DCAT has a place for it: the MS-Keg activity as
``prov:wasGeneratedBy`` (a ``prov:Activity``), the update frequency as
``dct:accrualPeriodicity`` (EU frequency vocabulary), spatial coverage as
``dct:spatial``, temporal coverage as ``dct:temporal``, each published version as a
distribution with ``dcat:version`` and ``adms:versionNotes``, and the MS-Var data
dictionary as a CSV on the Web table schema (``csvw:tableSchema``) on the distribution.
Indicators (MS-Ind) become ``dqv:hasQualityMeasurement``-free descriptions via
``dct:subject`` nodes with their definition and unit.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from etam.opendata import selectors
from etam.opendata.models import Dataset, Frequency

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
CSVW = Namespace("http://www.w3.org/ns/csvw#")
EU_FREQ = Namespace("http://publications.europa.eu/resource/authority/frequency/")
EU_FORMAT = Namespace("http://publications.europa.eu/resource/authority/file-type/")
SDI = Namespace("https://data.go.id/ns/sdi#")

FREQUENCY_URIS = {
    Frequency.DAILY: EU_FREQ.DAILY,
    Frequency.WEEKLY: EU_FREQ.WEEKLY,
    Frequency.MONTHLY: EU_FREQ.MONTHLY,
    Frequency.QUARTERLY: EU_FREQ.QUARTERLY,
    Frequency.SEMIANNUAL: EU_FREQ.ANNUAL_2,
    Frequency.ANNUAL: EU_FREQ.ANNUAL,
    Frequency.IRREGULAR: EU_FREQ.IRREG,
    Frequency.NEVER: EU_FREQ.NEVER,
}
XSD_TYPES = {
    "string": "string",
    "integer": "integer",
    "number": "double",
    "boolean": "boolean",
    "date": "date",
    "year": "gYear",
}
FORMATS = {
    "csv": ("CSV", "text/csv"),
    "json": ("JSON", "application/json"),
    "xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "parquet": ("PARQUET", "application/vnd.apache.parquet"),
}


def _graph() -> Graph:
    graph = Graph()
    for prefix, ns in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("prov", PROV),
        ("vcard", VCARD),
        ("adms", ADMS),
        ("csvw", CSVW),
        ("skos", SKOS),
        ("sdi", SDI),
    ):
        graph.bind(prefix, ns)
    return graph


def _readable(version: Any, request: HttpRequest | None) -> list[Any]:
    """The columns of ``version`` the caller may read (``column_list`` from
    ``with_catalogue`` is already projected; an empty list stays empty)."""
    columns = getattr(version, "column_list", None)
    if columns is None:
        columns = selectors.readable_columns(getattr(request, "user", None), version)
    return list(columns)


def add_dataset(graph: Graph, dataset: Dataset, request: HttpRequest) -> URIRef:
    """Add one dataset (loaded with ``selectors.with_catalogue``) to ``graph``."""
    base = request.build_absolute_uri("/")
    uri = URIRef(request.build_absolute_uri(reverse("opendata:dataset", args=[dataset.slug])))
    graph.add((uri, RDF.type, DCAT.Dataset))
    graph.add((uri, DCTERMS.identifier, Literal(str(dataset.uuid))))
    graph.add((uri, DCTERMS.title, Literal(dataset.title, lang="id")))
    graph.add((uri, DCTERMS.description, Literal(dataset.description, lang="id")))
    graph.add((uri, DCTERMS.issued, Literal(dataset.created_at.isoformat(), datatype=XSD.dateTime)))
    graph.add((uri, DCTERMS.modified, Literal(dataset.updated_at.isoformat(), datatype=XSD.dateTime)))
    graph.add((uri, DCAT.landingPage, uri))
    graph.add(
        (
            uri,
            DCTERMS.accessRights,
            URIRef(
                "http://publications.europa.eu/resource/authority/access-right/"
                + ("PUBLIC" if dataset.access == "public" else "RESTRICTED")
            ),
        )
    )
    agency = dataset.agency
    publisher = URIRef(f"{base}organisasi/{agency.institution.region_code}/{agency.code.lower()}")
    graph.add((uri, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, Literal(agency.name, lang="id")))
    graph.add((publisher, DCTERMS.isPartOf, Literal(agency.institution.name, lang="id")))
    contact = BNode()
    graph.add((uri, DCAT.contactPoint, contact))
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(dataset.contact_name)))
    graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{dataset.contact_email}")))
    theme = URIRef(f"{base}data/?groups={dataset.topic}")
    graph.add((uri, DCAT.theme, theme))
    graph.add((theme, RDF.type, SKOS.Concept))
    graph.add((theme, SKOS.prefLabel, Literal(str(dataset.get_topic_display()), lang="id")))
    for tag in dataset.tags.all():
        graph.add((uri, DCAT.keyword, Literal(tag.name, lang="id")))
    if dataset.licence_url:
        graph.add((uri, DCTERMS.license, URIRef(dataset.licence_url)))
    graph.add((uri, DCTERMS.accrualPeriodicity, FREQUENCY_URIS.get(dataset.update_frequency, EU_FREQ.UNKNOWN)))  # type: ignore[call-overload]
    spatial = BNode()
    graph.add((uri, DCTERMS.spatial, spatial))
    graph.add((spatial, RDF.type, DCTERMS.Location))
    graph.add((spatial, DCTERMS.identifier, Literal(dataset.spatial_code)))
    graph.add((spatial, SDI.tingkatWilayah, Literal(dataset.spatial_level)))
    if dataset.temporal_start or dataset.temporal_end:
        period = BNode()
        graph.add((uri, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if dataset.temporal_start:
            graph.add((period, DCAT.startDate, Literal(dataset.temporal_start.isoformat(), datatype=XSD.date)))
        if dataset.temporal_end:
            graph.add((period, DCAT.endDate, Literal(dataset.temporal_end.isoformat(), datatype=XSD.date)))
    activity = getattr(dataset, "activity", None)
    if activity is not None:
        node = URIRef(f"{uri}#kegiatan")
        graph.add((uri, PROV.wasGeneratedBy, node))
        graph.add((node, RDF.type, PROV.Activity))
        graph.add((node, DCTERMS.title, Literal(activity.activity_title, lang="id")))
        if activity.activity_code:
            graph.add((node, DCTERMS.identifier, Literal(activity.activity_code)))
        if activity.year:
            graph.add((node, SDI.tahun, Literal(activity.year, datatype=XSD.gYear)))
        graph.add((node, SDI.jenisStatistik, Literal(activity.statistic_type)))
        graph.add((node, SDI.caraPengumpulanData, Literal(activity.collection_method)))
        for field, prop in (
            ("sector", SDI.sektorKegiatan),
            ("responsible_unit", SDI.penanggungJawab),
            ("coverage_area", SDI.cakupanWilayah),
            ("sample_design", SDI.jenisRancanganSampel),
            ("quality_checks", SDI.pemeriksaanKualitas),
            ("processing_stages", SDI.tahapanPengolahan),
            ("presentation_level", SDI.tingkatPenyajian),
        ):
            value = getattr(activity, field)
            if value:
                graph.add((node, prop, Literal(value, lang="id")))
    for indicator in dataset.indicators.all():
        if not indicator.is_public:
            continue
        indicator_node = BNode()
        node = indicator_node  # type: ignore[assignment]
        graph.add((uri, SDI.indikator, node))
        graph.add((node, RDF.type, SDI.Indikator))
        graph.add((node, RDFS.label, Literal(indicator.name, lang="id")))
        graph.add((node, SKOS.definition, Literal(indicator.definition, lang="id")))
        if indicator.unit:
            graph.add((node, SDI.satuan, Literal(indicator.unit)))
        if indicator.method:
            graph.add((node, SDI.metodePerhitungan, Literal(indicator.method, lang="id")))
    for version in getattr(dataset, "published_versions", []):
        resource = getattr(version, "resource", None)
        if resource is None:
            continue
        graph.add(
            (
                uri,
                DCAT.version if version.pk == dataset.published_version_id else DCTERMS.hasVersion,
                Literal(str(version.number)),
            )
        )
        for fmt, (label, media) in FORMATS.items():
            dist = URIRef(
                request.build_absolute_uri(reverse("opendata:download", args=[dataset.slug, version.number, fmt]))
            )
            graph.add((uri, DCAT.distribution, dist))
            graph.add((dist, RDF.type, DCAT.Distribution))
            graph.add((dist, DCTERMS.title, Literal(f"{dataset.title} — versi {version.number} ({label})", lang="id")))
            graph.add((dist, DCAT.accessURL, uri))
            graph.add((dist, DCAT.downloadURL, dist))
            graph.add((dist, DCTERMS.format, EU_FORMAT[label]))
            graph.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media}")))
            graph.add((dist, DCAT.version, Literal(str(version.number))))
            if version.change_note:
                graph.add((dist, ADMS.versionNotes, Literal(version.change_note, lang="id")))
            if version.published_at:
                graph.add((dist, DCTERMS.issued, Literal(version.published_at.isoformat(), datatype=XSD.dateTime)))
            if dataset.licence_url:
                graph.add((dist, DCTERMS.license, URIRef(dataset.licence_url)))
            if fmt == "parquet":
                graph.add((dist, DCAT.byteSize, Literal(resource.size_bytes, datatype=XSD.nonNegativeInteger)))
                graph.add((dist, SDI.checksumSha256, Literal(resource.sha256)))
            if fmt == "csv" and version.pk == dataset.published_version_id:
                schema = BNode()
                graph.add((dist, CSVW.tableSchema, schema))
                for column in _readable(version, request):
                    col = BNode()
                    graph.add((schema, CSVW.column, col))
                    graph.add((col, CSVW.name, Literal(column.name)))
                    graph.add((col, CSVW.titles, Literal(column.title or column.name, lang="id")))
                    graph.add((col, CSVW.datatype, XSD[XSD_TYPES[column.type]]))
                    if column.definition:
                        graph.add((col, DCTERMS.description, Literal(column.definition, lang="id")))
                    if column.unit:
                        graph.add((col, SDI.satuan, Literal(column.unit)))
                    if column.reference:
                        graph.add((col, SDI.kodeReferensi, Literal(column.reference)))
    return uri


def catalog_graph(request: HttpRequest) -> Graph:
    graph = _graph()
    catalog = URIRef(request.build_absolute_uri(reverse("opendata:catalog", args=["jsonld"])))
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal("Satu Data Kalimantan Timur (Etam)", lang="id")))
    graph.add(
        (
            catalog,
            DCTERMS.description,
            Literal("Katalog data terbuka Pemerintah Provinsi Kalimantan Timur dan kabupaten/kota.", lang="id"),
        )
    )
    graph.add((catalog, DCTERMS.language, URIRef("http://publications.europa.eu/resource/authority/language/IND")))
    graph.add((catalog, FOAF.homepage, URIRef(request.build_absolute_uri(reverse("opendata:search")))))
    publisher = URIRef(request.build_absolute_uri("/"))
    graph.add((catalog, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, Literal("Pemerintah Provinsi Kalimantan Timur", lang="id")))
    for dataset in selectors.with_catalogue(selectors.visible_datasets(request.user), request.user).order_by("slug"):
        graph.add((catalog, DCAT.dataset, add_dataset(graph, dataset, request)))
    return graph


def _serialise(graph: Graph, fmt: str) -> HttpResponse:
    if fmt == "ttl":
        return HttpResponse(graph.serialize(format="turtle"), content_type="text/turtle; charset=utf-8")
    return HttpResponse(graph.serialize(format="json-ld", auto_compact=True), content_type="application/ld+json")


def catalog_view(request: HttpRequest, fmt: str) -> HttpResponse:
    return _serialise(catalog_graph(request), fmt)


def dataset_view(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    dataset = selectors.visible_dataset(request.user, slug)
    if dataset is None:
        raise Http404
    graph = _graph()
    add_dataset(graph, dataset, request)
    return _serialise(graph, fmt)


def datapackage(dataset: Dataset, request: HttpRequest) -> dict[str, Any]:
    """Frictionless Data Package descriptor of the current published version."""
    version = dataset.published_version
    assert version is not None
    columns = _readable(version, request)
    fields: list[dict[str, Any]] = []
    for column in columns:
        field: dict[str, Any] = {"name": column.name, "type": column.type}
        if column.title:
            field["title"] = column.title
        description = " ".join(p for p in (column.definition, f"Satuan: {column.unit}" if column.unit else "") if p)
        if description:
            field["description"] = description
        constraints: dict[str, Any] = {}
        if column.required:
            constraints["required"] = True
        if column.minimum is not None:
            constraints["minimum"] = (
                int(column.minimum) if column.type in ("integer", "year") else float(column.minimum)
            )
        if column.maximum is not None:
            constraints["maximum"] = (
                int(column.maximum) if column.type in ("integer", "year") else float(column.maximum)
            )
        if column.type == "boolean":
            field["trueValues"], field["falseValues"] = ["true"], ["false"]
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    csv_url = request.build_absolute_uri(reverse("opendata:download", args=[dataset.slug, version.number, "csv"]))
    descriptor: dict[str, Any] = {
        "name": dataset.slug,
        "id": str(dataset.uuid),
        "title": dataset.title,
        "description": dataset.description,
        "version": f"{version.number}.0.0",
        "homepage": request.build_absolute_uri(reverse("opendata:dataset", args=[dataset.slug])),
        "keywords": [t.name for t in dataset.tags.all()],
        "created": dataset.created_at.isoformat(timespec="seconds"),
        "licenses": [{"name": dataset.licence, "path": dataset.licence_url, "title": dataset.get_licence_display()}],
        "contributors": [
            {"title": dataset.agency.name, "role": "publisher"},
            {"title": dataset.contact_name, "email": dataset.contact_email, "role": "maintainer"},
        ],
        "resources": [
            {
                "name": dataset.slug,
                "path": csv_url,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "profile": "tabular-data-resource",
                "schema": {"fields": fields},
            }
        ],
        "sdi": {
            "spatial": {"kode_wilayah": dataset.spatial_code, "tingkat": dataset.spatial_level},
            "temporal": {
                "start": dataset.temporal_start.isoformat() if dataset.temporal_start else None,
                "end": dataset.temporal_end.isoformat() if dataset.temporal_end else None,
            },
            "frekuensi": dataset.update_frequency,
        },
    }
    activity = getattr(dataset, "activity", None)
    if activity is not None:
        descriptor["sdi"]["ms_keg"] = {
            "judul_kegiatan": activity.activity_title,
            "id_mskeg": activity.activity_code,
            "tahun": activity.year,
            "jenis_statistik": activity.statistic_type,
            "cara_pengumpulan_data": activity.collection_method,
        }
    descriptor["sdi"]["ms_ind"] = [
        {"nama_indikator": i.name, "definisi": i.definition, "satuan": i.unit, "metode_perhitungan": i.method}
        for i in dataset.indicators.all()
        if i.is_public
    ]
    return descriptor


def datapackage_view(request: HttpRequest, slug: str) -> JsonResponse:
    dataset = selectors.visible_dataset(request.user, slug)
    if dataset is None:
        raise Http404
    return JsonResponse(datapackage(dataset, request), json_dumps_params={"ensure_ascii": False, "indent": 1})
