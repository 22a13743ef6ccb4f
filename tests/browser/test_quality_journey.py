"""Issue 17 "Done when", in Chromium: a citizen whose case finished answers the survey on a
360 px phone with JavaScript off; an officer enters a paper form with a photo of the sheet;
the unit head sees the report and sets a follow-up plan; the public page shows the result."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 500
LINK = re.compile(r"/survei/([A-Za-z0-9_-]+)/")


def _finished_case(province):
    from etam.eservices import demo_definitions, notifications, services
    from etam.eservices.models import NotificationDelivery

    definition = demo_definitions.informasi_publik()
    service = services.service_import(
        actor=province.admin_dpmptsp,
        agency=province.dpmptsp,
        document=demo_definitions.as_export(definition),
        publish=True,
    )
    from tests.eservices.conftest import drive, info_answers

    submission = services.application_submit(actor=province.citizen, service=service, answers=info_answers())
    case = drive(submission.application, province.officer_dpmptsp, "mulai_verifikasi", "tolak")
    delivery = NotificationDelivery.objects.filter(application=case, event="rejected").first()
    _subject, body = notifications.render(delivery)
    return service, LINK.search(body).group(1)


def _answer(page, answers: dict[int, int]) -> None:
    for number, value in answers.items():
        page.locator(f'input[name="u{number}"][value="{value}"]').check()


def test_survey_paper_report_followup_public(browser, live_server, page, sign_in, province, screenshot_dir):
    from etam.quality.models import ANSWER_FIELDS, FollowUpPlan, SurveyResponse

    service, token = _finished_case(province)

    # --- The citizen, on a 360 px phone with JavaScript off.
    phone = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, java_script_enabled=False
    )
    citizen = phone.new_page()
    citizen.goto(f"/survei/{token}/")
    assert "Permohonan Informasi Publik" in citizen.locator("main").inner_text()
    assert citizen.locator("main").bounding_box()["width"] <= 360
    _answer(citizen, {n: 4 for n in range(1, 10) if n != 3})  # element 3 forgotten
    citizen.get_by_label("Jenis kelamin").select_option("P")
    citizen.get_by_role("button", name="Kirim jawaban").click()
    assert "Unsur 3 (Waktu penyelesaian)" in citizen.locator("main").inner_text()
    assert citizen.locator('input[name="u1"][value="4"]').is_checked()  # nothing typed is lost
    _answer(citizen, {3: 2})
    citizen.screenshot(path=str(screenshot_dir / "quality-phone-survey.png"), full_page=True)
    citizen.get_by_role("button", name="Kirim jawaban").click()
    citizen.wait_for_url("**/survei/terima-kasih/")
    assert SurveyResponse.objects.get().u3 == 2
    citizen.goto(f"/survei/{token}/")  # the link again: answered, nothing counted twice
    assert "sudah dijawab" in citizen.locator("main").inner_text()
    assert SurveyResponse.objects.count() == 1
    phone.close()

    # --- The officer enters a paper questionnaire with a photo of the sheet.
    sign_in(page, province.officer_dpmptsp)
    page.goto("/staf/kualitas/kertas/")
    page.get_by_label("Layanan").select_option(str(service.pk))
    page.get_by_label("Tanggal pengisian").fill(timezone.localdate().isoformat())
    page.get_by_label("Foto lembar").set_input_files({"name": "lembar.jpg", "mimeType": "image/jpeg", "buffer": JPEG})
    _answer(page, {1: 3, 2: 3, 3: 2, 4: 4, 5: 3, 6: 3, 7: 4, 8: 2})  # element 9 left blank on the sheet
    page.get_by_role("button", name="Simpan kuesioner").click()
    assert "Kuesioner kertas tersimpan" in page.locator("main").inner_text()
    paper = SurveyResponse.objects.get(channel="kertas")
    assert paper.u9 is None and paper.sheet_photo.name.endswith(".jpg")

    # More answers of the year, so the period has enough respondents for an index.
    SurveyResponse.objects.bulk_create(
        SurveyResponse(
            service=service,
            agency_id=service.agency_id,
            institution_id=service.institution_id,
            channel="daring",
            answered_on=timezone.localdate(),
            **dict(zip(ANSWER_FIELDS, (4, 3, 3, 4, 3, 4, 4, 2, 3), strict=True)),
        )
        for _ in range(10)
    )

    # --- The unit head sees the report and sets the follow-up plan of the lowest element.
    page.context.clear_cookies()
    sign_in(page, province.admin_dpmptsp)
    year = str(timezone.localdate().year)
    page.goto(f"/staf/kualitas/opd/{province.dpmptsp.pk}/?periode={year}")
    main = page.locator("main")
    assert "IKM" in main.inner_text() and "Penanganan pengaduan" in main.inner_text()
    plan = page.locator("section").first
    plan.get_by_label("Tindakan").fill("Membuka kanal pengaduan WhatsApp dan menjawab dalam 2 hari kerja")
    plan.get_by_label("Penanggung jawab").fill("Kepala Bidang Pelayanan")
    plan.get_by_label("Tenggat").fill(f"{year}-12-31")
    plan.get_by_label("Status").select_option("berjalan")
    plan.get_by_role("button", name="Simpan rencana").click()
    assert "Rencana tindak lanjut tersimpan" in page.locator("main").inner_text()
    saved = FollowUpPlan.objects.get()
    assert saved.element == 8 and saved.status == "berjalan"
    page.screenshot(path=str(screenshot_dir / "quality-report.png"), full_page=True)

    # --- The public page, linked from the home page, shows the result (JavaScript off).
    public = browser.new_context(base_url=live_server.url, java_script_enabled=False).new_page()
    public.goto("/")
    public.locator('a[href="/survei-kepuasan/"]').first.click()
    text = public.locator("main").inner_text()
    assert "Permohonan Informasi Publik" in text and re.search(r"\b[AB] \((Sangat Baik|Baik)\)", text)
    assert public.locator("main svg").count() == 1
    public.context.close()
