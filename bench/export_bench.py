"""Download cost of formula neutralisation (issue 10, finding 4): CSV and XLSX, with and without it.

Builds a Parquet table (``--rows``, default 1,000,000; three text columns, two numbers, 1 % of the
text cells start with ``=``, ``-`` or ``@``) and streams it the way ``opendata.views.download`` does:
``query.iter_rows`` → ``pyarrow.csv.write_csv`` (CSV) and openpyxl write-only (XLSX, ``--xlsx-rows``).
The baseline is the same stream without ``etam.core.exports`` in the same run; compare the ratios.
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import _common

_common.django_setup()

import duckdb  # noqa: E402
import pyarrow.csv as pacsv  # noqa: E402

from etam.core import exports  # noqa: E402
from etam.opendata import query  # noqa: E402


def build(path: Path, rows: int) -> query.Table:
    path.parent.mkdir(parents=True)
    duckdb.sql(
        f"""COPY (SELECT i AS _id,
              CASE WHEN i % 100 = 0 THEN '=HYPERLINK("x")' ELSE 'Kecamatan ' || (i % 1000) END AS nama,
              CASE WHEN i % 100 = 1 THEN '-' || i ELSE 'Desa ' || i END AS desa,
              CASE WHEN i % 100 = 2 THEN '@SUM(A1)' ELSE 'kategori ' || (i % 7) END AS kategori,
              (i % 5000) - 2500 AS nilai, i * 0.5 AS rasio
            FROM range({rows}) t(i)) TO '{path}' (FORMAT parquet)"""  # noqa: S608 (bench-made values)
    )
    columns = (
        ("nama", "string"),
        ("desa", "string"),
        ("kategori", "string"),
        ("nilai", "integer"),
        ("rasio", "number"),
    )
    return query.Table(resource_id="bench", path=str(path), columns=columns, row_count=rows)


def csv_bytes(table: query.Table, safe: bool) -> int:
    total = 0
    first = True
    for batch in query.iter_rows(table):
        buffer = io.BytesIO()
        out = exports.neutralise_arrow_batch(batch) if safe else batch
        pacsv.write_csv(out, buffer, write_options=pacsv.WriteOptions(include_header=first))
        first = False
        total += len(buffer.getvalue())
    return total


def xlsx_bytes(table: query.Table, safe: bool, limit: int) -> int:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="data")
    sheet.append(table.names)
    written = 0
    for batch in query.iter_rows(table, filters=None):
        columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
        for row in zip(*columns, strict=True):
            sheet.append(exports.safe_row(row) if safe else list(row))
            written += 1
            if written >= limit:
                break
        if written >= limit:
            break
    with tempfile.TemporaryFile() as spool:
        workbook.save(spool)
        return spool.tell()


def timed(fn: Callable[[bool], object], repeat: int) -> tuple[list[float], list[float]]:
    """Plain and neutralised runs interleaved (after one warm-up of each), so noise hits both alike."""
    fn(False)
    fn(True)
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for safe in (False, True):
            start = time.perf_counter()
            fn(safe)
            samples[safe].append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="etam-export-bench-"))
    try:
        table = build(work / "a" / "b" / "c" / "data.parquet", args.rows)
        print(f"{args.rows:,} rows; median of {args.repeat} runs (seconds)")
        for label, fn in (
            ("CSV", lambda safe: csv_bytes(table, safe)),
            (f"XLSX ({args.xlsx_rows:,} rows)", lambda safe: xlsx_bytes(table, safe, args.xlsx_rows)),
        ):
            plain_runs, safe_runs = timed(fn, args.repeat)
            base, safe = statistics.median(plain_runs), statistics.median(safe_runs)
            print(f"{label:<22} plain {base:7.3f}  neutralised {safe:7.3f}  ratio {safe / base:5.2f}")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
