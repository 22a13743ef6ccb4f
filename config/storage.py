"""The default file storage, from the environment (docs/adr/0100-object-storage.md).

Local disk under ``MEDIA_ROOT`` is the embedded default. Setting ``AWS_STORAGE_BUCKET_NAME``
switches every stored file (uploads, issued PDFs, evidence, bundles, published Parquet) to
S3-compatible object storage through django-storages; the other ``AWS_*`` variables must
then agree with it, or start-up stops naming the one at fault. Objects are private: no ACL
is set (the bucket's policy decides, and Etam's is "private"), and any URL handed out is
presigned and expires after ``AWS_QUERYSTRING_EXPIRE`` seconds.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from config import env

S3_BACKEND = "storages.backends.s3.S3Storage"
LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"
S3_VARIABLES = (
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_S3_REGION_NAME",
    "AWS_S3_ADDRESSING_STYLE",
    "AWS_QUERYSTRING_EXPIRE",
    "AWS_LOCATION",
)


def _fail(name: str, problem_id: str, problem_en: str) -> env.ConfigurationError:
    return env._fail(name, problem_id, problem_en)


def default_storage(media_root: Path) -> dict[str, Any]:
    """``STORAGES["default"]``: S3 when a bucket is named, else local disk (or ``FILE_STORAGE_BACKEND``)."""
    bucket = env.text("AWS_STORAGE_BUCKET_NAME")
    backend = env.text("FILE_STORAGE_BACKEND")
    if not bucket:
        # Variables that only make sense with a bucket (region, expiry... have harmless defaults).
        stray = [name for name in S3_VARIABLES[1:4] if env.text(name)]
        if backend == S3_BACKEND or stray:
            raise _fail(
                "AWS_STORAGE_BUCKET_NAME",
                f"wajib diisi untuk penyimpanan S3 (sudah diisi: {', '.join(stray) or 'FILE_STORAGE_BACKEND'})",
                f"is required for S3 storage (already set: {', '.join(stray) or 'FILE_STORAGE_BACKEND'})",
            )
        if backend:
            return {"BACKEND": backend, "OPTIONS": {}}
        return {"BACKEND": LOCAL_BACKEND, "OPTIONS": {"location": str(media_root)}}
    if backend and backend != S3_BACKEND:
        raise _fail(
            "FILE_STORAGE_BACKEND",
            f"bertentangan dengan AWS_STORAGE_BUCKET_NAME; kosongkan atau isi {S3_BACKEND}",
            f"contradicts AWS_STORAGE_BUCKET_NAME; leave it empty or set {S3_BACKEND}",
        )
    key, secret = env.text("AWS_ACCESS_KEY_ID"), env.text("AWS_SECRET_ACCESS_KEY")
    if bool(key) != bool(secret):
        missing = "AWS_SECRET_ACCESS_KEY" if key else "AWS_ACCESS_KEY_ID"
        raise _fail(
            missing,
            "wajib diisi bersama pasangannya (atau kosongkan keduanya untuk peran IAM mesin)",
            "is required with its pair (or leave both empty for the machine's IAM role)",
        )
    endpoint = env.text("AWS_S3_ENDPOINT_URL")
    if endpoint and not endpoint.startswith(("http://", "https://")):
        raise _fail(
            "AWS_S3_ENDPOINT_URL",
            f"harus URL http:// atau https://, bukan {endpoint!r}",
            f"must be an http:// or https:// URL, not {endpoint!r}",
        )
    style = env.text("AWS_S3_ADDRESSING_STYLE", "path" if endpoint else "auto")
    if style not in ("auto", "path", "virtual"):
        raise _fail("AWS_S3_ADDRESSING_STYLE", "harus auto, path atau virtual", "must be auto, path or virtual")
    expire = env.integer("AWS_QUERYSTRING_EXPIRE", 300, minimum=1)
    if expire > 3600:
        raise _fail("AWS_QUERYSTRING_EXPIRE", "maksimal 3600 detik", "must be at most 3600 seconds")
    return {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint or None,
            "access_key": key or None,
            "secret_key": secret or None,
            "region_name": env.text("AWS_S3_REGION_NAME", "us-east-1"),
            "addressing_style": style,
            "location": env.text("AWS_LOCATION").strip("/"),
            # Private objects: no public ACL, every URL presigned and short-lived.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": expire,
            "file_overwrite": False,
            "signature_version": "s3v4",
        },
    }


def parquet_cache_dir(var_dir: Path) -> str:
    return env.text("OPENDATA_PARQUET_CACHE_DIR", os.path.join(var_dir, "cache", "parquet"))
