"""Cross-field rules, upload hints, the NIK message, account prefill and the composer's rule
settings (issue 15, ADR 0125). The rules' messages themselves: form_rules_vectors.json."""

from __future__ import annotations

import copy
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from etam.eservices import builder, definitions, demo_definitions, formengine, services
from etam.eservices.models import Application
from etam.eservices.submission_form import account_prefill
from tests.eservices.conftest import NIK_WOMAN, publish
from tests.eservices.test_views import applicant_page, login, text

pytestmark = pytest.mark.django_db


def form_with(field: dict) -> dict:
    return {
        "pages": [
            {
                "id": "a",
                "title": "A",
                "fields": [
                    {"name": "mulai", "type": "date", "label": "Mulai"},
                    {"name": "jk", "type": "choice", "label": "JK", "choices": [{"value": "p", "label": "P"}]},
                    {"name": "nik", "type": "nik", "label": "NIK"},
                    field,
                ],
            }
        ]
    }


@pytest.mark.parametrize(
    "field, where, words",
    [
        ({"name": "x", "type": "text", "label": "X", "rules": [{"kind": "not_past"}]}, "rules[0]", "date"),
        ({"name": "x", "type": "date", "label": "X", "rules": [{"kind": "after", "field": "nope"}]}, "field", "nope"),
        ({"name": "x", "type": "date", "label": "X", "rules": [{"kind": "after", "field": "jk"}]}, "field", "jk"),
        ({"name": "x", "type": "date", "label": "X", "rules": [{"kind": "after", "field": "x"}]}, "field", "x"),
        (
            {"name": "x", "type": "date", "label": "X", "rules": [{"kind": "age", "min": 30, "max": 20}]},
            "rules[0]",
            "min",
        ),
        (
            {
                "name": "x",
                "type": "nik",
                "label": "X",
                "rules": [{"kind": "nik_matches", "sex": "mulai", "female": "p"}],
            },
            "sex",
            "choice",
        ),
        ({"name": "x", "type": "date", "label": "X", "prefill": "phone"}, "prefill", "phone"),
    ],
)
def test_rules_that_cannot_work_are_refused_with_the_place(field, where, words):
    errors = definitions.validate_form(form_with(field))
    assert errors and where in errors[0].path and words in errors[0].message, errors


@pytest.mark.parametrize(
    "rule",
    [{"kind": "after"}, {"kind": "within_days"}, {"kind": "age"}, {"kind": "nik_matches"}, {"kind": "soon"}],
)
def test_the_schema_wants_each_rule_complete(rule):
    assert definitions.validate_form(form_with({"name": "x", "type": "date", "label": "X", "rules": [rule]}))


def test_demo_services_use_the_rules_and_stay_valid():
    research = demo_definitions.izin_penelitian()
    ppdb = demo_definitions.ppdb_sma_smk()
    for definition in (research, ppdb):
        assert definitions.validate_form(definition["form"]) == []
    end = next(f for p in research["form"]["pages"] for f in p["fields"] if f["name"] == "selesai")
    assert {r["kind"] for r in end["rules"]} == {"on_or_after", "not_past"}
    fields = {f["name"]: f for p in ppdb["form"]["pages"] for f in p["fields"]}
    assert fields["tanggal_lahir"]["rules"] == [{"kind": "age", "max": 21, "on": "07-01"}]
    assert "21 tahun" in ppdb["service"]["eligibility"]
    assert fields["nik"]["rules"][0]["birth_date"] == "tanggal_lahir"


def test_every_requirement_is_an_upload_or_brought_to_verification():
    for make in demo_definitions.DEMO_SERVICES.values():
        definition = make()
        uploads = [f for p in definition["form"]["pages"] for f in p["fields"] if f["type"] == "file"]
        asked = [r for r in definition["service"]["requirements"] if "unggah" in r]
        for requirement in definition["service"]["requirements"]:
            assert re.search(r"unggah|dibawa saat verifikasi|diisi di formulir", requirement), requirement
        assert len(uploads) >= len(asked), definition["service"]["code"]
    labels = {f["label"]["id"] for p in demo_definitions.izin_penelitian()["form"]["pages"] for f in p["fields"]}
    assert "KTP pemohon" in labels
    labels = {f["label"]["id"] for p in demo_definitions.ppdb_sma_smk()["form"]["pages"] for f in p["fields"]}
    assert {"Ijazah atau SKL SMP/MTs", "Rapor semester 1–5", "Kartu Keluarga"} <= labels


