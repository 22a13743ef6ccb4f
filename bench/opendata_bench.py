"""Satu Data benchmark: ingest and query a generated table, against plain DuckDB and Datasette.

    .venv/bin/python bench/opendata_bench.py            # 10 million rows (a few minutes on 2 cores)
    .venv/bin/python bench/opendata_bench.py --rows 1000000 --repeat 20

Measured in one run, on the same data:
1. ingest: Etam's validator (every row checked, kode wilayah against the reference
   list) writing Parquet, rows per second;
2. ``datastore_search`` with two filters and a sort, through Etam's query layer (a fresh
   locked-down DuckDB connection per query, column checks, parameter binding) — p50/p95;
3. an aggregate over all rows (group by kab/kota: count, sum, avg) — p50/p95;
4. ``include_total`` without filters: taken from the row count stored at publication,
   so no scan at all; with filters, a columnar count;
5. the same SQL in plain DuckDB on the same Parquet file with one warm connection
   (Etam's overhead as a ratio);
6. the same queries through Datasette (in process, ASGI client) on the same rows
   loaded into SQLite with an index on the two filter columns, as a publisher would.

7. with ``--object-storage``: the same search and aggregate with the Parquet in an S3 bucket
   (moto's S3 server, started here), each read mode of ADR 0101 starting from a cold cache
   (no local copy, no DuckDB footer cache), against local disk measured the same way in
   the same run: p95 and the ratio to local disk (target: at most 1.5x).

Memory during ingest is checked by a test (peak does not follow file size).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import _common

_common.django_setup()
import logging  # noqa: E402

logging.getLogger("httpx").setLevel(logging.WARNING)

import duckdb  # noqa: E402

from etam.opendata import ingest, query  # noqa: E402

COLUMNS = [
    ingest.Column("kabkota", reference="kode_wilayah", required=True),
    ingest.Column("kecamatan", reference="kode_wilayah", required=True),
    ingest.Column("tahun", "year", required=True),
    ingest.Column("bulan", "integer", required=True, minimum=1, maximum=12),
    ingest.Column("kategori", required=True),
    ingest.Column("nilai", "number"),
]


def regions() -> tuple[list[str], list[tuple[str, str]]]:
    codes, kecamatan = [], []
    with open(_common.ROOT / "etam/core/data/kaltim_kode_wilayah_kemendagri_2025.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            codes.append(row["kode"])
            if row["tingkat"] == "kecamatan":
                kecamatan.append((row["kode_induk"], row["kode"]))
    return codes, kecamatan


def generate(path: Path, rows: int, kecamatan: list[tuple[str, str]]) -> None:
    """Write the CSV with DuckDB (fast); kab/kota and kecamatan codes are real and consistent."""
    con = duckdb.connect()
    con.execute("CREATE TABLE kec(i INTEGER, kab VARCHAR, kec VARCHAR)")
    con.executemany("INSERT INTO kec VALUES (?, ?, ?)", [(i, k, c) for i, (k, c) in enumerate(kecamatan)])
    n = len(kecamatan)
    con.execute(
        f"""
        COPY (
          SELECT kec.kab AS kabkota, kec.kec AS kecamatan,
                 2015 + (r // {max(rows // 10, 1)}) % 10 AS tahun, 1 + (r % 12) AS bulan,
                 'kategori-' || ((r * 7919) % 20) AS kategori,
                 round(((r * 2654435761) % 1000000) / 100.0, 2) AS nilai
          FROM range({rows}) t(r) JOIN kec ON kec.i = (r // 97) % {n}
          ORDER BY r
        ) TO '{path}' (HEADER, DELIMITER ',')
        """  # noqa: S608 (bench, numbers only)
    )
    con.close()


def timed(fn: Callable[[], object], repeat: int, warm_up: bool = True) -> list[float]:
    if warm_up:
        fn()  # warm-up (file cache), not counted
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def row(label: str, samples: list[float], base: list[float] | None = None) -> str:
    ratio = f"{p95(samples) / p95(base):6.1f}x" if base else "       "
    return f"{label:<58} {statistics.median(samples):9.1f} {p95(samples):9.1f}  {ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--datasette-repeat", type=int, default=5)
    parser.add_argument("--no-datasette", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument(
        "--object-storage", action="store_true", help="also read the Parquet from an S3 bucket (moto server)"
    )
    args = parser.parse_args()
    codes, kecamatan = regions()
    work = Path(tempfile.mkdtemp(prefix="etam-bench-"))
    csv_path, parquet_path = work / "data.csv", work / "data.parquet"

    print(f"Generating {args.rows:,} rows ...", flush=True)
    generate(csv_path, args.rows, kecamatan)
    size_mb = csv_path.stat().st_size / 1e6

    start = time.perf_counter()
    with open(csv_path, "rb") as raw:
        dialect = ingest.detect_dialect(raw, "data.csv")
        result = ingest.validate_to_parquet(raw, dialect, COLUMNS, region_codes=codes, parquet_out=str(parquet_path))
        keys = ingest.cluster_keys(COLUMNS)
        clustered = work / "clustered.parquet"
        ingest.cluster(str(parquet_path), str(clustered), keys, temp_dir=str(work))
        parquet_path = clustered
    ingest_s = time.perf_counter() - start
    assert result.ok, result.summary()["first"][:5]
    print(
        f"Ingest: {result.row_count:,} rows, {size_mb:,.0f} MB CSV in {ingest_s:.1f} s = "
        f"{result.row_count / ingest_s:,.0f} rows/s (validate, Parquet, sort by {', '.join(keys)}); "
        f"Parquet {parquet_path.stat().st_size / 1e6:,.0f} MB "
        "(bounded memory: tests/opendata/test_ingest.py::test_large_csv_streams_in_bounded_memory)",
        flush=True,
    )

    table = query.Table("bench", str(parquet_path), tuple((c.name, c.type) for c in COLUMNS), result.row_count)
    kab, kec = kecamatan[len(kecamatan) // 2]
    filters = {"kabkota": kab, "kecamatan": kec}

    ours_search = timed(lambda: query.search(table, filters=filters, sort="nilai desc", limit=100), args.repeat)
    ours_agg = timed(
        lambda: query.aggregate(
            table, group_by=["kabkota"], metrics=[("count", "*"), ("sum", "nilai"), ("avg", "nilai")]
        ),
        args.repeat,
    )
    ours_total = timed(lambda: query.search(table, limit=100, include_total=True), args.repeat)
    ours_total_filtered = timed(lambda: query.search(table, filters=filters, limit=100), args.repeat)
    ours_connect = timed(lambda: query.connection([table]).__enter__(), args.repeat)

    plain = duckdb.connect()
    plain.execute("SET threads = 2")
    plain.execute("SET parquet_metadata_cache = true")
    src = f"read_parquet('{parquet_path}')"
    search_sql = (
        f"SELECT * FROM {src} WHERE kabkota = ? AND kecamatan = ? ORDER BY nilai DESC NULLS LAST, _id LIMIT 100"  # noqa: S608
    )
    agg_sql = f"SELECT kabkota, count(*), sum(nilai), avg(nilai) FROM {src} GROUP BY kabkota ORDER BY kabkota"  # noqa: S608
    plain_search = timed(lambda: plain.execute(search_sql, [kab, kec]).fetchall(), args.repeat)
    plain_agg = timed(lambda: plain.execute(agg_sql).fetchall(), args.repeat)
    plain_count = timed(lambda: plain.execute(f"SELECT count(*) FROM {src}").fetchall(), args.repeat)  # noqa: S608

    lines = [
        f"{'query (' + format(args.rows, ',') + ' rows, 2 cores)':<58} {'p50 ms':>9} {'p95 ms':>9}  {'vs DuckDB':>8}",
        row("Etam datastore_search: 2 filters + sort, limit 100", ours_search, plain_search),
        row("Etam aggregate over all rows (group by kab/kota)", ours_agg, plain_agg),
        row("Etam include_total, no filter (stored row count)", ours_total, plain_count),
        row("Etam include_total with the 2 filters (columnar count)", ours_total_filtered),
        row("fresh locked-down connection (SQL endpoint only)", ours_connect),
        row("plain DuckDB, warm connection: same search", plain_search),
        row("plain DuckDB, warm connection: same aggregate", plain_agg),
        row("plain DuckDB: count(*) over the Parquet", plain_count),
    ]

    if args.object_storage:
        from bench.opendata_s3 import Helpers, object_storage_rows

        helpers = Helpers(timed=timed, p95=p95, row=row)
        lines += object_storage_rows(parquet_path, table, filters, work, args.repeat, helpers)
    if not args.no_datasette:
        lines += datasette_rows(csv_path, work, kab, kec, args, plain_search, plain_agg)
    print()
    print("\n".join(lines))
    if args.keep:
        print(f"\nWork files kept in {work}.")
    else:
        shutil.rmtree(work, ignore_errors=True)


def datasette_rows(
    csv_path: Path,
    work: Path,
    kab: str,
    kec: str,
    args: argparse.Namespace,
    plain_search: list[float],
    plain_agg: list[float],
) -> list[str]:
    from datasette.app import Datasette
    from sqlite_utils import Database

    db_path = work / "bench.db"
    start = time.perf_counter()
    # Plain executemany of tuples: several times faster than building dicts for sqlite-utils.
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA journal_mode = OFF")
    con.execute("PRAGMA synchronous = OFF")
    con.execute(
        "CREATE TABLE data (kabkota TEXT, kecamatan TEXT, tahun INTEGER, bulan INTEGER, kategori TEXT, nilai REAL)"
    )
    with open(csv_path, encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        con.executemany("INSERT INTO data VALUES (?, ?, ?, ?, ?, ?)", reader)
    con.commit()
    Database(con)["data"].create_index(["kabkota", "kecamatan"])
    con.close()
    load_s = time.perf_counter() - start
    print(f"Datasette: loaded into SQLite (+ index via sqlite-utils) in {load_s:.0f} s", flush=True)
    ds = Datasette([str(db_path)], settings={"sql_time_limit_ms": 120_000, "num_sql_threads": 2})
    loop = asyncio.new_event_loop()

    def get(path: str) -> None:
        response = loop.run_until_complete(ds.client.get(path))
        assert response.status_code == 200, response.text[:300]

    search = f"/bench/data.json?kabkota={kab}&kecamatan={kec}&_sort_desc=nilai&_size=100"
    agg = (
        "/bench.json?sql=" + "select+kabkota,count(*),sum(nilai),avg(nilai)+from+data+group+by+kabkota+order+by+kabkota"
    )
    ds_search = timed(lambda: get(search), args.datasette_repeat)
    ds_agg = timed(lambda: get(agg), args.datasette_repeat)
    return [
        row("Datasette (SQLite + index): same search, with its count", ds_search, plain_search),
        row("Datasette (SQLite): same aggregate", ds_agg, plain_agg),
    ]


if __name__ == "__main__":
    main()
