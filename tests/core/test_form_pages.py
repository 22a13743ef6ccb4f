"""service_form_page and flash_service: the form-page flow and status-button flow views share."""

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.test import RequestFactory

from etam.core.formerrors import flash_service, service_form_page


class _NameForm(forms.Form):
    name = forms.CharField()


def _request(method: str = "get", data: dict | None = None):
    request = getattr(RequestFactory(), method)("/", data or {})
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _page(request, form, action):
    return service_form_page(
        request,
        form,
        action,
        "Tersimpan",
        template="core/unit_form.html",
        context={"agency": None, "unit": None},
        on_success=lambda result: HttpResponse(f"ok {result}", status=302),
    )


def test_valid_post_runs_the_service_and_answers_on_success(monkeypatch):
    request = _request("post", {"name": "Aptika"})
    form = _NameForm(request.POST)
    response = _page(request, form, lambda: form.cleaned_data["name"])
    assert (response.status_code, response.content) == (302, b"ok Aptika")
    assert [str(m) for m in get_messages(request)] == ["Tersimpan"]


def test_refused_service_puts_the_error_on_the_field_and_renders(monkeypatch):
    rendered = {}
    monkeypatch.setattr(
        "etam.core.formerrors.render", lambda req, template, ctx: rendered.update(ctx) or HttpResponse("form")
    )
    request = _request("post", {"name": "Aptika"})
    form = _NameForm(request.POST)

    def refuse():
        raise ValidationError({"name": ["Nama sudah dipakai."]})

    response = _page(request, form, refuse)
    assert response.content == b"form"
    assert rendered["form"].errors["name"] == ["Nama sudah dipakai."]
    assert list(get_messages(request)) == []


def test_get_renders_without_calling_the_service(monkeypatch):
    monkeypatch.setattr("etam.core.formerrors.render", lambda req, template, ctx: HttpResponse(template))
    calls = []
    response = _page(_request(), _NameForm(), lambda: calls.append(1))
    assert response.content == b"core/unit_form.html"
    assert calls == []


def test_flash_service_flashes_success_or_refusal():
    request = _request("post")
    assert flash_service(request, lambda: None, lambda: "Berhasil") is True

    def refuse():
        raise ValidationError("Tidak boleh.")

    assert flash_service(request, refuse, lambda: "Berhasil") is False
    assert [str(m) for m in get_messages(request)] == ["Berhasil", "Tidak boleh."]
