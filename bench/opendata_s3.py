"""The object-storage mode of bench/opendata_bench.py (``--object-storage``, ADR 0101).

The Parquet is put in a bucket on moto's S3 server (started here, on a free port) and the
default storage points at it. For local disk and each read mode (``direct``: DuckDB reads
the bucket through the registered pyarrow S3 filesystem; ``cache``: a local read-through
copy), every measurement starts cold: no local copy and no DuckDB connection (so no Parquet
footer cache). All samples count, the first (cold) one included; its time is shown apart.
"""

from __future__ import annotations

import shutil
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from django.test.utils import override_settings
from moto.server import ThreadedMotoServer

from etam.opendata import parquetstore, query, querybase

KEY, SECRET, REGION = "bench-key", "bench-secret", "us-east-1"
NAME = "opendata/parquet/2026/01/bench.parquet"


@dataclass(frozen=True)
class Helpers:
    """The timing and printing helpers of bench/opendata_bench.py."""

    timed: Callable[..., list[float]]
    p95: Callable[[list[float]], float]
    row: Callable[..., str]


def object_storage_rows(
    parquet_path: Path,
    table: query.Table,
    filters: dict[str, Any],
    work: Path,
    repeat: int,
    helpers: Helpers,
) -> list[str]:
    row, p95 = helpers.row, helpers.p95

    def cold_timed(fn: Callable[[], object], repeat: int, reset: Callable[[], None]) -> list[float]:
        reset()
        return helpers.timed(fn, repeat, warm_up=False)

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        client = boto3.client(
            "s3", endpoint_url=endpoint, aws_access_key_id=KEY, aws_secret_access_key=SECRET, region_name=REGION
        )
        client.create_bucket(Bucket="etam-bench")
        client.upload_file(str(parquet_path), "etam-bench", NAME)
        cache = work / "parquet-cache"
        local_dir = work / "local"
        (local_dir / Path(NAME).parent).mkdir(parents=True)
        shutil.copy(parquet_path, local_dir / NAME)
        s3 = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "etam-bench",
                "endpoint_url": endpoint,
                "access_key": KEY,
                "secret_key": SECRET,
                "region_name": REGION,
                "addressing_style": "path",
                "default_acl": None,
                "querystring_auth": True,
            },
        }
        local = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(local_dir)}}

        def reset() -> None:
            shutil.rmtree(cache, ignore_errors=True)
            for con in querybase._BASE.values():
                con.close()
            querybase._BASE.clear()

        def search() -> object:
            located = query.Table(table.resource_id, parquetstore.location(NAME), table.columns, table.row_count)
            return query.search(located, filters=filters, sort="nilai desc", limit=100)

        def aggregate() -> object:
            located = query.Table(table.resource_id, parquetstore.location(NAME), table.columns, table.row_count)
            return query.aggregate(
                located, group_by=["kabkota"], metrics=[("count", "*"), ("sum", "nilai"), ("avg", "nilai")]
            )

        results: dict[str, tuple[list[float], list[float]]] = {}
        for label, storage, mode in (
            ("local disk", local, "cache"),
            ("S3 direct", s3, "direct"),
            ("S3 cache", s3, "cache"),
        ):
            with override_settings(
                STORAGES={
                    "default": storage,
                    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
                },
                OPENDATA_PARQUET_READ=mode,
                OPENDATA_PARQUET_CACHE_DIR=str(cache),
            ):
                results[label] = (cold_timed(search, repeat, reset), cold_timed(aggregate, repeat, reset))
        reset()
    finally:
        server.stop()
    base_search, base_agg = results["local disk"]
    title = "object storage (moto S3 server), cold start; first query ms"
    lines = ["", f"{title:<58} {'p50 ms':>9} {'p95 ms':>9}  {'vs local':>8}"]
    for label, (search_ms, agg_ms) in results.items():
        lines.append(row(f"{label}: search (first {search_ms[0]:.0f} ms)", search_ms, base_search))
        lines.append(row(f"{label}: aggregate (first {agg_ms[0]:.0f} ms)", agg_ms, base_agg))
    summary = ", ".join(
        f"{label} search {p95(s) / p95(base_search):.2f}x aggregate {p95(a) / p95(base_agg):.2f}x"
        for label, (s, a) in results.items()
        if label != "local disk"
    )
    lines.append(
        f"p95 ratio to local disk: {summary} (target <= 1.5x); mean of all samples: "
        + ", ".join(f"{label} {statistics.mean(s + a):.1f} ms" for label, (s, a) in results.items())
    )
    return lines
