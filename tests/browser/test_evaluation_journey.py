"""Issue 5 "Done when", tried in Chromium as new users would: the koordinator opens a 2026
evaluation and assigns indicators, OPD staff claim a level with evidence (a PDF upload),
the asesor reviews, the index and predicate appear, the gap analysis names the next
steps, the PDF report downloads; the public roll-up renders with JavaScript off.

Indicators 1–3 go through the pages; the other 44 claims and assessments are made through
the same services (a complete evaluation is needed for an index with a predicate and for
the target simulation, and 47 form round trips would only repeat what is shown here)."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BROWSER_INDICATORS = (1, 2, 3)


def _switch(page, sign_in, user) -> None:
    page.context.clear_cookies()
    sign_in(page, user)


def _shot(page, screenshot_dir, name: str) -> None:
    page.screenshot(path=str(screenshot_dir / f"evaluation-{name}.png"), full_page=True)


def _submit_button(page, name: str):
    return page.locator("main").get_by_role("button", name=name, exact=True)


def test_koordinator_opd_and_asesor_through_a_2026_evaluation(
    page, page_nojs, sign_in, province, screenshot_dir, tmp_path
):
    from etam.core.models import AuditEvent
    from etam.evaluation import demo, services
    from etam.evaluation.loader import CODE_59_2020, load_frameworks
    from etam.evaluation.models import Assessment, Claim, Evaluation, Evidence, Framework, Indicator

    load_frameworks()
    framework = Framework.objects.get(code=CODE_59_2020)
    indicators = {i.number: i for i in Indicator.objects.filter(framework=framework)}
    assert len(indicators) == 47

    # --- The koordinator opens the 2026 evaluation.
    sign_in(page, province.coordinator_kaltim)
    page.goto("/staf/evaluasi/")
    page.get_by_label("Instansi").select_option(str(province.kaltim.pk))
    page.get_by_label("Kerangka").select_option(str(framework.pk))
    # A wrong year first: the form comes back with a message naming the field.
    page.get_by_label("Periode (tahun)").fill("1999")
    _submit_button(page, "Buka").click()
    assert "Periode: " in page.locator("main").inner_text()
    assert page.get_by_label("Instansi").input_value() == str(province.kaltim.pk)
    page.get_by_label("Periode (tahun)").fill("2026")
    _submit_button(page, "Buka").click()
    page.wait_for_url("**/penugasan/")
    evaluation = Evaluation.objects.get(institution=province.kaltim, period=2026)
    assert evaluation.stage == "mandiri"

    # Earlier years (published provincial history, demo kab/kota) for the year-on-year
    # view and the roll-up; the demo loader leaves the 2026 evaluation alone.
    demo.load(lambda _line: None)
    assert Evaluation.objects.filter(institution=province.kaltim, period=2026).count() == 1

    # --- Assignments: every indicator to Diskominfo through the assignment table.
    for indicator in indicators.values():
        page.locator(f"#ind-{indicator.pk}").select_option(str(province.diskominfo.pk))
    _shot(page, screenshot_dir, "assign")
    _submit_button(page, "Simpan penugasan").click()
    page.wait_for_load_state()
    assert "47" in page.locator("main").inner_text()
    assert evaluation.assignments.filter(agency=province.diskominfo).count() == 47

    # --- OPD staff (produsen data Diskominfo) claim levels with evidence.
    _switch(page, sign_in, province.producer_diskominfo)
    pdf_path = tmp_path / "perda-spbe.pdf"
    pdf_path.write_bytes(PDF)
    page.goto(f"/staf/evaluasi/{evaluation.pk}/indikator/1/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Indikator 1")
    # The claim and evidence forms share the page: every id is unique, so each label
    # names its own input (both forms have a "level" field).
    duplicate_ids = page.evaluate(
        "() => { const ids = [...document.querySelectorAll('[id]')].map(e => e.id);"
        " return ids.filter((id, i) => ids.indexOf(id) !== i); }"
    )
    assert duplicate_ids == []
    # A level outside the scale is refused, with the justification kept as typed.
    page.get_by_label("Tingkat yang diklaim").fill("7")
    page.get_by_label("Kalimat fakta").fill("Perda SPBE Nomor 4 Tahun 2023 telah ditetapkan.")
    page.get_by_label("Kalimat analisis").fill("Kebijakan mencakup seluruh OPD dan telah dievaluasi.")
    _submit_button(page, "Klaim tingkat ini").click()
    page.wait_for_load_state()
    _shot(page, screenshot_dir, "claim-refused")
    main = page.locator("main").inner_text()
    assert "Tingkat untuk indikator 1: harus bilangan bulat 1 sampai 5." in main, main
    assert page.get_by_label("Tingkat yang diklaim").input_value() == "7"
    assert page.get_by_label("Kalimat fakta").input_value().startswith("Perda SPBE")
    assert not Claim.objects.filter(evaluation=evaluation).exists()
    page.get_by_label("Tingkat yang diklaim").fill("2")
    _submit_button(page, "Klaim tingkat ini").click()
    page.wait_for_load_state()
    assert Claim.objects.get(evaluation=evaluation, indicator=indicators[1]).level == 2
    # The PDF supports level 1 only: the page warns that the claim outruns its evidence.
    page.get_by_label("Mendukung tingkat").fill("1")
    page.get_by_label("Judul", exact=True).fill("Perda SPBE (draf)")
    page.get_by_label("Berkas").set_input_files(str(pdf_path))
    _submit_button(page, "Tambah bukti dukung").click()
    page.wait_for_load_state()
    _shot(page, screenshot_dir, "claim-outruns")
    assert page.get_by_role("link", name="Perda SPBE (draf)").is_visible(), page.locator("main").inner_text()
    assert "melampaui buktinya" in page.locator("main").inner_text()
    _shot(page, screenshot_dir, "claim-outruns")
    page.get_by_label("Mendukung tingkat").fill("2")
    page.get_by_label("Judul", exact=True).fill("Perda SPBE (ditetapkan)")
    page.get_by_label("Berkas").set_input_files(str(pdf_path))
    _submit_button(page, "Tambah bukti dukung").click()
    page.wait_for_load_state()
    assert "melampaui buktinya" not in page.locator("main").inner_text()
    assert Evidence.objects.filter(claim__indicator=indicators[1]).count() == 2
    # The uploaded file is served back to staff as the PDF it is.
    href = page.get_by_role("link", name="Perda SPBE (ditetapkan)").get_attribute("href")
    served = page.request.get(href)  # with the page's session
    assert served.ok and served.body() == PDF
    _shot(page, screenshot_dir, "claim-backed")

    # Indicators 2 and 3 claimed through the page without evidence, the rest through
    # the services with evidence links.
    for number in BROWSER_INDICATORS[1:]:
        page.goto(f"/staf/evaluasi/{evaluation.pk}/indikator/{number}/")
        page.get_by_label("Tingkat yang diklaim").fill("3")
        page.get_by_label("Kalimat fakta").fill("Dokumen arsitektur SPBE daerah telah disusun.")
        page.get_by_label("Kalimat analisis").fill("Dokumen mencakup seluruh OPD tetapi belum direviu.")
        _submit_button(page, "Klaim tingkat ini").click()
        page.wait_for_load_state()
    for number, indicator in indicators.items():
        if number in BROWSER_INDICATORS:
            continue
        claim = services.claim_create(
            actor=province.producer_diskominfo,
            evaluation=evaluation,
            indicator=indicator,
            level=4,
            fact="Layanan berjalan dan terdokumentasi di Diskominfo.",
            analysis="Seluruh OPD memakai layanan ini; telah dievaluasi tahunan.",
        )
        for level in range(1, 5):
            services.evidence_add(
                actor=province.producer_diskominfo,
                claim=claim,
                level=level,
                title=f"Bukti tingkat {level}",
                upload=None,
                filename="",
                url=f"https://jdih.kaltimprov.go.id/dokumen/{number}-{level}",
            )

    # Submitting: claims 2 and 3 have no evidence, so the submission warns first.
    page.goto(f"/staf/evaluasi/{evaluation.pk}/")
    page.get_by_role("link", name="Kirim klaim Dinas Komunikasi dan Informatika").click()
    page.wait_for_url("**/kirim/?opd=*")
    _submit_button(page, "Kirim").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").is_visible()
    assert not evaluation.assignments.filter(submitted_at__isnull=False).exists()
    _shot(page, screenshot_dir, "submit-warning")
    page.get_by_label("Saya mengirim klaim").check()
    _submit_button(page, "Kirim").click()
    page.wait_for_url(f"**/staf/evaluasi/{evaluation.pk}/")
    assert evaluation.assignments.filter(submitted_at__isnull=False).count() == 47

    # --- The koordinator moves the evaluation to document review.
    _switch(page, sign_in, province.coordinator_kaltim)
    page.goto(f"/staf/evaluasi/{evaluation.pk}/")
    _submit_button(page, "Lanjut ke tahap berikutnya").click()
    page.wait_for_load_state()
    evaluation.refresh_from_db()
    assert evaluation.stage == "dokumen"

    # --- The asesor reviews: indicator 1 settles below the claim.
    _switch(page, sign_in, province.assessor_kaltim)
    page.goto(f"/staf/evaluasi/{evaluation.pk}/indikator/1/")
    page.get_by_label("Tingkat hasil penilaian").fill("1")
    page.get_by_label("Catatan").fill("Perda belum mengatur evaluasi berkala.")
    page.locator("main").get_by_role("button", name=re.compile("^Simpan untuk tahap")).click()
    page.wait_for_load_state()
    assert "-1" in page.locator("main").inner_text()  # assessed − claimed, visible per indicator
    for number, indicator in indicators.items():
        if number == 1:
            continue
        services.assessment_set(
            actor=province.assessor_kaltim,
            evaluation=evaluation,
            indicator=indicator,
            level=3 if number % 3 else 4,
            notes="Bukti sesuai sebagian.",
        )
    assert Assessment.objects.filter(evaluation=evaluation).count() == 47

    # --- The index and the predicate appear, self and assessed side by side.
    page.goto(f"/staf/evaluasi/{evaluation.pk}/")
    scores = page.locator("main table").first
    index_row = scores.locator("tr", has_text="Indeks SPBE").inner_text()
    predicate_row = scores.locator("tr", has_text="Predikat").inner_text()
    assert re.search(r"\d,\d\d", index_row), index_row
    assert re.search(r"Baik|Sangat Baik|Memuaskan|Cukup|Kurang", predicate_row), predicate_row
    assert "parsial" not in index_row
    _shot(page, screenshot_dir, "scores")

    # --- The gap analysis names the best next steps and simulates the next predicate.
    page.get_by_role("link", name="Analisis kesenjangan").click()
    page.wait_for_url("**/analisis/")
    main = page.locator("main").inner_text()
    assert "Untuk mencapai" in main, main
    ranked = page.locator("main table").last.locator("tbody tr")
    assert ranked.count() >= 5
    _shot(page, screenshot_dir, "gap")
    page.get_by_role("link", name="Antartahun").click()
    page.wait_for_load_state()
    history = page.locator("main").inner_text()
    assert "2025" in history and "4,13" in history

    # --- The report downloads as a PDF.
    page.goto(f"/staf/evaluasi/{evaluation.pk}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Laporan (PDF)").click()
    body = download.value.path().read_bytes()
    (screenshot_dir / "evaluation-report.pdf").write_bytes(body)
    assert body.startswith(b"%PDF") and len(body) > 5000
    assert download.value.suggested_filename.endswith(".pdf")

    # --- Interviu, visitasi, final: the evaluation becomes part of the province roll-up.
    _switch(page, sign_in, province.coordinator_kaltim)
    for _stage in ("interviu", "visitasi", "final"):
        page.goto(f"/staf/evaluasi/{evaluation.pk}/")
        _submit_button(page, "Lanjut ke tahap berikutnya").click()
        page.wait_for_load_state()
    evaluation.refresh_from_db()
    assert evaluation.stage == "final"
    assert AuditEvent.objects.filter(action="evaluation.advance", object_id=str(evaluation.pk)).count() == 4

    # --- The public roll-up, JavaScript off.
    page_nojs.goto("/evaluasi-spbe/")
    main = page_nojs.locator("main").inner_text()
    assert "Pemerintah Provinsi Kalimantan Timur, 2026" in main, main
    assert page_nojs.locator("main svg path").count() >= 10  # the choropleth, server-rendered
    assert "Kota Samarinda" in main
    _shot(page_nojs, screenshot_dir, "rollup-nojs")
    page_nojs.get_by_label("Tahun").select_option("2024")
    page_nojs.locator("main").get_by_role("button", name="Tampilkan").click()
    page_nojs.wait_for_load_state()
    assert "3,79" in page_nojs.locator("main").inner_text()
