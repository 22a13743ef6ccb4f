"""Issue 15, "Forms that catch mistakes", in Chromium at 360 px and 1366 px, with JavaScript on
(the page's rules.js answers before any request) and off (the server answers the same):
cross-field rules on the research permit and PPDB, the NIK with a letter, uploads that say
their types and limit, name/phone from the account, and the offline one-page form that
checks on the device, confirms prominently and empties itself. The test vectors run here
in the browser against rules.js as the offline form serves it."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from django.utils import timezone, translation

from etam.eservices import demo_definitions, formengine, services
from tests.eservices.conftest import address
from tests.offline.conftest import NIK, definition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [360, 1366]
VECTORS = json.loads((Path(__file__).resolve().parents[1] / "eservices" / "form_rules_vectors.json").read_text())


def _publish(province, make):
    return services.service_import(
        actor=province.admin_dpmptsp,
        agency=province.dpmptsp,
        document=demo_definitions.as_export(make()),
        publish=True,
    )


@pytest.fixture
def citizen(province):
    province.citizen.phone = "+6281234567001"
    province.citizen.save(update_fields=["phone"])
    return province.citizen


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def javascript(request) -> bool:
    return request.param


@pytest.fixture
def either_page(request, javascript):
    """The page with JavaScript on, then (a second run of the test) off: the same rules must hold."""
    return request.getfixturevalue("page" if javascript else "page_nojs")


def _open(page, sign_in, user, width, path):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, user)
    page.goto(path)


def _posts(page) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if r.method == "POST" else None)
    return seen


def _messages(page) -> str:
    page.wait_for_selector(".errsum")
    return page.locator(".errsum").first.inner_text()


def _fits(page, selector, width) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (selector, box)


@pytest.mark.parametrize("width", WIDTHS)
def test_research_end_before_start_and_a_period_already_over(
    either_page, javascript, live_server, sign_in, province, citizen, width
):
    page = either_page
    service = _publish(province, demo_definitions.izin_penelitian)
    draft = services.draft_for(actor=citizen, service=service)
    answers = {"nama": "Siti Rahmawati", "nik": "6472015708900001", "telepon": "+6281234567001", "alamat": address()}
    services.draft_save(actor=citizen, draft=draft, answers=answers, page=0)
    _open(page, sign_in, citizen, width, f"/layanan/{service.slug}/ajukan/2/")
    posts = _posts(page)
    today = timezone.localdate()
    start, end = today + datetime.timedelta(days=30), today + datetime.timedelta(days=10)
    page.fill("#f-judul", "Air bersih Samarinda")
    page.fill("#f-lembaga", "Universitas Mulawarman")
    page.locator('[name="jenjang"][value="s2"]').check()
    page.fill("#f-mulai", start.isoformat())
    page.fill("#f-selesai", end.isoformat())
    page.fill("#f-lokasi", "Samarinda")
    page.locator('[name="ada_tim"][value="tidak"]').check()
    page.get_by_role("button", name="Simpan dan lanjut", exact=True).click()
    shown = _messages(page)
    expected = f"Tanggal selesai ({end:%d/%m/%Y}) harus sama dengan atau setelah Tanggal mulai ({start:%d/%m/%Y})."
    assert expected in shown
    assert page.locator("#f-selesai").input_value() == end.isoformat()  # nothing typed is lost
    assert page.locator("#f-mulai").input_value() == start.isoformat()
    assert posts == [] if javascript else len(posts) == 1  # with JavaScript no round trip
    _fits(page, ".errsum", width)
    # A period in 2020.
    page.fill("#f-mulai", "2020-01-06")
    page.fill("#f-selesai", "2020-03-01")
    page.get_by_role("button", name="Simpan dan lanjut", exact=True).click()
    page.wait_for_selector("text=Tanggal selesai: tanggal tidak boleh di masa lalu.")
    # Put right, the page passes (the server agrees with the script).
    page.fill("#f-mulai", start.isoformat())
    page.fill("#f-selesai", (start + datetime.timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Simpan dan lanjut", exact=True).click()
    page.wait_for_url("**/ajukan/3/")


@pytest.mark.parametrize("width", WIDTHS)
def test_ppdb_age_limit_and_the_nik_birth_date_and_sex(either_page, live_server, sign_in, province, citizen, width):
    page = either_page
    service = _publish(province, demo_definitions.ppdb_sma_smk)
    _open(page, sign_in, citizen, width, f"/layanan/{service.slug}/ajukan/1/")
    # The parent's phone comes from the account; the student's name and NIK do not.
    assert page.locator("#f-telepon").input_value() == citizen.phone
    assert page.locator("#f-nama").input_value() == ""
    page.fill("#f-nama", "Nur Aisyah")
    page.fill("#f-nik", "6472015708900001")  # a woman born 17-08-1990
    page.fill("#f-tanggal_lahir", "1990-08-17")
    page.locator('[name="jenis_kelamin"][value="p"]').check()
    page.fill("#f-asal_sekolah", "SMP Negeri 2 Samarinda")

    def send():
        page.get_by_role("button", name="Simpan dan lanjut", exact=True).click()
        return _messages(page)

    year = timezone.localdate().year
    assert f"Tanggal lahir: usia pada 01/07/{year} paling tinggi 21 tahun" in send()
    page.fill("#f-tanggal_lahir", "2010-08-17")
    assert (
        "NIK calon murid: digit ke-7 sampai ke-12 (570890) menunjukkan tanggal lahir 17/08/90, "
        "tetapi Tanggal lahir 17/08/2010. Periksa keduanya."
    ) in send()
    page.fill("#f-nik", "6472015708100001")  # the right year now
    page.locator('[name="jenis_kelamin"][value="l"]').check()
    assert "menandai perempuan (tanggal ditambah 40), tetapi Jenis kelamin “Laki-laki”" in send()
    _fits(page, ".errsum", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_nik_with_a_letter_and_the_account_prefill(either_page, live_server, sign_in, province, citizen, width):
    page = either_page
    service = _publish(province, demo_definitions.izin_penelitian)
    _open(page, sign_in, citizen, width, f"/layanan/{service.slug}/ajukan/1/")
    assert page.locator("#f-nama").input_value() == citizen.full_name
    assert page.locator("#f-telepon").input_value() == citizen.phone
    page.fill("#f-nama", "Siti Rahmawati")  # editable
    page.fill("#f-nik", "64720157O8900001")
    page.get_by_role("button", name="Simpan dan lanjut", exact=True).click()
    shown = _messages(page)
    assert "NIK hanya boleh berisi angka (Anda mengisi “O”)." in shown
    assert "16 digit" not in shown
    assert page.locator("#f-nama").input_value() == "Siti Rahmawati"


@pytest.mark.parametrize("width", WIDTHS)
def test_uploads_say_what_they_take(page_nojs, live_server, sign_in, province, citizen, width):
    research = _publish(province, demo_definitions.izin_penelitian)
    ppdb = _publish(province, demo_definitions.ppdb_sma_smk)
    page = page_nojs
    draft = services.draft_for(actor=citizen, service=research)
    answers = {"nama": "Siti", "nik": "6472015708900001", "telepon": "+6281234567001", "alamat": address()}
    answers.update(judul="J", lembaga="L", jenjang="s2", mulai="2030-01-01", selesai="2030-02-01", lokasi="S")
    services.draft_save(actor=citizen, draft=draft, answers={**answers, "ada_tim": False}, page=1)
    _open(page, sign_in, citizen, width, f"/layanan/{research.slug}/ajukan/3/")
    assert page.locator("#f-ktp-types").inner_text() == "PDF/JPG, maks. 2 MB"
    assert page.locator("#f-proposal-types").inner_text() == "PDF, maks. 5 MB"
    assert page.locator("#f-ktp").get_attribute("accept") == ".pdf,application/pdf,.jpg,.jpeg,image/jpeg"
    assert "KB" not in page.locator("main").inner_text()
    _fits(page, "#f-ktp-types", width)
    draft = services.draft_for(actor=citizen, service=ppdb)
    kid = {"nama": "Nur", "nik": "6472015708100001", "tanggal_lahir": "2010-08-17", "jenis_kelamin": "p"}
    kid.update(
        asal_sekolah="SMP", telepon="+6281234567001", domisili={"kabupaten_kota": "64.72", "kecamatan": "64.72.01"}
    )
    services.draft_save(actor=citizen, draft=draft, answers=kid, page=0)
    page.goto(f"/layanan/{ppdb.slug}/ajukan/2/")
    assert page.locator("#f-ijazah-types").inner_text() == "PDF/JPG/PNG, maks. 2 MB"
    assert page.locator("#f-rapor-types").inner_text() == "PDF, maks. 5 MB"
    assert page.locator("#f-kk-types").inner_text() == "PDF/JPG/PNG, maks. 1 MB"


@pytest.fixture
def offline_service(province):
    return services.service_import(
        actor=province.admin_dpmptsp, agency=province.dpmptsp, document=definition(), publish=True
    )


def test_the_vectors_in_chromium_on_the_offline_form(page, live_server, sign_in, province, offline_service):
    """The same answers and messages as the server and node runs (tests/eservices)."""
    specs = [spec for p in VECTORS["form"]["pages"] for spec in p["fields"]]
    with translation.override("id"):
        payload = formengine.client_payload(
            VECTORS["form"],
            {s["name"] for s in specs},
            {},
            today=datetime.date.fromisoformat(VECTORS["today"]),
            fields=specs,
        )
    _open(page, sign_in, province.citizen, 1366, f"/luring/layanan/{offline_service.slug}/")
    page.wait_for_function("() => window.EtamRules && document.getElementById('etam-rules')")
    got = page.evaluate(
        "v => v.cases.map(c => EtamRules.check(v.payload, Object.assign({}, v.base, c.answers)))",
        {"payload": payload, "cases": VECTORS["cases"], "base": VECTORS["base"]},
    )
    wrong = [(c["name"], g) for c, g in zip(VECTORS["cases"], got, strict=True) if g != c["errors"]]
    assert not wrong, wrong
    assert len(got) == len(VECTORS["cases"]) >= 35


def _outbox(page) -> int:
    return page.evaluate("EtamOutbox.all().then(items => items.length)")


@pytest.mark.parametrize("width", WIDTHS)
def test_offline_form_checks_on_the_device_then_confirms_and_empties(
    page, live_server, sign_in, province, offline_service, width
):
    _open(page, sign_in, province.citizen, width, f"/luring/layanan/{offline_service.slug}/")
    page.wait_for_function("() => window.EtamRules && window.EtamOutbox")
    send = page.locator("form[data-offline-form] .row button[type=submit]")
    page.fill("#f-nama", "Siti Rahmawati")
    page.fill("#f-nik", "64720157O8900001")
    page.fill("#f-telepon", "12345")
    send.click()
    shown = _messages(page)
    assert "NIK hanya boleh berisi angka (Anda mengisi “O”)." in shown
    assert "Nomor HP: isi nomor telepon Indonesia" in shown
    assert "Keperluan: wajib diisi." in shown
    assert _outbox(page) == 0  # nothing queued that the server would refuse
    _fits(page, ".errsum", width)
    page.fill("#f-nik", NIK)
    page.fill("#f-telepon", "0812 3456 7890")
    page.fill("#f-keperluan", "Melamar kerja di Samarinda")
    send.click()
    saved = page.locator("[data-offline-saved]")
    saved.wait_for()
    assert "Tersimpan" in saved.inner_text() and "dikosongkan" in saved.inner_text()
    assert not page.locator("[data-rules-summary]").count()
    # The confirmation is the first thing in the form and on screen; the form is empty.
    assert page.evaluate(
        "document.querySelector('form[data-offline-form]').firstElementChild.hasAttribute('data-offline-saved')"
    )
    box = saved.bounding_box()
    assert box and box["y"] >= -1 and box["y"] < 900 and box["width"] <= width
    for selector in ("#f-nama", "#f-nik", "#f-telepon", "#f-keperluan"):
        assert page.locator(selector).input_value() == ""
    assert _outbox(page) == 1
    # Pressing Send again sends nothing twice: the empty form is stopped on the device.
    send.click()
    page.wait_for_selector("[data-rules-summary]")
    assert _outbox(page) == 1


def test_offline_form_without_javascript_gets_the_same_nik_message(
    page_nojs, live_server, sign_in, province, offline_service
):
    page = page_nojs
    _open(page, sign_in, province.citizen, 360, f"/luring/layanan/{offline_service.slug}/")
    page.fill("#f-nama", "Siti Rahmawati")
    page.fill("#f-nik", "64720157O8900001")
    page.fill("#f-telepon", "081234567890")
    page.fill("#f-keperluan", "Melamar kerja")
    page.locator("form[data-offline-form] .row button[type=submit]").click()
    assert "NIK hanya boleh berisi angka (Anda mengisi “O”)." in _messages(page)
