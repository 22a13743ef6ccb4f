"""Every file Etam stores goes to the bucket when ``AWS_STORAGE_BUCKET_NAME`` is set, and the
data API reads published Parquet from it (moto's S3 server, tests/storage/conftest.py)."""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from etam.eservices import services
from etam.eservices.models import IssuedDocument
from etam.opendata import parquetstore, query, selectors
from tests.conftest import OFFICIAL_PASSPHRASE
from tests.eservices.conftest import drive, enrol_official
from tests.opendata.conftest import make_dataset, publish
from tests.storage.conftest import KEY, REGION, SECRET

pytestmark = [pytest.mark.django_db, pytest.mark.s3]


def bucket_keys(endpoint: str, bucket: str) -> set[str]:
    client = boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=KEY, aws_secret_access_key=SECRET, region_name=REGION
    )
    return {item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])}


@pytest.mark.parametrize("read", ["cache", "direct"])
def test_upload_issue_publish_and_query_through_the_bucket(
    s3_storage, s3_server, settings, province, submitted, read, tmp_path
):
    settings.OPENDATA_PARQUET_READ = read
    settings.MEDIA_ROOT = str(tmp_path / "must-stay-empty")
    # Upload and publish: the uploaded CSV and the Parquet land in the bucket.
    dataset = make_dataset(province)
    version = publish(province, dataset)
    resource = version.resource
    keys = bucket_keys(s3_server, s3_storage)
    assert version.source_file.name in keys
    assert resource.file.name in keys and resource.file.name.endswith(".parquet")

    # Issue a signed PDF: it lands in the bucket too, and streams back to its owner.
    enrol_official()
    application = drive(submitted.application, province.officer_dpmptsp, "mulai_verifikasi", "verifikasi_lengkap")
    services.application_act(
        actor=province.admin_dpmptsp, application=application, action="setujui", passphrase=OFFICIAL_PASSPHRASE
    )
    document = IssuedDocument.objects.get(application=application)
    assert document.file.name in bucket_keys(s3_server, s3_storage)
    owner = Client()
    owner.force_login(province.citizen)
    pdf = owner.get(f"/permohonan/{application.tracking_number}/dokumen.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")

    # Query: the data API reads the Parquet from the bucket (or its read-through copy).
    path = selectors.parquet_path(resource)
    if read == "direct":
        assert path == f"{parquetstore.PROTOCOL}://{s3_storage}/{resource.file.name}"
    else:
        assert path.startswith(settings.OPENDATA_PARQUET_CACHE_DIR) and os.path.exists(path)
    client = Client()
    rid = str(resource.uuid)
    body = client.get("/api/3/action/datastore_search", {"resource_id": rid, "q": "Samarinda"}).json()
    assert [r["nama"] for r in body["result"]["records"]] == ["Kota Samarinda"]
    aggregate = client.get(
        f"/api/v1/datasets/{dataset.slug}/aggregate", {"group_by": "tahun", "metric": "sum:penduduk"}
    ).json()
    assert aggregate["records"] == [{"tahun": 2024, "sum_penduduk": 309667 + 806964 + 865202 + 740987}]
    sql = client.get(
        "/api/3/action/datastore_search_sql",
        {"sql": f'SELECT count(*) AS n FROM "{rid}"'},  # noqa: S608
    ).json()
    assert sql["result"]["records"] == [{"n": 4}]
    parquet = client.get(f"/data/{dataset.slug}/v{version.number}/unduh.parquet")
    assert parquet.status_code == 200 and b"".join(parquet.streaming_content)[:4] == b"PAR1"
    # Nothing went to local disk.
    assert not os.path.exists(settings.MEDIA_ROOT) or not os.listdir(settings.MEDIA_ROOT)


def test_direct_reads_are_locked_to_the_dataset_folder(s3_storage, settings):
    """The bucket filesystem registered on DuckDB does not widen what a query may read."""
    settings.OPENDATA_PARQUET_READ = "direct"
    default_storage.save("private/secret.parquet", ContentFile(b"PAR1"))
    name = default_storage.save("opendata/parquet/2026/12/t.parquet", ContentFile(b"PAR1"))
    table = query.Table("t", parquetstore.location(name), (("a", "string"),), 1)
    with query.cursor([table]) as con, pytest.raises(Exception, match=r"Permission|disabled"):
        con.execute(f"SELECT * FROM read_parquet('{parquetstore.PROTOCOL}://{s3_storage}/private/secret.parquet')")  # noqa: S608
    with query.cursor([table]) as con, pytest.raises(Exception, match=r"Permission|disabled"):
        con.execute("SELECT * FROM read_csv('/etc/passwd')")


def test_a_private_file_url_is_presigned_and_expires(s3_storage, s3_server, settings):
    name = default_storage.save("evaluation/evidence/bukti.pdf", ContentFile(b"%PDF-1.4 rahasia"))
    url = default_storage.url(name)
    params = parse_qs(urlparse(url).query)
    assert params["X-Amz-Expires"] == ["300"] and "X-Amz-Signature" in params
    assert requests.get(url, timeout=10).content == b"%PDF-1.4 rahasia"
    client = boto3.client(
        "s3", endpoint_url=s3_server, aws_access_key_id=KEY, aws_secret_access_key=SECRET, region_name=REGION
    )
    grants = client.get_object_acl(Bucket=s3_storage, Key=name)["Grants"]
    assert not [g for g in grants if "AllUsers" in str(g.get("Grantee", {}).get("URI", ""))]
    # The storage never hands out the bare object URL (moto does not check signatures, so the
    # refusal of an unsigned GET is the real service's; what Etam controls is asserted here).
    assert url.split("?", 1)[0] != url and default_storage.querystring_auth is True
    assert default_storage.default_acl is None
