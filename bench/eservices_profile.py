"""Profile one gunicorn worker serving POST /api/v1/applications (py-spy, collapsed stacks).

    pip install py-spy   # into the venv, for profiling only
    python bench/eservices_profile.py [baseline|submit] [out.txt]

Reuses bench/eservices_bench.py's database and data; one sync worker, 4 clients, py-spy
samples the worker for BENCH_SECONDS and prints the heaviest functions (inclusive %).
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("BENCH_WORKERS", "1")
os.environ.setdefault("BENCH_CLIENTS", "4")
import eservices_bench as bench
from _common import ROOT


def main() -> None:
    target = sys.argv[1] if len(sys.argv) > 1 else "submit"
    out = sys.argv[2] if len(sys.argv) > 2 else str(Path(tempfile.gettempdir()) / f"eservices-{target}.collapsed")
    bench.ensure_database(bench.DB_URL)
    service_id, tokens = bench.prepare()
    from etam.core.models import Region

    bench.DESA = (
        Region.objects.current().filter(parent_code="64.72.01").order_by("code").values_list("code", flat=True)[0]
    )
    port = bench.free_port()
    server = bench.start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:

        def request(index: int, n: int):
            headers = {"Content-Type": "application/json"}
            if target == "submit":
                headers |= {"Authorization": f"Bearer {tokens[index]}", "Idempotency-Key": str(uuid.uuid4())}
            return json.dumps({"service": service_id, "answers": bench.answers(n)}), headers

        url = f"{base}/api/v1/applications" if target == "submit" else f"{base}/bench/insert-one-row"
        asyncio.run(bench.drive(url, request, 2))  # warm up
        worker = subprocess.run(
            ["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=True
        ).stdout.split()[0]
        spy = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/py-spy"),
                "record",
                "--pid",
                worker,
                "--format",
                "raw",
                "--rate",
                "250",
                "--duration",
                str(int(bench.SECONDS)),
                "--output",
                out,
                "--nonblocking",
            ],
        )
        threading.Thread(target=lambda: spy.wait(), daemon=True).start()
        lat, st, _ = asyncio.run(bench.drive(url, request, bench.SECONDS))
        bench.report(target, lat, st, bench.SECONDS)
        spy.wait(timeout=60)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    summarise(out)


def summarise(path: str, top: int = 45) -> None:
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        total += n
        frames = stack.split(";")
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
    print(f"samples {total}")
    for frame, n in inclusive.most_common(top):
        print(f"{100 * n / total:5.1f}% incl {100 * own[frame] / total:5.1f}% self  {frame}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "summarise":
        summarise(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 45)
    else:
        main()
