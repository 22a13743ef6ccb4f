"""The read-through copy of published Parquet (opendata/parquetstore.py, ADR 0101)."""

from __future__ import annotations

import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from etam.opendata import parquetstore


@pytest.fixture
def cache(settings, tmp_path, s3_storage):
    settings.OPENDATA_PARQUET_READ = "cache"
    return tmp_path / "parquet-cache"


@pytest.mark.s3
def test_a_copy_is_fetched_once_and_old_copies_go_beyond_the_size(cache, settings, monkeypatch):
    first = default_storage.save("opendata/parquet/2026/12/a.parquet", ContentFile(b"PAR1 a"))
    second = default_storage.save("opendata/parquet/2026/12/b.parquet", ContentFile(b"PAR1 b"))
    path = parquetstore.location(first)
    assert path == str(cache / first) and (cache / first).read_bytes() == b"PAR1 a"
    default_storage.delete(first)  # a copy is never fetched again: the stored file is immutable
    assert parquetstore.location(first) == path
    assert not [name for name in os.listdir(os.path.dirname(path)) if name.startswith(".part-")]
    settings.OPENDATA_PARQUET_CACHE_MB = 0
    monkeypatch.setattr(parquetstore, "EVICT_GRACE_SECONDS", 0)
    kept = parquetstore.location(second)
    assert os.path.exists(kept) and not os.path.exists(path)


@pytest.mark.s3
def test_a_name_outside_the_cache_is_refused(cache):
    with pytest.raises(ValueError, match="outside the cache"):
        parquetstore.cached("../../etc/passwd")
