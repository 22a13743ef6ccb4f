"""Whether an exception says the object storage (S3-compatible) could not be reached.

The API answers such a request 503 ``storage_unavailable`` (``etam.api.errors``), the HTML
pages a 503 page with ``Retry-After`` (``etam.web.middleware.StorageUnavailableMiddleware``).
"""

from __future__ import annotations


def storage_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the S3-compatible object storage could not be reached."""
    try:
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import ConnectionError as BotoConnectionError
        from botocore.exceptions import HTTPClientError
    except ImportError:  # no object storage installed: local disk only
        return False
    return isinstance(exc, S3UploadFailedError | BotoConnectionError | HTTPClientError)
