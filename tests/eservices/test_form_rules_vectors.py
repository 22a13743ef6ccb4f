"""One file of test vectors (form_rules_vectors.json) against every form checker: the
server's form engine and the browser/offline script (rules.js, run here by node; the
browser run is in tests/browser/test_eservices_form_rules.py). Issue 15, ADR 0125."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone, translation

from etam.eservices import definitions, formengine
from etam.eservices.submission_form import FormData, process_all

HERE = Path(__file__).resolve().parent
VECTORS = json.loads((HERE / "form_rules_vectors.json").read_text())
RULES_JS = HERE.parents[1] / "etam" / "eservices" / "static" / "eservices" / "rules.js"
TODAY = date.fromisoformat(VECTORS["today"])
CASES = VECTORS["cases"]


def answers_of(case):
    return {**VECTORS["base"], **case["answers"]}


def client_payload():
    """What a page holding every field of the vectors' form gives its script (Indonesian)."""
    form = VECTORS["form"]
    specs = [spec for page in form["pages"] for spec in page["fields"]]
    with translation.override("id"):
        return formengine.client_payload(form, {s["name"] for s in specs}, {}, today=TODAY, fields=specs)


def test_the_vectors_form_is_a_valid_definition():
    assert definitions.validate_form(VECTORS["form"]) == []


def test_every_rule_kind_has_vectors():
    kinds = {r["kind"] for page in VECTORS["form"]["pages"] for f in page["fields"] for r in f.get("rules", [])}
    assert kinds == set(formengine.RULE_KINDS)
    assert len(CASES) >= 35


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_server_checker(case, province, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    formengine.forget_regions()
    data = FormData({name: [value] for name, value in answers_of(case).items()})
    with translation.override("id"):
        result = process_all(VECTORS["form"], data, {}, store=None)
    assert result.errors == case["errors"]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_script_checker_in_node(tmp_path):
    payload = client_payload()
    (tmp_path / "in.json").write_text(json.dumps({"payload": payload, "cases": CASES, "base": VECTORS["base"]}))
    script = (
        "const r = require(process.argv[1]); const v = require(process.argv[2]);"
        "const out = v.cases.map(c => r.check(v.payload, Object.assign({}, v.base, c.answers)));"
        "process.stdout.write(JSON.stringify(out));"
    )
    done = subprocess.run(
        ["node", "-e", script, str(RULES_JS), str(tmp_path / "in.json")], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    wrong = [(c["name"], g, c["errors"]) for c, g in zip(CASES, got, strict=True) if g != c["errors"]]
    assert not wrong, wrong


def test_the_payload_carries_labels_and_messages_in_the_active_language():
    payload = client_payload()
    rule = next(r for r in payload["rules"] if r["kind"] == "on_or_after")
    assert rule["label"] == "Tanggal selesai" and rule["field_label"] == "Tanggal mulai"
    assert "harus sama dengan atau setelah" in payload["messages"]["on_or_after"]
    with translation.override("en"):
        english = formengine.client_payload(VECTORS["form"], {"selesai"}, {"mulai": "2026-08-01"}, today=TODAY)
    assert english["rules"][0]["label"] == "End date"
    assert english["known"] == {"mulai": "2026-08-01"}
    assert english["messages"]["on_or_after"].startswith("%(label)s (%(value)s) must be on or after")
