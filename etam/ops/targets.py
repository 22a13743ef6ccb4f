"""Where a backup is written: a local folder, or ``s3://bucket/prefix`` on the S3-compatible
service the default storage uses (boto3; ``AWS_STORAGE_BUCKET_NAME`` and the other ``AWS_*``
variables, so a bucket target needs object storage configured)."""

from __future__ import annotations

import io
import os
import shutil
from typing import IO, Any, Protocol


class Target(Protocol):
    def exists(self, name: str) -> bool: ...
    def put(self, name: str, data: IO[bytes]) -> None: ...
    def put_bytes(self, name: str, data: bytes) -> None: ...
    def get_bytes(self, name: str) -> bytes: ...
    def open(self, name: str) -> Any: ...


class FolderTarget:
    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)

    def _path(self, name: str) -> str:
        return os.path.join(self.root, *name.split("/"))

    def exists(self, name: str) -> bool:
        return os.path.exists(self._path(name))

    def put(self, name: str, data: IO[bytes]) -> None:
        path = self._path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".part", "wb") as out:
            shutil.copyfileobj(data, out, 1 << 20)
        os.replace(path + ".part", path)

    def put_bytes(self, name: str, data: bytes) -> None:
        self.put(name, io.BytesIO(data))

    def get_bytes(self, name: str) -> bytes:
        with open(self._path(name), "rb") as handle:
            return handle.read()

    def open(self, name: str) -> Any:
        return open(self._path(name), "rb")


def s3_client() -> Any:
    """A boto3 client for the S3 service the default storage uses (the ``AWS_*`` variables)."""
    import boto3
    from django.conf import settings

    options = settings.STORAGES["default"].get("OPTIONS", {})
    return boto3.client(
        "s3",
        endpoint_url=options.get("endpoint_url"),
        aws_access_key_id=options.get("access_key"),
        aws_secret_access_key=options.get("secret_key"),
        region_name=options.get("region_name") or "us-east-1",
    )


class BucketTarget:
    def __init__(self, bucket: str, prefix: str, client: Any = None) -> None:
        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.client = client or s3_client()

    def _key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def exists(self, name: str) -> bool:
        found = self.client.list_objects_v2(Bucket=self.bucket, Prefix=self._key(name), MaxKeys=1)
        return any(item["Key"] == self._key(name) for item in found.get("Contents", []))

    def put(self, name: str, data: IO[bytes]) -> None:
        self.client.upload_fileobj(data, self.bucket, self._key(name))

    def put_bytes(self, name: str, data: bytes) -> None:
        self.put(name, io.BytesIO(data))

    def get_bytes(self, name: str) -> bytes:
        body: bytes = self.client.get_object(Bucket=self.bucket, Key=self._key(name))["Body"].read()
        return body

    def open(self, name: str) -> Any:
        return self.client.get_object(Bucket=self.bucket, Key=self._key(name))["Body"]


def open_target(location: str) -> Target:
    if location.startswith("s3://"):
        bucket, _sep, prefix = location[len("s3://") :].partition("/")
        return BucketTarget(bucket, prefix)
    return FolderTarget(location)
