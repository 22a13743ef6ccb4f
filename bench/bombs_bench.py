"""Memory and time of the SQL and upload attacks of issue 10 (findings 2 and 5).

Each case runs in a fresh Python process, which reports its resident memory just before
the attack, its peak (``ru_maxrss``) after it, the seconds it took and how it ended; the
baseline cases (an ordinary query, an ordinary workbook) are measured in the same run.
The free-form SQL child process is not counted: its heap is capped by ``RLIMIT_DATA``.
No database is needed: SQL goes through ``query.run_sql`` over a Parquet file made here,
workbooks through the inventory and Satu Data readers.

    .venv/bin/python bench/bombs_bench.py            # every case
    .venv/bin/python bench/bombs_bench.py --rows 200 # a smaller table for the SQL cases

Figures are in docs/adr/0072-bounded-queries.md and 0073-bounded-spreadsheet-uploads.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "sql_baseline": 'SELECT count(*) AS n FROM "t"',
    "sql_string_agg": "SELECT length(string_agg(repeat('x', 200000), '')) AS n FROM \"t\"",
    "sql_wide_output": "SELECT repeat('x', 200000) AS x FROM \"t\"",
    "sql_or_terms": 'SELECT * FROM "t" WHERE ' + " OR ".join(f"n = {1_000_000 + i}" for i in range(100_000)),  # noqa: S608
    "sql_nested": f'SELECT {"(" * 500}1{")" * 500} AS n FROM "t"',  # noqa: S608
    "xlsx_baseline_inventory": "",
    "xlsx_bomb_inventory": "",
    "xlsx_bomb_opendata": "",
}


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def run_case(name: str, rows: int, workdir: str) -> dict[str, object]:
    from _common import django_setup

    django_setup()
    from django.utils import translation

    translation.activate("en")
    if name.startswith("sql_"):
        import duckdb

        from etam.opendata import query

        path = os.path.join(workdir, "t.parquet")
        if not os.path.exists(path):
            duckdb.sql(
                f"COPY (SELECT i AS _id, i AS n, 'nama ' || i AS nama FROM range({rows}) r(i)) TO '{path}'"  # noqa: S608
            )
        table = query.Table(resource_id="t", path=path, columns=(("n", "integer"), ("nama", "string")), row_count=rows)

        def attack() -> str:
            try:
                result = query.run_sql(CASES[name], lambda names: {"t": table}, row_limit=10_000, timeout=60)
            except query.QueryError as exc:
                return f"refused: {exc.message[:100]}"
            except RecursionError:
                return "RecursionError (HTTP 500)"
            body = json.dumps(result)
            return f"answered: {len(result['records'])} records, {len(body) / 1e6:.0f} MB JSON"

    else:
        import io

        # Made by the parent run, so that building the bomb is not part of this process's peak.
        data = Path(workdir, "baseline.xlsx" if "baseline" in name else "bomb.xlsx").read_bytes()

        def attack() -> str:
            if name.endswith("_opendata"):
                from etam.opendata import ingest

                try:
                    header, _sample = ingest.read_sample(io.BytesIO(data), ingest.Dialect(format="xlsx"))
                except ingest.FileProblem as exc:
                    return f"refused: {str(exc)[:100]}"
                return f"read: {len(header)} columns"
            from etam.inventory import imports

            try:
                table_rows = imports.read_table("x.xlsx", data)
            except imports.ImportFileError as exc:
                return f"refused: {str(exc)[:100]}"
            return f"read: {len(table_rows)} rows"

    before = rss_mb()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    outcome = attack()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "case": name,
        "seconds": round(seconds, 2),
        "rss_before_mb": round(before),
        "peak_before_mb": round(peak_before),
        "peak_mb": round(peak),
        "outcome": outcome,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--case")
    parser.add_argument("--workdir")
    parser.add_argument("--timeout", type=int, default=180)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.rows, args.workdir)))
        return
    sys.path.insert(0, str(ROOT))
    from tests import bombs

    with tempfile.TemporaryDirectory() as workdir:
        header = ["kode_wilayah", "kode_opd", "nama", "tujuan"]
        rows = [header] + [["64.72", "X", f"A{i}", "T"] for i in range(1000)]
        Path(workdir, "baseline.xlsx").write_bytes(bombs.workbook(rows))
        Path(workdir, "bomb.xlsx").write_bytes(bombs.shared_strings_bomb(header, entries=1_300_000))
        print(f"{'case':26} {'seconds':>8} {'RSS before':>11} {'peak':>7} {'+MB':>6}  outcome")
        for name in CASES:
            command = [sys.executable, __file__, "--case", name, "--rows", str(args.rows), "--workdir", workdir]
            try:
                done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout, check=False)
                line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
                figures = json.loads(line) if line.startswith("{") else None
            except subprocess.TimeoutExpired:
                figures = None
                done = None
            if figures is None:
                tail = (done.stderr.strip().splitlines() or ["?"])[-1] if done else f"killed after {args.timeout} s"
                print(f"{name:26} {'-':>8} {'-':>11} {'-':>7} {'-':>6}  {tail[:100]}")
                continue
            # Growth of the peak over what the process held before the attack (0: no new peak).
            grown = max(0, figures["peak_mb"] - max(figures["rss_before_mb"], figures["peak_before_mb"]))
            print(
                f"{name:26} {figures['seconds']:>8} {figures['rss_before_mb']:>11} {figures['peak_mb']:>7} "
                f"{grown:>6}  {figures['outcome']}"
            )


if __name__ == "__main__":
    main()
