from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from etam.core.models import AuditEvent
from etam.evaluation import exchange, services
from etam.evaluation.loader import load_frameworks
from etam.evaluation.models import Framework, Indicator, PredicateBand
from etam.evaluation.services.frameworks import freeze_in_use


def test_loader_builds_59_2020_from_the_csvs(framework):
    assert framework.status == Framework.Status.PUBLISHED
    assert framework.domains.count() == 4
    assert framework.aspects.count() == 8
    assert framework.indicators.count() == 47
    assert sum(i.weight for i in framework.indicators.all()) == Decimal("100")
    weights = {i.number: i.weight for i in framework.indicators.all()}
    assert (weights[1], weights[11], weights[21], weights[32], weights[42]) == tuple(
        Decimal(x) for x in ("1.3", "2.5", "1.5", "2.75", "3.0")
    )
    scales = {s.code: s for s in framework.scales.all()}
    assert [c.name for c in scales["fungsi-teknis"].criteria.all()] == [
        "Informasi",
        "Interaksi",
        "Transaksi",
        "Kolaborasi",
        "Optimum",
    ]
    assert next(c.name for c in scales["proses"].criteria.all()) == "Rintisan"
    assert Indicator.objects.get(framework=framework, number=32).scale.code == "fungsi-teknis"
    assert Indicator.objects.get(framework=framework, number=31).scale.code == "proses"
    # the evidence ladder: something expected at every level of both scales
    for scale in scales.values():
        assert sorted({e.level for e in scale.expectations.all()}) == [1, 2, 3, 4, 5]
    top = PredicateBand.objects.get(framework=framework, name="Memuaskan")
    assert top.max_inclusive and top.min_value == Decimal("4.2")
    assert Indicator.objects.get(framework=framework, number=44).default_owner == "hukum"


def test_loader_marks_indeks_pemdi_provisional_with_source(framework):
    pemdi = Framework.objects.get(code="indeks-pemdi-2025-konsep")
    assert pemdi.provisional
    assert "B/66/PD.02/2025" in pemdi.source
    assert pemdi.indicators.count() == 35
    assert pemdi.aspects.count() == 9
    assert sum(i.weight for i in pemdi.indicators.all()) == Decimal("100")
    later = Framework.objects.get(code="permenpanrb-8-2026")
    assert later.provisional and later.indicators.count() == 20
    assert PredicateBand.objects.get(framework=later, name="Memuaskan").min_value == Decimal("4.00")


def test_loader_is_idempotent(framework):
    load_frameworks()
    assert Framework.objects.filter(code=framework.code).count() == 1


def test_export_import_round_trip(framework, province):
    data = exchange.export_document(framework)
    assert data["format"] == "etam.evaluation.framework/1"
    imported = services.framework_import(actor=province.superadmin, data=data)
    assert imported.version == framework.version + 1
    assert imported.status == Framework.Status.DRAFT
    again = exchange.export_document(imported)
    assert {k: v for k, v in again.items() if k != "version"} == {k: v for k, v in data.items() if k != "version"}
    assert AuditEvent.objects.filter(action="evaluation.framework_import").count() == 1


def test_import_refuses_bad_documents_naming_the_path(framework, province):
    data = exchange.export_document(framework)
    bad = copy.deepcopy(data)
    bad["domains"][0]["aspects"][0]["indicators"][1]["number"] = 1
    bad["domains"][0]["aspects"][0]["indicators"][2]["scale"] = "tidak-ada"
    before = Framework.objects.count()
    with pytest.raises(exchange.FrameworkDocError) as exc:
        services.framework_import(actor=province.superadmin, data=bad)
    paths = [p for p, _m in exc.value.problems]
    assert "domains.0.aspects.0.indicators.1.number" in paths
    assert "domains.0.aspects.0.indicators.2.scale" in paths
    bad2 = copy.deepcopy(data)
    bad2["domains"][0]["aspects"][0]["indicators"][0]["weight"] = "-1"
    with pytest.raises(exchange.FrameworkDocError) as exc2:
        services.framework_import(actor=province.superadmin, data=bad2)
    assert exc2.value.problems[0][0] == "domains.0.aspects.0.indicators.0.weight"
    assert Framework.objects.count() == before


def test_import_needs_the_framework_permission(framework, province):
    data = exchange.export_document(framework)
    before = Framework.objects.count()
    with pytest.raises(PermissionDenied):
        services.framework_import(actor=province.coordinator_kaltim, data=data)
    assert Framework.objects.count() == before
    assert not AuditEvent.objects.filter(action="evaluation.framework_import").exists()


def test_committed_json_schema_matches_the_models():
    assert exchange.SCHEMA_PATH.read_text(encoding="utf-8") == exchange.schema_text()
    schema = json.loads(exchange.SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$id"].endswith("framework.schema.json")
    assert "domains" in schema["required"]


def test_schema_check_command(db):
    call_command("evaluation_frameworks", "schema", "--check")


def test_used_framework_is_frozen_and_edits_need_a_new_version(evaluation, framework, province):
    framework.refresh_from_db()
    assert framework.status == Framework.Status.FROZEN
    indicator = framework.indicators.get(number=1)
    with pytest.raises(ValidationError) as exc:
        services.indicator_update(actor=province.superadmin, indicator=indicator, weight=Decimal("2"))
    assert "framework" in exc.value.message_dict
    indicator.refresh_from_db()
    assert indicator.weight == Decimal("1.3")
    new = services.framework_new_version(actor=province.superadmin, framework=framework)
    assert (new.code, new.version, new.status, new.previous_id) == (framework.code, 2, "draft", framework.pk)
    edited = services.indicator_update(
        actor=province.superadmin, indicator=new.indicators.get(number=1), name="Kebijakan Arsitektur"
    )
    assert edited.name == "Kebijakan Arsitektur"
    assert framework.indicators.get(number=1).name.startswith("Tingkat Kematangan")
    services.framework_publish(actor=province.superadmin, framework=new)
    assert Framework.objects.get(pk=new.pk).status == Framework.Status.PUBLISHED


def test_export_command_writes_json(framework, tmp_path):
    out = tmp_path / "f.json"
    call_command("evaluation_frameworks", "export", framework.code, "-o", str(out))
    data = json.loads(out.read_text())
    assert data["code"] == framework.code
    assert len([i for d in data["domains"] for a in d["aspects"] for i in a["indicators"]]) == 47


def test_freeze_in_use_freezes_once_in_the_database_and_in_memory(framework):
    assert framework.status != Framework.Status.FROZEN
    assert freeze_in_use(framework) is True
    assert framework.status == Framework.Status.FROZEN
    framework.refresh_from_db()
    assert framework.status == Framework.Status.FROZEN
    assert freeze_in_use(framework) is False
