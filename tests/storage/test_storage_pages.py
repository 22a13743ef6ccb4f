"""An HTML page that needs the object storage while it cannot be reached answers 503 with
Retry-After and a short page (etam.web.middleware.StorageUnavailableMiddleware), not the
generic 500; the API's own answer is tested in test_publication_warm.py."""

from __future__ import annotations

from unittest import mock

import pytest
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError

from tests.eservices.conftest import case_file  # noqa: F401 - fixture
from tests.storage.conftest import new_bucket, s3_options

pytestmark = pytest.mark.django_db


def _assert_storage_page(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "Penyimpanan berkas sedang tidak tersedia" in page
    assert "Tidak ada yang tersimpan" in page
    assert "127.0.0.1" not in page and "Traceback" not in page


def test_a_page_that_cannot_reach_the_storage_answers_503(client):
    error = EndpointConnectionError(endpoint_url="http://127.0.0.1:9")
    with mock.patch("etam.web.views.render", side_effect=error):
        _assert_storage_page(client.get("/"))


def test_the_page_speaks_english_when_chosen(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with mock.patch("etam.web.views.render", side_effect=EndpointConnectionError(endpoint_url="x")):
        response = client.get("/")
    assert response.status_code == 503
    assert "File storage is unavailable right now" in response.content.decode()


def test_other_errors_still_reach_the_500_page(client):
    client.raise_request_exception = False
    with mock.patch("etam.web.views.render", side_effect=ValueError("bug")):
        response = client.get("/")
    assert response.status_code == 500
    assert not response.has_header("Retry-After")


@pytest.mark.s3
def test_a_file_download_with_the_bucket_down_answers_503(client, province, case_file, s3_server, settings):  # noqa: F811
    # The bucket's endpoint is a closed port: what the page meets when the storage host is down.
    options = s3_options("http://127.0.0.1:9", new_bucket(s3_server))
    options["client_config"] = Config(retries={"total_max_attempts": 1}, connect_timeout=1, read_timeout=1)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    client.force_login(province.citizen)
    response = client.get(f"/permohonan/{case_file.application.tracking_number}/berkas/{case_file.pk}/")
    _assert_storage_page(response)
