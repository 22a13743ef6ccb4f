"""Object storage for the tests: moto's S3 server (``moto[server]`` from PyPI), started here
and stopped at the end of the session, never by hand. Each test gets a fresh private bucket
as the default storage, and a fresh read-through cache."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

KEY, SECRET, REGION = "etam-test-key", "etam-test-secret", "us-east-1"


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def s3_options(endpoint: str, bucket: str) -> dict[str, Any]:
    return {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "access_key": KEY,
        "secret_key": SECRET,
        "region_name": REGION,
        "addressing_style": "path",
        "location": "",
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 300,
        "file_overwrite": False,
        "signature_version": "s3v4",
    }


def new_bucket(endpoint: str, prefix: str = "etam") -> str:
    bucket = f"{prefix}-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=KEY, aws_secret_access_key=SECRET, region_name=REGION
    )
    client.create_bucket(Bucket=bucket)
    return bucket


@pytest.fixture
def s3_storage(s3_server, settings, tmp_path, monkeypatch) -> str:
    """The default storage is a fresh bucket on the moto server; the ``AWS_*`` variables
    name the same service (backup targets, child processes)."""
    bucket = new_bucket(s3_server)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options(s3_server, bucket)},
    }
    settings.OPENDATA_PARQUET_CACHE_DIR = str(tmp_path / "parquet-cache")
    for name, value in {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": s3_server,
        "AWS_ACCESS_KEY_ID": KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_S3_REGION_NAME": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    return bucket


# The e-service fixtures (a submitted application, its signing official) for the pipeline test.
from tests.eservices.conftest import _dpmptsp_admin_signs, info_service, submitted  # noqa: E402, F401
