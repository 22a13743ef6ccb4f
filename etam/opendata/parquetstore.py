"""Where DuckDB and pyarrow read a published Parquet file (docs/adr/0101-parquet-over-s3.md).

On local disk (the embedded default) that is the stored file itself. On object storage
(``AWS_STORAGE_BUCKET_NAME``) ``OPENDATA_PARQUET_READ`` chooses:

- ``cache`` (default): a local read-through copy under ``OPENDATA_PARQUET_CACHE_DIR``. A
  published file never changes (a new version is a new object), so a copy never goes stale;
  it is fetched once per machine, then read like local disk. The oldest copies are removed
  beyond ``OPENDATA_PARQUET_CACHE_MB``.
- ``direct``: DuckDB reads the bucket through pyarrow's S3 filesystem wrapped as an fsspec
  filesystem and registered on the connection (``register``); no DuckDB extension is
  installed or loaded, so nothing is downloaded at run time.

The free-form SQL child process holds no credentials, so it always reads a local copy
(``localise``).

At publication (``services.versions._publish``) a job fetches the new file into the local
copy of the machine whose worker runs it (``warm``), so the first query there does not pay
the download (docs/operations.md says what "each node" means with several machines).
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import tempfile
import threading
import time
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from fsspec.implementations.arrow import ArrowFSWrapper
from pyarrow import fs as pafs

PROTOCOL = "etambucket"  # not s3://, which DuckDB would hand to its httpfs extension
_FS_LOCK = threading.Lock()
_FILESYSTEMS: dict[tuple[Any, ...], Any] = {}
# A copy younger than this is never evicted: a query may be about to open it.
EVICT_GRACE_SECONDS = 300


def is_object_storage(storage: Any = None) -> bool:
    storage = default_storage if storage is None else storage
    return hasattr(storage, "bucket_name") and hasattr(storage, "connection")


def _key(storage: Any, name: str) -> str:
    location = (getattr(storage, "location", "") or "").strip("/")
    return posixpath.join(location, name) if location else name


def location(name: str) -> str:
    """What DuckDB's ``read_parquet`` is given for the stored file ``name``."""
    storage: Any = default_storage
    if not is_object_storage(storage):
        return str(storage.path(name))
    if getattr(settings, "OPENDATA_PARQUET_READ", "cache") == "direct":
        return f"{PROTOCOL}://{storage.bucket_name}/{_key(storage, name)}"
    return cached(name)


def local_file(name: str) -> str:
    """A path on this machine's disk holding the stored file ``name`` (pyarrow, SQL child)."""
    return localise(location(name))


def localise(path: str) -> str:
    """``path`` itself when it is local; for a bucket URL, the read-through copy."""
    prefix = f"{PROTOCOL}://"
    if not path.startswith(prefix):
        return path
    storage = default_storage
    key = path[len(prefix) :].split("/", 1)[1]
    location_prefix = (getattr(storage, "location", "") or "").strip("/")
    if location_prefix:
        key = key[len(location_prefix) + 1 :]
    return cached(key)


def _cache_dir() -> str:
    return str(getattr(settings, "OPENDATA_PARQUET_CACHE_DIR", os.path.join(settings.BASE_DIR, "var", "cache")))


def cached(name: str) -> str:
    """The local copy of ``name``, fetched from storage on first use (atomically renamed
    into place, so a reader never sees half a file)."""
    root = os.path.realpath(_cache_dir())
    target = os.path.realpath(os.path.join(root, name))
    if not target.startswith(root + os.sep):
        raise ValueError(f"stored name outside the cache: {name!r}")
    if os.path.exists(target):
        return target
    os.makedirs(os.path.dirname(target), exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".part-")
    try:
        storage: Any = default_storage
        with os.fdopen(handle, "wb") as out:
            if is_object_storage(storage):
                # boto3's managed transfer: ranged parts in parallel.
                storage.bucket.download_fileobj(_key(storage, name), out)
            else:
                with storage.open(name, "rb") as source:
                    for chunk in iter(lambda: source.read(1 << 20), b""):
                        out.write(chunk)
        os.replace(partial, target)
    except BaseException:
        if os.path.exists(partial):
            os.unlink(partial)
        raise
    _evict(root, keep=target)
    return target


def warms_on_publication() -> bool:
    """Whether publishing should pre-fetch the local copy: object storage read through the cache."""
    return is_object_storage() and getattr(settings, "OPENDATA_PARQUET_READ", "cache") == "cache"


def warm(name: str) -> str:
    """Fetch ``name`` into this machine's read-through copy now (idempotent: a copy already
    there is left as it is). Empty when there is nothing to warm (local disk, ``direct``)."""
    return cached(name) if warms_on_publication() else ""


def _evict(root: str, keep: str) -> None:
    """Remove the least recently fetched copies while the cache is over its size."""
    budget = int(getattr(settings, "OPENDATA_PARQUET_CACHE_MB", 2048)) * 1024 * 1024
    files: list[tuple[float, int, str]] = []
    for folder, _dirs, names in os.walk(root):
        for entry in names:
            path = os.path.join(folder, entry)
            try:
                stat = os.stat(path)
            except FileNotFoundError:
                continue
            files.append((stat.st_mtime, stat.st_size, path))
    total = sum(size for _m, size, _p in files)
    now = time.time()
    for mtime, size, path in sorted(files):
        if total <= budget:
            break
        if path == keep or now - mtime < EVICT_GRACE_SECONDS:
            continue
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        total -= size


class BucketFS(ArrowFSWrapper):  # type: ignore[misc]
    """pyarrow's S3 filesystem under Etam's own URL scheme, for ``register_filesystem``."""

    protocol = PROTOCOL

    @classmethod
    def _strip_protocol(cls, path: Any) -> Any:
        text = str(path)
        return text[len(PROTOCOL) + 3 :] if text.startswith(f"{PROTOCOL}://") else text


def _filesystem(storage: Any) -> Any:
    """pyarrow's S3 filesystem (C++, ranged reads) behind fsspec's interface, one per bucket."""
    key = (storage.endpoint_url, storage.bucket_name, storage.access_key, storage.region_name)
    with _FS_LOCK:
        found = _FILESYSTEMS.get(key)
        if found is None:
            options: dict[str, Any] = {"region": storage.region_name or "us-east-1"}
            if storage.access_key:
                options.update(access_key=storage.access_key, secret_key=storage.secret_key)
            if storage.endpoint_url:
                scheme, _sep, host = storage.endpoint_url.partition("://")
                options.update(endpoint_override=host.rstrip("/"), scheme=scheme)
            found = BucketFS(pafs.S3FileSystem(**options))
            _FILESYSTEMS[key] = found
        return found


def register(con: Any, path: str) -> None:
    """Give ``con`` the bucket filesystem if ``path`` is a bucket URL (before it is locked)."""
    if path.startswith(f"{PROTOCOL}://"):
        con.register_filesystem(_filesystem(default_storage))
