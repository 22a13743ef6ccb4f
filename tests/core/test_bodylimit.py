"""The body limit middleware: 413 naming the limit before the body is read; uploads pass."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from etam.core.bodylimit import BodyLimitMiddleware

seen: list[int] = []


def _view(request):
    seen.append(len(request.body) if request.content_type != "multipart/form-data" else len(request.FILES["f"].read()))
    return HttpResponse("ok")


def test_plain_body_over_the_default_is_413_text_outside_the_api():
    request = RequestFactory().post("/staf/x/", data=b"x" * (2_621_440 + 1), content_type="text/plain")
    response = BodyLimitMiddleware(_view)(request)
    assert response.status_code == 413
    assert "2.5 MB" in response.content.decode()


def test_multipart_upload_larger_than_the_default_passes_to_the_view():
    from django.core.files.uploadedfile import SimpleUploadedFile

    seen.clear()
    upload = SimpleUploadedFile("data.csv", b"a,b\n" * 1_000_000, content_type="text/csv")
    request = RequestFactory().post("/staf/data/unggah/", data={"f": upload})
    assert int(request.META["CONTENT_LENGTH"]) > 2_621_440
    response = BodyLimitMiddleware(_view)(request)
    assert response.status_code == 200 and seen == [4_000_000]


@override_settings(REQUEST_BODY_LIMITS={"/besar/": 5 * 1024 * 1024})
def test_a_listed_path_takes_its_own_larger_limit():
    seen.clear()
    request = RequestFactory().post("/besar/", data=b"x" * (4 * 1024 * 1024), content_type="application/json")
    assert BodyLimitMiddleware(_view)(request).status_code == 200
    assert seen == [4 * 1024 * 1024]
    request = RequestFactory().post("/besar/", data=b"x" * (6 * 1024 * 1024), content_type="application/json")
    response = BodyLimitMiddleware(_view)(request)
    assert response.status_code == 413 and "5 MB" in response.content.decode()
