import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.utils import timezone

from etam.eservices import demo_definitions, formengine
from tests.eservices.conftest import NIK_MAN, NIK_WOMAN, address

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("indonesian")]


def post(**values):
    q = QueryDict(mutable=True)
    for key, value in values.items():
        if isinstance(value, list):
            q.setlist(key, value)
        else:
            q[key] = value
    return q


FORM = {
    "pages": [
        {
            "id": "a",
            "title": "A",
            "fields": [
                {"name": "nama", "type": "text", "label": {"id": "Nama lengkap", "en": "Full name"}, "max_length": 10},
                {"name": "nik", "type": "nik", "label": "NIK"},
                {"name": "hp", "type": "phone", "label": "Nomor HP"},
                {"name": "surel", "type": "email", "label": "Email", "required": False},
                {"name": "jumlah", "type": "number", "label": "Jumlah", "integer": True, "min": 1, "max": 5},
                {"name": "lahir", "type": "date", "label": "Tanggal lahir", "not_future": True},
                {"name": "punya", "type": "yes_no", "label": "Punya usaha?"},
                {
                    "name": "usaha",
                    "type": "text",
                    "label": "Nama usaha",
                    "visible_if": {"field": "punya", "equals": True},
                },
                {
                    "name": "warna",
                    "type": "multi_choice",
                    "label": "Warna",
                    "choices": [{"value": "m", "label": "Merah"}, {"value": "b", "label": "Biru"}],
                    "required": False,
                },
            ],
        }
    ]
}


def test_every_error_names_the_field_in_indonesian_and_typed_values_are_kept():
    data = post(
        nama="Nama yang terlalu panjang",
        nik="1234",
        hp="12345",
        surel="bukan-email",
        jumlah="9",
        lahir="31/02/2020",
        punya="ya",
        usaha="",
    )
    result = formengine.process_page(FORM, 0, data, None, {})
    errors = result.errors
    assert errors["nama"].startswith("Nama lengkap:") and "10" in errors["nama"]
    assert errors["nik"].startswith("NIK") and "16" in errors["nik"]
    assert errors["hp"].startswith("Nomor HP:")
    assert errors["surel"].startswith("Email:")
    assert errors["jumlah"].startswith("Jumlah:") and "5" in errors["jumlah"]
    assert errors["lahir"].startswith("Tanggal lahir:")
    assert errors["usaha"].startswith("Nama usaha:")  # shown because punya = ya
    assert result.raw["nama"] == "Nama yang terlalu panjang" and result.raw["nik"] == "1234"
    bound = {f.name: f for f in formengine.bind_page(FORM, 0, result.answers, result.raw, errors)}
    assert bound["nik"].value == "1234" and bound["nik"].error == errors["nik"]


def test_valid_page_is_cleaned():
    data = post(
        nama="Siti",
        nik=NIK_WOMAN,
        hp="0812-3456-7890",
        jumlah="2",
        lahir="1990-08-17",
        punya="tidak",
        usaha="abaikan",
        warna=["m", "b"],
    )
    result = formengine.process_page(FORM, 0, data, None, {})
    assert result.ok, result.errors
    assert result.answers["hp"] == "+6281234567890"
    assert result.answers["punya"] is False and "usaha" not in result.answers  # hidden: dropped
    assert result.answers["lahir"] == "1990-08-17" and result.answers["jumlah"] == 2
    assert result.answers["warna"] == ["m", "b"]


@pytest.mark.parametrize(
    ("nik", "fragment"),
    [
        ("647201570890000", "16"),
        ("9999995708900001", "999999"),  # no such kecamatan
        ("6472013208900001", "720132"[0:0] or "320890"),  # day 32
        ("6472017208900001", "720890"),  # day 72 (women: 41..71)
        ("6472011713900001", "171390"),  # month 13
        ("6472015708900000", "0000"),
    ],
)
def test_nik_checks(nik, fragment):
    with pytest.raises(formengine.FieldError) as exc:
        formengine.check_nik(nik)
    assert fragment in exc.value.message


def test_nik_women_add_forty_and_future_births_are_refused():
    assert formengine.check_nik(NIK_WOMAN) == NIK_WOMAN
    assert formengine.check_nik(NIK_MAN) == NIK_MAN
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=2)
    future = f"647201{tomorrow:%d%m%y}0001"
    if tomorrow.year == today.year:
        with pytest.raises(formengine.FieldError) as exc:
            formengine.check_nik(future)
        assert "future" in exc.value.message or "masa depan" in exc.value.message


