"""Issue 3 "Done when", walked through for EVERY demo service: a citizen fills the form in
Chromium (driven from the service's own definition), an officer takes the case to
approval, the citizen downloads the signed PDF, whose QR payload verifies offline and whose
/v/<code> page verifies online. Screenshots land in the screenshot directory."""

from __future__ import annotations

import datetime
from collections import deque

import pytest

from tests.browser.test_eservices_journey import _download_and_verify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000001"
    "e221bc330000000049454e44ae426082"
)
SERVICES = ["izin_penelitian", "legalisir_ijazah", "ppdb_sma_smk", "informasi_publik", "rekomendasi_klinik"]


def _value_for(spec, today):
    kind, name = spec["type"], spec["name"]
    if kind == "nik":
        return "6472015708100001"  # a woman born 17-08-2010: matches the birth date and sex below
    if kind == "phone":
        return "081234567890"
    if kind == "email":
        return "siti@example.id"
    if kind == "number":
        low = spec.get("min", 1)
        return str(int(low) if float(low).is_integer() else low)
    if kind == "date":
        kinds = {r["kind"] for r in spec.get("rules", [])}
        if spec.get("not_past") or "not_past" in kinds or spec["name"] in {"mulai", "tanggal_mulai"}:
            return (today + datetime.timedelta(days=20)).isoformat()
        return "2010-08-17"
    if spec.get("holder_name") or name.startswith("nama"):
        return "Siti Rahmawati"
    if kind == "long_text":
        return "Uraian contoh untuk keperluan uji."
    return "Isian contoh"


def _fill_field(page, spec, prefix, today, tmp_path):
    kind = spec["type"]
    name = f"{prefix}{spec['name']}"
    if kind == "group":
        for child in spec["fields"]:
            _fill_field(page, child, f"{name}__0__", today, tmp_path)
        return
    if kind == "address":
        for level, nxt in (("kabupaten_kota", "kecamatan"), ("kecamatan", "desa_kelurahan"), ("desa_kelurahan", None)):
            select = page.locator(f'select[name="{name}__{level}"]')
            if not select.count():
                break
            select.select_option(index=1)
            if nxt and page.locator(f'select[name="{name}__{nxt}"]').count():
                page.wait_for_function(
                    f"() => document.querySelector('select[name=\"{name}__{nxt}\"]').options.length > 1"
                )
        page.locator(f'input[name="{name}__jalan"]').fill("Jl. Gajah Mada No. 1")
        return
    if kind == "file":
        accept = spec.get("accept", ["pdf"])
        target = tmp_path / (f"{spec['name']}.pdf" if "pdf" in accept else f"{spec['name']}.png")
        target.write_bytes(PDF if "pdf" in accept else PNG)
        page.locator(f'input[name="{name}"]').set_input_files(str(target))
        return
    if kind == "yes_no":
        page.locator(f'input[name="{name}"][value="ya"]').check()
        return
    if kind in {"choice", "multi_choice"}:
        element = page.locator(f'[name="{name}"]').first
        tag = element.evaluate("e => e.tagName")
        if tag == "SELECT":
            # A choice that must differ from an earlier one (distinct_from) takes the next option.
            element.select_option(index=2 if spec.get("distinct_from") else 1)
        elif spec["name"] == "jenis_kelamin":
            page.locator(f'[name="{name}"][value="p"]').check()  # as the NIK says
        else:
            element.check()
        return
    page.locator(f'[name="{name}"]').fill(_value_for(spec, today))


