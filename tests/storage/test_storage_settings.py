"""STORAGES from the environment: local disk by default, S3 with a bucket, and a clear refusal
naming the variable when the set does not hold together (config/storage.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import storage
from config.env import ConfigurationError


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in (*storage.S3_VARIABLES, "FILE_STORAGE_BACKEND"):
        monkeypatch.delenv(name, raising=False)


def test_local_disk_is_the_default():
    assert storage.default_storage(Path("/srv/media")) == {
        "BACKEND": storage.LOCAL_BACKEND,
        "OPTIONS": {"location": "/srv/media"},
    }


def test_a_bucket_makes_private_s3_with_short_presigned_urls(monkeypatch):
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "etam-berkas")
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", "http://minio:9000")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "k")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s")
    config = storage.default_storage(Path("/srv/media"))
    assert config["BACKEND"] == storage.S3_BACKEND
    options = config["OPTIONS"]
    assert options["bucket_name"] == "etam-berkas" and options["addressing_style"] == "path"
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert options["querystring_expire"] == 300 and options["file_overwrite"] is False


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"AWS_S3_ENDPOINT_URL": "http://minio:9000"}, "AWS_STORAGE_BUCKET_NAME"),
        ({"FILE_STORAGE_BACKEND": storage.S3_BACKEND}, "AWS_STORAGE_BUCKET_NAME"),
        ({"AWS_STORAGE_BUCKET_NAME": "b", "AWS_ACCESS_KEY_ID": "k"}, "AWS_SECRET_ACCESS_KEY"),
        ({"AWS_STORAGE_BUCKET_NAME": "b", "AWS_SECRET_ACCESS_KEY": "s"}, "AWS_ACCESS_KEY_ID"),
        ({"AWS_STORAGE_BUCKET_NAME": "b", "AWS_S3_ENDPOINT_URL": "minio:9000"}, "AWS_S3_ENDPOINT_URL"),
        ({"AWS_STORAGE_BUCKET_NAME": "b", "AWS_QUERYSTRING_EXPIRE": "86400"}, "AWS_QUERYSTRING_EXPIRE"),
        ({"AWS_STORAGE_BUCKET_NAME": "b", "AWS_QUERYSTRING_EXPIRE": "lama"}, "AWS_QUERYSTRING_EXPIRE"),
        ({"AWS_STORAGE_BUCKET_NAME": "b", "AWS_S3_ADDRESSING_STYLE": "dns"}, "AWS_S3_ADDRESSING_STYLE"),
        ({"AWS_STORAGE_BUCKET_NAME": "b", "FILE_STORAGE_BACKEND": storage.LOCAL_BACKEND}, "FILE_STORAGE_BACKEND"),
    ],
)
def test_an_incoherent_set_stops_start_up_naming_the_variable(monkeypatch, env, named):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=f"Variabel lingkungan {named}:.*/ Environment variable {named}:"):
        storage.default_storage(Path("/srv/media"))
