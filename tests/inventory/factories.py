"""Factories for inventory tests."""

from __future__ import annotations

import factory

from etam.inventory.models import Application, DataCentre, NationalApplication, NetworkLink
from tests.factories import AgencyFactory


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    agency = factory.SubFactory(AgencyFactory)
    institution = factory.LazyAttribute(lambda o: o.agency.institution)
    name = factory.Sequence(lambda n: f"Aplikasi Uji {n}")
    purpose = factory.Sequence(lambda n: f"Pengelolaan urusan nomor {n} untuk pengujian")
    kind = "khusus"
    lifecycle = "produksi"
    hosting = "pusat_data_sendiri"


class DataCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataCentre

    institution = factory.LazyAttribute(lambda o: AgencyFactory().institution)
    name = factory.Sequence(lambda n: f"Ruang Server {n}")
    kind = "ruang_server"
    status = "operasional"


class NetworkLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetworkLink

    name = factory.Sequence(lambda n: f"Link {n}")
    endpoint_a = "Kantor Gubernur"
    endpoint_b = "Diskominfo"
    bandwidth_mbps = 100
    provider = "Telkom"


def national(code: str) -> NationalApplication:
    return NationalApplication.objects.get(code=code)


def application_fields(agency, agency_key: str = "agency", **typed) -> dict:
    """A new application's fields as a client sends them (the HTML form names the OPD ``agency``,
    the API ``agency_id``), ``typed`` over the defaults; a ``None`` leaves the field out."""
    fields = {agency_key: agency.pk, "name": "Aplikasi Baru", "purpose": "Naskah dinas", "kind": "umum", **typed}
    return {key: value for key, value in fields.items() if value is not None}