@pytest.mark.parametrize(
    "spec, words",
    [
        ({"accept": ["pdf", "jpeg"], "max_size_kb": 5120}, "PDF/JPG, maks. 5 MB"),
        ({"accept": ["pdf"], "max_size_kb": 2048}, "PDF, maks. 2 MB"),
        ({"accept": ["png"], "max_size_kb": 1536}, "PNG, maks. 1,5 MB"),
        ({"accept": ["pdf"], "max_size_kb": 500}, "PDF, maks. 500 KB"),
    ],
)
def test_uploads_say_types_and_limit_in_human_words(spec, words):
    with translation.override("id"):
        assert formengine.upload_hint({"type": "file", "label": "B", **spec}) == words


def test_a_too_large_file_is_refused_in_megabytes():
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024), content_type="application/pdf")
    with translation.override("id"), pytest.raises(formengine.FieldError) as refused:
        formengine.check_upload({"type": "file", "label": "Proposal", "max_size_kb": 2048}, upload)
    assert refused.value.message == "Proposal: berkas 3 MB, lebih besar dari batas 2 MB. Pilih berkas yang lebih kecil."


def test_nik_with_a_letter_says_digits_only(province):
    with translation.override("id"), pytest.raises(formengine.FieldError) as refused:
        formengine.check_nik("64720157O8900001")
    assert refused.value.message == "NIK hanya boleh berisi angka (Anda mengisi “O”)."
    with translation.override("en"), pytest.raises(formengine.FieldError) as refused:
        formengine.check_nik("64720157O8900001")
    assert refused.value.message == "NIK may contain digits only (you entered “O”)."


def test_the_research_page_refuses_an_end_before_the_start_keeping_what_was_typed(province, research_service):
    c = login(province.citizen)
    base = f"/layanan/{research_service.slug}/ajukan"
    assert c.post(f"{base}/1/", applicant_page()).status_code == 302
    today = timezone.localdate()
    start, end = today.replace(year=today.year + 1), today.replace(year=today.year + 1, day=1)
    page2 = {"judul": "J", "lembaga": "Unmul", "jenjang": "s2", "mulai": start.isoformat(), "selesai": end.isoformat()}
    page2.update(lokasi="Samarinda", ada_tim="tidak")
    if end >= start:  # the 1st of this month next year is before today's date next year, unless today is the 1st
        page2["selesai"] = (start.replace(day=1) if start.day > 1 else start.replace(month=1, day=1)).isoformat()
    response = c.post(f"{base}/2/", page2)
    assert response.status_code == 200
    body = text(response)
    assert "Tanggal selesai (" in body and "harus sama dengan atau setelah Tanggal mulai (" in body
    assert f'value="{page2["selesai"]}"' in body and f'value="{page2["mulai"]}"' in body
    # A period already over is refused too, with its own message.
    page2.update(mulai="2020-01-06", selesai="2020-03-01")
    assert "Tanggal selesai: tanggal tidak boleh di masa lalu." in text(c.post(f"{base}/2/", page2))


def test_the_page_carries_its_rules_for_the_script(province, research_service):
    c = login(province.citizen)
    body = text(c.get(f"/layanan/{research_service.slug}/ajukan/2/"))
    data = json.loads(re.search(r'<script id="etam-rules" type="application/json">(.*?)</script>', body, re.S)[1])
    assert data["today"] == timezone.localdate().isoformat()
    assert {r["kind"] for r in data["rules"]} == {"on_or_after", "not_past"}
    assert data["messages"]["on_or_after"].startswith("%(label)s (%(value)s) harus sama dengan atau setelah")
    assert 'src="/static/eservices/rules.js"' in body and "data-rules" in body


