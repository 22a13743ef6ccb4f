"""Profile one gunicorn worker serving POST /api/v1/applications (py-spy, collapsed stacks).

    pip install py-spy   # into the venv, for profiling only
    python bench/eservices_profile.py [baseline|submit] [out.txt]
    python bench/eservices_profile.py cpu [N]   # no py-spy needed

Reuses bench/eservices_bench.py's database and data; one sync worker, 4 clients, py-spy
samples the worker for BENCH_SECONDS and prints the heaviest functions (inclusive %).

``cpu`` needs no server and no py-spy: it calls the WSGI application in this process, one
request after another (N of each, 2,000 by default), and prints the process CPU per request
of the insert-one-row ceiling and of a submission, their ratio (what the benchmark's ratio
tends to when the web workers' CPU is the bottleneck), then cProfile's heaviest functions
of the submissions (``BENCH_PROFILE_TOP``, 40).
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


def cpu(count: int) -> None:
    """Process CPU per request, in-process (see the module docstring)."""
    import cProfile
    import io
    import pstats
    import statistics
    import time

    bench.ensure_database(bench.DB_URL)
    service_id, tokens = bench.prepare()
    from django.core.handlers.wsgi import WSGIHandler

    from etam.core.models import Region

    bench.DESA = (
        Region.objects.current().filter(parent_code="64.72.01").order_by("code").values_list("code", flat=True)[0]
    )
    application = WSGIHandler()

    def call(path: str, body: bytes, headers: dict[str, str]) -> int:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "REMOTE_ADDR": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        environ |= {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
        status: list[str] = []
        for _chunk in application(environ, lambda s, h, *a: status.append(s)):
            pass
        return int(status[0].split()[0])

    def baseline(n: int) -> int:
        body = json.dumps({"service": service_id, "answers": bench.answers(n)}).encode()
        return call("/bench/insert-one-row", body, {})

    def submit(n: int) -> int:
        body = json.dumps({"service": service_id, "answers": bench.answers(n)}).encode()
        headers = {"Authorization": f"Bearer {tokens[n % len(tokens)]}", "Idempotency-Key": str(uuid.uuid4())}
        return call("/api/v1/applications", body, headers)

    from django.db import connection

    def backend_cpu() -> float:
        """CPU seconds of this connection's PostgreSQL backend (same machine, /proc)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def measure(one, n: int) -> tuple[float, float, float]:
        """Per request, in ms: this process's CPU, the database backend's CPU, wall time."""
        db, start, wall = backend_cpu(), time.process_time(), time.perf_counter()
        for i in range(n):
            status = one(i)
            if status != 201:
                raise SystemExit(f"{one.__name__}: HTTP {status}")
        python = (time.process_time() - start) / n * 1000
        wall = (time.perf_counter() - wall) / n * 1000
        return python, (backend_cpu() - db) / n * 1000, wall

    for one in (baseline, submit):  # warm up: imports, URL conf, first queries
        measure(one, 50)
    # Alternating rounds, medians: a shared machine's load changes within a run.
    rounds = int(os.environ.get("BENCH_ROUNDS", "5"))
    runs = [(measure(baseline, count // rounds), measure(submit, count // rounds)) for _ in range(rounds)]
    for index, name in ((0, "insert-one-row"), (1, "submission")):
        python, db, wall = (statistics.median(run[index][k] for run in runs) for k in range(3))
        print(
            f"{name:<16} per request, median of {rounds} rounds of {count // rounds}: web CPU {python:.2f} ms,"
            f" PostgreSQL backend CPU {db:.2f} ms, wall {wall:.2f} ms"
        )
    web = statistics.median(c[0] / s[0] for c, s in runs)
    both = statistics.median((c[0] + c[1]) / (s[0] + s[1]) for c, s in runs)
    print(f"ratio of CPU (ceiling/submission), median of rounds: web {web:.2f}, web + database {both:.2f}")
    if os.environ.get("BENCH_PROFILE_TOP") == "0":
        return
    profiler = cProfile.Profile(time.process_time)  # CPU, not waits on the database
    profiler.runcall(measure, submit, min(count, 1000))
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "cumulative")).print_stats(
        int(os.environ.get("BENCH_PROFILE_TOP", "40"))
    )
    print(stream.getvalue())


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "cpu":
        cpu(int(sys.argv[2]) if len(sys.argv) > 2 else 2000)
    elif len(sys.argv) > 1 and sys.argv[1] == "summarise":
        summarise(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 45)
    else:
        main()
