"""Issue 17: the satisfaction survey in the offline form, in Chromium. The survey page opened
once from its link is kept by the service worker; answered with the network off, the answer
waits in the device outbox and arrives exactly once with its token; a second answer for the
same token (another device) is refused with a message naming the link (ADR 0164)."""

from __future__ import annotations

import pytest

from etam.quality.models import SurveyInvitation, SurveyResponse
from tests.browser.test_offline_outbox import KEPT, _outbox_states, _persistent, _wait_for
from tests.browser.test_quality_journey import _answer, _finished_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_survey_answered_offline_arrives_once(browser, live_server, province, tmp_path):
    _service, token = _finished_case(province)
    path = f"/survei/{token}/"
    context = _persistent(browser, live_server, tmp_path / "profil")
    try:
        page = context.new_page()
        page.set_viewport_size({"width": 360, "height": 740})  # a phone
        page.goto(path)  # the link from the notification, opened once with a signal
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.goto(path)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        page.wait_for_function(f"() => {KEPT}('{path}')")

        context.set_offline(True)
        page.goto(path)  # answered by the service worker
        assert "Permohonan Informasi Publik" in page.locator("main").inner_text()
        _answer(page, {n: 4 for n in range(1, 10) if n != 3})
        page.get_by_role("button", name="Kirim jawaban").click()
        page.wait_for_selector("text=Unsur 3 (Waktu penyelesaian)")  # told at once, nothing kept
        assert _outbox_states(page) == []
        _answer(page, {3: 2})
        page.get_by_role("button", name="Kirim jawaban").click()
        page.wait_for_selector("text=Tersimpan di perangkat ini")
        assert _outbox_states(page) == ["saved"]
        assert not SurveyResponse.objects.exists()

        context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        _wait_for(page, lambda: SurveyResponse.objects.exists())
        page.goto("/kotak-keluar/")
        page.wait_for_selector("[data-outbox-list] li[data-state=received]")
        assert "Jawaban survei kepuasan diterima" in page.inner_text("[data-outbox-list]")
        page.evaluate("EtamOutbox.sync()")  # another sync sends nothing again
        response = SurveyResponse.objects.get()
        assert (response.u3, response.u1) == (2, 4) and response.client_key
        assert SurveyInvitation.objects.get().used_at is not None

        # The same token answered again from another device's outbox: refused, named, not counted.
        page.evaluate(
            """token => EtamOutbox.put({key: 'perangkat-lain', kind: 'survey', token: token,
                serviceName: 'Survei kepuasan', url: '/survei/' + token + '/', state: 'saved', attempts: 0,
                fields: [1, 2, 3, 4, 5, 6, 7, 8, 9].map(n => ['u' + n, '4']),
                created: new Date().toISOString()}).then(() => EtamOutbox.sync())""",
            token,
        )
        page.reload()
        page.wait_for_selector("[data-outbox-list] li[data-state=attention]")
        assert "sudah dijawab" in page.inner_text("[data-outbox-list] li[data-state=attention]")
        assert SurveyResponse.objects.count() == 1
    finally:
        context.close()