def test_address_must_follow_the_region_tree():
    spec_form = {
        "pages": [{"id": "a", "title": "A", "fields": [{"name": "alamat", "type": "address", "label": "Alamat"}]}]
    }
    good = address()
    ok = formengine.process_page(spec_form, 0, post(**{f"alamat__{k}": v for k, v in good.items()}), None, {})
    assert ok.ok and ok.answers["alamat"]["desa_kelurahan"] == good["desa_kelurahan"]
    wrong = dict(good, kecamatan="64.71.01")  # a Balikpapan kecamatan under Samarinda
    bad = formengine.process_page(spec_form, 0, post(**{f"alamat__{k}": v for k, v in wrong.items()}), None, {})
    assert bad.errors["alamat"].startswith("Alamat:")
    # The picker offers only the children of what was chosen.
    fields = formengine.bind_page(spec_form, 0, {}, {"alamat__kabupaten_kota": "64.72"}, {})
    levels = {part["level"]: part for part in fields[0].address}
    assert all(code.startswith("64.72.") for code, _ in levels["kecamatan"]["options"])
    assert levels["desa_kelurahan"]["needs_choice"] is True


def test_files_are_checked_by_content_and_size():
    spec_form = {
        "pages": [
            {
                "id": "a",
                "title": "A",
                "fields": [{"name": "berkas", "type": "file", "label": "Surat", "accept": ["pdf"], "max_size_kb": 1}],
            }
        ]
    }
    saved = []

    def save(name, upload, kind):
        saved.append(kind)
        return {"file_id": 1, "name": upload.name, "size": upload.size, "type": kind}

    store = formengine.FileStore(save=save)
    fake = SimpleUploadedFile("surat.pdf", b"MZ\x90\x00 this is an exe", content_type="application/pdf")
    result = formengine.process_page(spec_form, 0, post(), {"berkas": fake}, {}, store=store)
    assert "Surat:" in result.errors["berkas"] and "PDF" in result.errors["berkas"] and saved == []
    big = SimpleUploadedFile("surat.pdf", b"%PDF-1.4" + b"0" * 2000)
    result = formengine.process_page(spec_form, 0, post(), {"berkas": big}, {}, store=store)
    assert "KB" in result.errors["berkas"] and saved == []
    good = SimpleUploadedFile("surat.pdf", b"%PDF-1.4\n%%EOF")
    result = formengine.process_page(spec_form, 0, post(), {"berkas": good}, {}, store=store)
    assert result.ok and saved == ["pdf"]
    # A saved file is kept when the input is left empty (the browser cannot refill it).
    again = formengine.process_page(spec_form, 0, post(berkas__keep="1"), {}, result.answers, store=store)
    assert again.ok and again.answers["berkas"]["file_id"] == 1


def test_repeating_groups_and_conditions():
    form = demo_definitions.izin_penelitian()["form"]
    data = post(
        judul="Judul",
        lembaga="Unmul",
        jenjang="s1",
        mulai="2026-12-01",
        selesai="2027-01-01",
        lokasi="Samarinda",
        ada_tim="ya",
        anggota__count="2",
        anggota__0__nama="Ani",
        anggota__1__nama="",
        anggota__1__peran="",
    )
    result = formengine.process_page(form, 1, data, None, {})
    assert result.ok, result.errors
    assert result.answers["anggota"] == [{"nama": "Ani"}]
    missing = formengine.process_page(form, 1, post(**{**data.dict(), "anggota__0__nama": ""}), None, {})
    assert "anggota" in missing.errors


def test_protected_answers_split_and_merge():
    form = demo_definitions.izin_penelitian()["form"]
    answers = {"nama": "A", "nik": NIK_WOMAN, "telepon": "+6281234567890", "judul": "J"}
    public, protected = formengine.split_protected(form, answers)
    assert (
        "nik" not in public and "telepon" not in public and protected == {"nik": NIK_WOMAN, "telepon": "+6281234567890"}
    )
    assert formengine.merge_protected(public, protected) == answers


def test_schools_are_narrowed_by_the_chosen_regency():
    spec = {"choices_source": "sekolah_sma_smk", "filter_by": "domisili"}
    samarinda = formengine.source_choices(spec, {"domisili": {"kabupaten_kota": "64.72"}})
    everything = formengine.source_choices(spec, {})
    assert 0 < len(samarinda) < len(everything)
    assert all("SMP" not in label for _v, label in everything[:50])