def _citizen_applies(page, service, version, shots, tmp_path, key):
    from django.utils import timezone

    today = timezone.localdate()
    page.goto("/layanan/")
    page.get_by_role("link", name=service.name).click()
    page.get_by_role("link", name="Ajukan sekarang").click()
    page.wait_for_url("**/ajukan/1/")
    for _ in range(len(version.form["pages"]) + 2):
        number = int(page.url.rstrip("/").rsplit("/", 1)[-1])
        spec = version.form["pages"][number - 1]
        for field in spec["fields"]:
            if page.locator(f'[name="{field["name"]}"], [name^="{field["name"]}__"]').count():
                _fill_field(page, field, "", today, tmp_path)
        page.get_by_role("button", name="Simpan dan lanjut", exact=True).click()
        page.wait_for_load_state()
        assert not page.locator(".errsum").count(), page.locator("main").inner_text()
        if "/periksa/" in page.url:
            break
    assert "/periksa/" in page.url
    page.screenshot(path=str(shots / f"es-{key}-1-review.png"), full_page=True)
    page.get_by_role("button", name="Kirim permohonan").click()
    page.wait_for_load_state()
    assert "/tanda-terima/" in page.url, page.locator("main").inner_text()
    page.screenshot(path=str(shots / f"es-{key}-2-receipt.png"), full_page=True)
    return page.locator("dd.secret").first.inner_text().strip()


def _approval_path(workflow):
    """Officer action labels from the initial state to an approved state (shortest)."""
    states = workflow["states"]
    queue = deque([(workflow["initial"], [])])
    seen = {workflow["initial"]}
    while queue:
        state, path = queue.popleft()
        if states[state].get("outcome") == "approved":
            return path
        for action in workflow["actions"]:
            if state in action["from"] and "pemohon" not in action["roles"] and action["to"] not in seen:
                seen.add(action["to"])
                label = action["label"]["id"] if isinstance(action["label"], dict) else action["label"]
                queue.append((action["to"], [*path, label]))
    raise AssertionError("no approval path")


def _officer_processes(page, number, workflow, shots, key):
    page.goto("/staf/layanan/kotak-masuk/")
    page.get_by_role("link", name=number).click()
    from tests.conftest import OFFICIAL_PASSPHRASE

    for label in _approval_path(workflow):
        if page.locator("#f-passphrase").count():  # the step that issues: the official signs
            page.locator("#f-passphrase").fill(OFFICIAL_PASSPHRASE)
        page.get_by_role("button", name=label, exact=True).click()
        page.wait_for_load_state()
        assert not page.locator(".errsum").count(), page.locator("main").inner_text()
    page.screenshot(path=str(shots / f"es-{key}-3-officer.png"), full_page=True)


@pytest.mark.parametrize("key", SERVICES)
def test_each_demo_service_end_to_end(browser, live_server, sign_in, province, screenshot_dir, tmp_path, key):
    from etam.eservices import demo_definitions, services

    definition = getattr(demo_definitions, key)()
    service = services.service_import(
        actor=province.admin_dpmptsp, agency=province.dpmptsp, document=demo_definitions.as_export(definition),
        publish=True,
    )  # fmt: skip
    version = service.published_version
    from tests.conftest import make_signatory
    from tests.eservices.conftest import enrol_official

    make_signatory(province.admin_dpmptsp, province.dpmptsp)
    enrol_official()
    citizen_context = browser.new_context(base_url=live_server.url, locale="id-ID")
    officer_context = browser.new_context(base_url=live_server.url, locale="id-ID")
    try:
        citizen = citizen_context.new_page()
        citizen.set_default_timeout(15_000)
        sign_in(citizen, province.citizen)
        number = _citizen_applies(citizen, service, version, screenshot_dir, tmp_path, key)
        officer = officer_context.new_page()
        officer.set_default_timeout(15_000)
        sign_in(officer, province.admin_dpmptsp)
        _officer_processes(officer, number, version.workflow, screenshot_dir, key)
        citizen.goto(f"/permohonan/{number}/")
        citizen.screenshot(path=str(screenshot_dir / f"es-{key}-4-case.png"), full_page=True)
        # Downloads the PDF, verifies its signature and QR seal, opens its public /v/ page.
        _download_and_verify(citizen, number, tmp_path)
        citizen.screenshot(path=str(screenshot_dir / f"es-{key}-5-verify.png"), full_page=True)
    finally:
        citizen_context.close()
        officer_context.close()
