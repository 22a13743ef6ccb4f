"""DCAT (rdflib) and Frictionless datapackage output."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from frictionless import Package, Resource, Schema
from rdflib import Graph
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF

pytestmark = pytest.mark.django_db


def test_catalogue_parses_as_dcat_with_sdi_metadata(client, published):
    dataset = published()
    for fmt, parser in (("ttl", "turtle"), ("jsonld", "json-ld")):
        response = client.get(reverse("opendata:catalog", args=[fmt]))
        graph = Graph().parse(data=response.content.decode(), format=parser)
        catalog = next(graph.subjects(RDF.type, DCAT.Catalog))
        datasets = list(graph.objects(catalog, DCAT.dataset))
        assert len(datasets) == 1
        ds = datasets[0]
        assert str(graph.value(ds, DCTERMS.title)) == dataset.title
        assert str(graph.value(ds, DCTERMS.accrualPeriodicity)).endswith("/ANNUAL")
        assert graph.value(ds, DCTERMS.license) is not None
        activity = graph.value(ds, PROV.wasGeneratedBy)
        assert (activity, RDF.type, PROV.Activity) in graph
        distributions = list(graph.objects(ds, DCAT.distribution))
        assert len(distributions) == 4
        assert all(graph.value(d, DCAT.downloadURL) for d in distributions)


def test_datapackage_validates_with_frictionless(client, published):
    published()
    descriptor = client.get(reverse("opendata:datapackage", args=["penduduk"])).json()
    report = Package.validate_descriptor(descriptor)
    assert report.valid, report.flatten(["type", "note"])
    fields = {f["name"]: f["type"] for f in descriptor["resources"][0]["schema"]["fields"]}
    assert fields == {
        "kode_wilayah": "string",
        "nama": "string",
        "tahun": "year",
        "penduduk": "integer",
        "luas_km2": "number",
    }
    # The CSV download validates against the advertised schema.
    body = b"".join(client.get(reverse("opendata:download", args=["penduduk", 1, "csv"])).streaming_content)
    text = body.decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == list(fields)
    resource = Resource(
        data=list(csv.reader(io.StringIO(text))), schema=Schema.from_descriptor(descriptor["resources"][0]["schema"])
    )
    assert resource.validate().valid


def test_per_dataset_dcat(client, published):
    published()
    graph = Graph().parse(
        data=client.get(reverse("opendata:dataset_dcat", args=["penduduk", "ttl"])).content, format="turtle"
    )
    assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) == 1