def test_the_api_refuses_a_birth_date_the_nik_contradicts(province):
    service = publish(province.admin_dpmptsp, province.dpmptsp, demo_definitions.ppdb_sma_smk())
    from tests.eservices.test_formengine_choices import ppdb_answers, samarinda_negeri

    first, second = samarinda_negeri()[:2]
    answers = ppdb_answers(first, second)
    answers.update(tanggal_lahir="1990-05-01", jenis_kelamin="p")
    c = login(province.citizen)
    body = {"service": service.pk, "answers": answers}
    response = c.post("/api/v1/applications", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 422
    fields = {f["path"]: f["message"] for f in response.json()["error"]["fields"]}
    assert "paling tinggi 21 tahun" in fields["body.answers.tanggal_lahir"]
    assert "Tanggal lahir 01/05/1990" in fields["body.answers.nik"]
    answers.update(tanggal_lahir="2010-05-01")
    response = c.post("/api/v1/applications", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="id")
    fields = {f["path"]: f["message"] for f in response.json()["error"]["fields"]}
    assert set(fields) == {"body.answers.nik"}
    assert "Jenis kelamin “Perempuan”" in fields["body.answers.nik"] and "laki-laki" in fields["body.answers.nik"]
    assert Application.objects.count() == 0


def test_name_nik_and_phone_come_from_the_account_and_can_be_changed(province, research_service, info_service):
    citizen = province.citizen
    citizen.phone = "+6281234567001"
    citizen.save(update_fields=["phone"])
    form = research_service.published_version.form
    assert account_prefill(form, citizen, {}) == {"nama": citizen.full_name, "telepon": citizen.phone}
    c = login(citizen)
    page = text(c.get(f"/layanan/{research_service.slug}/ajukan/1/"))
    assert f'value="{citizen.full_name}"' in page and f'value="{citizen.phone}"' in page
    # After an application that gave a NIK, the NIK is offered too.
    from tests.eservices.conftest import info_answers

    services.application_submit(actor=citizen, service=info_service, answers=info_answers())
    assert account_prefill(form, citizen, {})["nik"] == NIK_WOMAN
    # What the citizen saved wins over the account.
    assert account_prefill(form, citizen, {"nama": "Nama Lain", "nik": "x", "telepon": "y"}) == {}
    assert c.post(f"/layanan/{research_service.slug}/ajukan/1/", applicant_page(nama="Nama Lain")).status_code == 302
    assert 'value="Nama Lain"' in text(c.get(f"/layanan/{research_service.slug}/ajukan/1/"))


def test_ppdb_prefills_only_the_parents_phone(province):
    form = demo_definitions.ppdb_sma_smk()["form"]
    province.citizen.phone = "+6281234567001"
    assert set(account_prefill(form, province.citizen, {})) == {"telepon"}


def composer_data(**extra):
    return {"type": "date", "name": "selesai", "label": "Tanggal selesai", "required": "on", **extra}


def test_the_composer_adds_rules_to_a_date_field():
    form = builder.FieldForm(
        composer_data(date_order="on_or_after", date_other="mulai", not_past="on", within_days="365"), initial={}
    )
    assert form.is_valid(), form.errors
    spec = form.to_spec(None)
    assert spec["rules"] == [{"kind": "on_or_after", "field": "mulai"}, {"kind": "within_days", "days": 365}]
    assert spec["not_past"] is True
    again = builder.FieldForm.initial_for(spec)
    assert again["date_order"] == "on_or_after" and again["date_other"] == "mulai" and again["within_days"] == 365


def test_the_composer_adds_age_nik_and_prefill_rules():
    form = builder.FieldForm(composer_data(name="lahir", age_max="21", age_on="07-01"), initial={})
    assert form.is_valid(), form.errors
    assert form.to_spec(None)["rules"] == [{"kind": "age", "max": 21, "on": "07-01"}]
    data = {"type": "nik", "name": "nik", "label": "NIK", "nik_birth_date": "lahir", "nik_sex": "jk"}
    data.update(nik_female="p", prefill="nik")
    form = builder.FieldForm(data, initial={})
    assert form.is_valid(), form.errors
    spec = form.to_spec(None)
    assert spec["rules"] == [{"kind": "nik_matches", "birth_date": "lahir", "sex": "jk", "female": "p"}]
    assert spec["prefill"] == "nik"
    initial = builder.FieldForm.initial_for(spec)
    assert (initial["nik_birth_date"], initial["nik_sex"], initial["nik_female"]) == ("lahir", "jk", "p")


def test_the_composer_names_what_is_missing():
    with translation.override("id"):
        form = builder.FieldForm(composer_data(date_order="after", age_min="30", age_max="20"), initial={})
        assert not form.is_valid()
        assert "Isian tanggal pembanding" in str(form.errors["date_other"])
        assert "Usia tertinggi" in str(form.errors["age_max"])


def test_editing_a_field_keeps_a_second_comparison_from_an_import():
    existing = {"name": "lapor", "type": "date", "label": "Lapor"}
    existing["rules"] = [{"kind": "after", "field": "mulai"}, {"kind": "before", "field": "selesai"}]
    form = builder.FieldForm(
        composer_data(name="lapor", date_order="after", date_other="mulai"),
        initial=builder.FieldForm.initial_for(copy.deepcopy(existing)),
    )
    assert form.is_valid(), form.errors
    assert form.to_spec(existing)["rules"] == existing["rules"]


def test_the_composer_page_offers_and_saves_the_rule_settings(province, research_service):
    from django.urls import reverse

    from tests.helpers import client_for

    published = research_service.published_version
    draft = services.version_create(
        actor=province.admin_dpmptsp,
        service=research_service,
        form=published.form,
        workflow=published.workflow,
        document_template=published.document_template,
    )
    c = client_for(province.admin_dpmptsp)
    end = reverse("eservices:compose_field", args=[research_service.pk, "1-4"])
    body = c.get(end).content.decode()
    assert 'name="date_order"' in body and 'name="age_max"' in body and 'name="prefill"' in body
    assert '<option value="on_or_after" selected>' in body and 'value="mulai"' in body
    start = reverse("eservices:compose_field", args=[research_service.pk, "1-3"])
    data = {"type": "date", "name": "mulai", "label": "Tanggal mulai", "required": "on", "visible_field": ""}
    data.update(visible_values="", date_order="before", date_other="selesai", within_days="365")
    assert c.post(start, data).status_code == 302
    draft.refresh_from_db()
    saved = draft.form["pages"][1]["fields"][3]
    assert saved["rules"] == [{"kind": "before", "field": "selesai"}, {"kind": "within_days", "days": 365}]
    # A field name that does not exist is refused, and the draft keeps what it had.
    data.update(date_other="tanggal_tidak_ada")
    refused = c.post(start, data)
    assert refused.status_code == 200 and "tanggal_tidak_ada" in refused.content.decode()
    draft.refresh_from_db()
    assert draft.form["pages"][1]["fields"][3] == saved


def test_the_form_pages_keep_the_budget_with_their_rules(province, citizen_with_drafts, capsys):
    """The signed-in form pages (not in the public budget walk): HTML ≤ 14 KB compressed,
    JavaScript (outbox.js, wilayah.js, rules.js) ≤ 20 KB, everything ≤ 50 KB."""
    from tests.web.budget_checker import check_page, client_fetcher

    client = login(province.citizen)
    reports = [check_page(path, client_fetcher(client)) for path in citizen_with_drafts]
    with capsys.disabled():
        for report in reports:
            print("  " + report.summary())
    assert [p for r in reports for p in r.problems] == []
    assert all(r.javascript <= 20 * 1024 for r in reports)


@pytest.fixture
def citizen_with_drafts(province):
    research = publish(province.admin_dpmptsp, province.dpmptsp, demo_definitions.izin_penelitian())
    ppdb = publish(province.admin_dpmptsp, province.dpmptsp, demo_definitions.ppdb_sma_smk())
    draft = services.draft_for(actor=province.citizen, service=research)
    services.draft_save(actor=province.citizen, draft=draft, answers={}, page=0)
    return [
        f"/layanan/{research.slug}/ajukan/1/",
        f"/layanan/{research.slug}/ajukan/2/",
        f"/layanan/{ppdb.slug}/ajukan/1/",
        f"/luring/layanan/{research.slug}/",
    ]
