"""The Parquet warm-up at publication (parquetstore.warm, opendata.tasks.warm_parquet_copy)
and the API's answer when object storage cannot be reached (issue 12)."""

from __future__ import annotations

import pytest
from botocore.exceptions import EndpointConnectionError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from etam.api.errors import storage_unavailable
from etam.opendata import parquetstore
from etam.opendata.tasks import warm_parquet_copy


@pytest.mark.s3
def test_warm_fetches_the_published_file_into_the_local_copy(settings, tmp_path, s3_storage):
    settings.OPENDATA_PARQUET_READ = "cache"
    name = default_storage.save("opendata/parquet/2026/12/w.parquet", ContentFile(b"PAR1 w"))
    cache = tmp_path / "parquet-cache"
    assert not (cache / name).exists()
    assert warm_parquet_copy.call(name=name) == str(cache / name)
    assert (cache / name).read_bytes() == b"PAR1 w"
    settings.OPENDATA_PARQUET_READ = "direct"  # read straight from the bucket: nothing to warm
    assert not parquetstore.warms_on_publication() and parquetstore.warm(name) == ""


def test_warm_does_nothing_on_local_disk(tmp_path, settings):
    settings.OPENDATA_PARQUET_CACHE_DIR = str(tmp_path / "cache")
    assert not parquetstore.warms_on_publication()
    assert parquetstore.warm("opendata/parquet/2026/12/x.parquet") == ""
    assert not (tmp_path / "cache").exists()


def test_an_unreachable_object_storage_is_recognised():
    assert storage_unavailable(EndpointConnectionError(endpoint_url="http://127.0.0.1:9"))
    assert not storage_unavailable(ValueError("bad input"))


@pytest.mark.django_db
def test_load_demo_content_only_refuses_an_unknown_loader():
    with pytest.raises(CommandError, match="bukan-modul"):
        call_command("load_demo_content", only="core,bukan-modul")
