"""PPDB school choices: only state (negeri) SMA/SMK are offered, and the second choice
must differ from the first (the ``distinct_from`` rule of the form engine)."""

import base64
import copy
import csv

import pytest
from django.conf import settings
from django.test import Client

from etam.core.models import AuditEvent
from etam.eservices import definitions, demo_definitions, formengine
from etam.eservices.formengine.fields import school_name
from etam.eservices.models import Application
from tests.eservices.conftest import publish
from tests.eservices.test_formengine import post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("indonesian")]

SAMARINDA = {"kabupaten_kota": "64.72", "kecamatan": "64.72.01"}


def csv_schools():
    with open(settings.SHARED_DATA_DIR / "kaltim_sekolah_2019.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def ppdb_form():
    return demo_definitions.ppdb_sma_smk()["form"]


def choice_page(form):
    return next(i for i, page in enumerate(form["pages"]) if page["id"] == "pilihan")


def samarinda_negeri():
    spec = {"choices_source": "sekolah_sma_smk_negeri", "filter_by": "domisili"}
    return [value for value, _label in formengine.source_choices(spec, {"domisili": SAMARINDA})]


def swasta_in_samarinda():
    return next(
        row["npsn"]
        for row in csv_schools()
        if row["bentuk"] == "SMA" and row["status"] == "Swasta" and row["kode_kabkota_kemendagri"] == "64.72"
    )


def test_negeri_source_lists_exactly_the_state_sma_and_smk():
    rows = {row["npsn"]: row for row in csv_schools()}
    expected = {npsn for npsn, row in rows.items() if row["bentuk"] in {"SMA", "SMK"} and row["status"] == "Negeri"}
    listed = formengine.source_choices({"choices_source": "sekolah_sma_smk_negeri"}, {})
    assert {value for value, _label in listed} == expected
    assert len(expected) == 220  # 135 SMA + 85 SMK negeri in the 2019 list
    # Every label is a real school name with its kecamatan; no swasta, no SMP.
    for value, label in listed:
        assert label.startswith(school_name(rows[value]["nama_sekolah"]))  # capitals tidied (issue 15)
        assert rows[value]["kecamatan_sumber"] in label
    everything = formengine.source_choices({"choices_source": "sekolah_sma_smk"}, {})
    assert len(everything) == 435 and "(Swasta," in " ".join(label for _v, label in everything)
    # Narrowed by the chosen regency, still negeri only.
    in_samarinda = samarinda_negeri()
    assert 0 < len(in_samarinda) < len(expected)
    assert all(rows[v]["kode_kabkota_kemendagri"] == "64.72" and rows[v]["status"] == "Negeri" for v in in_samarinda)


def test_ppdb_definition_is_valid_and_offers_only_negeri_schools():
    definition = demo_definitions.ppdb_sma_smk()
    assert "Negeri" in definition["service"]["name"]
    assert definitions.validate_export(demo_definitions.as_export(definition)) == []
    page = ppdb_form()["pages"][choice_page(ppdb_form())]
    specs = {f["name"]: f for f in page["fields"]}
    assert specs["pilihan_1"]["choices_source"] == specs["pilihan_2"]["choices_source"] == "sekolah_sma_smk_negeri"
    assert specs["pilihan_2"]["distinct_from"] == ["pilihan_1"]
    bound = {b.name: b for b in formengine.bind_page(ppdb_form(), choice_page(ppdb_form()), {"domisili": SAMARINDA})}
    assert [v for v, _l in bound["pilihan_1"].choices] == samarinda_negeri()
    assert swasta_in_samarinda() not in {v for v, _l in bound["pilihan_2"].choices}


def test_a_private_school_is_refused():
    form = ppdb_form()
    result = formengine.process_page(
        form, choice_page(form), post(jalur="domisili", pilihan_1=swasta_in_samarinda()), {}, {"domisili": SAMARINDA}
    )
    assert result.errors["pilihan_1"] == "Sekolah pilihan 1: pilih salah satu pilihan yang tersedia."
    assert "pilihan_1" not in result.answers


def test_the_same_school_twice_is_refused_naming_both_fields_and_kept_as_typed():
    form = ppdb_form()
    index = choice_page(form)
    first, second = samarinda_negeri()[:2]
    answers = {"domisili": SAMARINDA}
    result = formengine.process_page(form, index, post(jalur="domisili", pilihan_1=first, pilihan_2=first), {}, answers)
    assert result.errors == {
        "pilihan_2": "Sekolah pilihan 2 harus berbeda dari “Sekolah pilihan 1”: keduanya berisi pilihan yang sama. "
        "Pilih yang lain.",
        "kk": "Kartu Keluarga: pilih berkas untuk diunggah.",
        "ijazah": "Ijazah atau SKL SMP/MTs: pilih berkas untuk diunggah.",
        "rapor": "Rapor semester 1–5: pilih berkas untuk diunggah.",
    }
    assert result.answers["pilihan_1"] == first and "pilihan_2" not in result.answers
    bound = {b.name: b for b in formengine.bind_page(form, index, answers, result.raw, result.errors)}
    assert bound["pilihan_1"].value == bound["pilihan_2"].value == first  # re-rendered as chosen
    assert "harus berbeda" in bound["pilihan_2"].error
    # Two different schools, or no second choice at all, are fine.
    for data in (post(jalur="domisili", pilihan_1=first, pilihan_2=second), post(jalur="domisili", pilihan_1=first)):
        result = formengine.process_page(form, index, data, {}, answers)
        assert set(result.errors) == {"kk", "ijazah", "rapor"}
    result = formengine.process_page(form, index, post(pilihan_1=first, pilihan_2=second), {}, answers)
    assert result.answers["pilihan_2"] == second
    # Not validating (a draft saved on the way back): no message, but the duplicate is not kept.
    result = formengine.process_page(form, index, post(pilihan_1=first, pilihan_2=first), {}, answers, validate=False)
    assert result.errors == {} and "pilihan_2" not in result.answers


def test_validate_all_catches_a_duplicate_made_by_changing_the_other_page():
    form = {
        "pages": [
            {"id": "a", "title": "A", "fields": [{"name": "x", "type": "choice", "label": "Pilihan pertama",
                                                  "choices": [{"value": "1", "label": "Satu"},
                                                              {"value": "2", "label": "Dua"}]}]},
            {"id": "b", "title": "B", "fields": [{"name": "y", "type": "choice", "label": "Pilihan kedua",
                                                  "choices": [{"value": "1", "label": "Satu"},
                                                              {"value": "2", "label": "Dua"}],
                                                  "distinct_from": ["x"]}]},
        ]
    }  # fmt: skip
    assert definitions.validate_form(form) == []
    assert formengine.validate_all(form, {"x": "1", "y": "2"}) == {}
    problems = formengine.validate_all(form, {"x": "2", "y": "2"})
    assert problems == {
        "y": "Pilihan kedua harus berbeda dari “Pilihan pertama”: keduanya berisi pilihan yang sama. Pilih yang lain."
    }


def test_definition_checks_for_distinct_from():
    form = copy.deepcopy(ppdb_form())
    page = form["pages"][choice_page(form)]
    fields = {f["name"]: f for f in page["fields"]}

    def messages(document):
        return {e.path: e.message for e in definitions.validate_form(document)}

    fields["pilihan_2"]["distinct_from"] = ["jalur", "pilihan_1"]
    assert messages(form) == {}  # any earlier choice field
    fields["pilihan_2"]["distinct_from"] = ["tidak_ada"]
    found = messages(form)
    assert any(p.endswith(".distinct_from") and "tidak_ada" in m for p, m in found.items()), found
    fields["pilihan_2"]["distinct_from"] = ["kk"]  # a file field, later on the page
    assert any("kk" in m for m in messages(form).values())
    fields["pilihan_2"]["distinct_from"] = ["pilihan_1"]
    fields["prestasi"]["distinct_from"] = ["jalur"]  # not a choice field: the schema refuses it
    assert messages(form)
    del fields["prestasi"]["distinct_from"]
    fields["pilihan_1"]["distinct_from"] = []  # empty list: schema minItems
    assert messages(form)


@pytest.fixture
def ppdb_service(province):
    return publish(province.admin_dpmptsp, province.dpmptsp, demo_definitions.ppdb_sma_smk())


def ppdb_answers(first, second):
    kk = base64.b64encode(b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF").decode()
    return {
        "nama": "Rudi Hartono",
        "nik": "6472010105100003",  # a boy born 01-05-2010, as the birth date and sex say
        "tanggal_lahir": "2010-05-01",
        "jenis_kelamin": "l",
        "asal_sekolah": "SMP Negeri 1 Samarinda",
        "telepon": "081234567890",
        "domisili": SAMARINDA,
        "jalur": "domisili",
        "pilihan_1": first,
        "pilihan_2": second,
        "kk": {"name": "kk.pdf", "content_base64": kk},
        "ijazah": {"name": "skl.pdf", "content_base64": kk},
        "rapor": {"name": "rapor.pdf", "content_base64": kk},
    }


def test_api_refuses_the_same_school_twice_and_stores_nothing(province, ppdb_service):
    citizen = Client()
    citizen.force_login(province.citizen)
    first, second = samarinda_negeri()[:2]
    audits = AuditEvent.objects.count()
    body = {"service": ppdb_service.pk, "answers": ppdb_answers(first, first)}
    response = citizen.post("/api/v1/applications", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 422
    fields = {f["path"]: f["message"] for f in response.json()["error"]["fields"]}
    assert set(fields) == {"body.answers.pilihan_2"}
    assert "Sekolah pilihan 2" in fields["body.answers.pilihan_2"]
    assert "Sekolah pilihan 1" in fields["body.answers.pilihan_2"]
    assert Application.objects.count() == 0 and AuditEvent.objects.count() == audits
    body = {"service": ppdb_service.pk, "answers": ppdb_answers(first, swasta_in_samarinda())}
    response = citizen.post("/api/v1/applications", body, content_type="application/json")
    assert response.status_code == 422 and Application.objects.count() == 0
    body = {"service": ppdb_service.pk, "answers": ppdb_answers(first, second)}
    response = citizen.post("/api/v1/applications", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert Application.objects.get().answers["pilihan_2"] == second


def test_the_composer_keeps_distinct_from_when_the_field_is_edited():
    from etam.eservices import builder

    page = ppdb_form()["pages"][choice_page(ppdb_form())]
    existing = next(f for f in page["fields"] if f["name"] == "pilihan_2")
    data = {k: v for k, v in builder.FieldForm.initial_for(existing).items() if v not in (None, False)}
    data["label"] = "Sekolah pilihan kedua"
    form = builder.FieldForm(data)
    assert form.is_valid(), form.errors
    spec = form.to_spec(existing)
    assert spec["distinct_from"] == ["pilihan_1"] and spec["choices_source"] == "sekolah_sma_smk_negeri"
    assert spec["label"]["id"] == "Sekolah pilihan kedua"
    form = builder.FieldForm({**data, "type": "text"})
    assert form.is_valid(), form.errors
    assert "distinct_from" not in form.to_spec(existing)
