"""Submission benchmark: POST /api/v1/applications through gunicorn on PostgreSQL.

    python bench/eservices_bench.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/etam_es_bench BENCH_SECONDS=20 python bench/eservices_bench.py

Starts gunicorn (sync workers, 2 × cores) against a PostgreSQL database of its own,
drives it with 32 concurrent clients (aiohttp), first against a minimal Django endpoint
that only inserts one row (the ceiling, same middleware, same run), then against the real
submission API (bearer token, Idempotency-Key per request, JSON answers with NIK, phone
and a wilayah address; validation, numbering, audit event, notification outbox).
Prints submissions/s, p50, p99, errors and the ratio to the ceiling, and checks that
every 201 created exactly one case.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import statistics
import subprocess
import time
import uuid

import _common

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/etam_es_bench")
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "32"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1))))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1"))

_common.bench_environment(DB_URL, "bench.eservices_settings")
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "600")


def prepare() -> tuple[int, list[str]]:
    _common.setup_database(reference_data=True)
    from django.db import connection

    from etam.core.models import User
    from etam.eservices import demo_definitions, services
    from etam.eservices.models import Service

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS eservices_bench_probe (id bigserial PRIMARY KEY, body text)")
    agency, admin = _common.kaltim_agency_admin("PPID", "PPID Utama", "bench-admin@example.id", kind="pegawai")
    service = Service.objects.filter(slug="bench-informasi-publik").first()
    if service is None:
        definition = demo_definitions.informasi_publik()
        definition["service"]["slug"] = "bench-informasi-publik"
        service = services.service_import(
            actor=admin, agency=agency, document=demo_definitions.as_export(definition), publish=True
        )
    tokens = []
    for i in range(CLIENTS):
        user, _ = User.objects.get_or_create(
            email=f"bench-warga-{i}@example.id", defaults={"full_name": f"Warga Bench {i}"}
        )
        tokens.append(_common.api_token(user, "bench"))
    return service.pk, tokens


def start_server(port: int) -> subprocess.Popen:
    return _common.start_gunicorn(
        port,
        "--workers",
        str(WORKERS),
        "--worker-class",
        "sync",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
        # Workers import the URL conf on their first request; on a shared, oversubscribed
        # machine that can take longer than gunicorn's default 30 s worker timeout.
        "--timeout",
        "120",
    )


def answers(i: int) -> dict:
    return _common.information_request_answers(DESA, i)


DESA = ""


async def drive(
    url: str, make_request, seconds: float, timeout: float = 30
) -> tuple[list[float], dict[int, int], list[str]]:
    import aiohttp

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    numbers: list[str] = []
    stop = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=CLIENTS, force_close=True)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)) as session:

        async def client(index: int) -> None:
            n = 0
            while time.perf_counter() < stop:
                body, headers = make_request(index, n)
                n += 1
                start = time.perf_counter()
                try:
                    async with session.post(url, data=body, headers=headers) as response:
                        payload = await response.read()
                        status = response.status
                except Exception:
                    status = 0
                    payload = b""
                latencies.append(time.perf_counter() - start)
                statuses[status] = statuses.get(status, 0) + 1
                if status == 201 and b"tracking_number" in payload:
                    numbers.append(json.loads(payload)["tracking_number"])

        await asyncio.gather(*(client(i) for i in range(CLIENTS)))
    return latencies, statuses, numbers


def report(name: str, latencies: list[float], statuses: dict[int, int], seconds: float) -> float:
    ok = statuses.get(201, 0)
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000 if ordered else 0
    p99 = ordered[max(0, int(0.99 * len(ordered)) - 1)] * 1000 if ordered else 0
    rate = ok / seconds
    errors = sum(v for k, v in statuses.items() if k != 201)
    print(f"{name:<38} {rate:8.1f}/s   p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   errors {errors}  {statuses}")
    return rate


def main() -> None:
    global DESA
    _common.ensure_database(DB_URL)
    service_id, tokens = prepare()
    from django.db import connection

    from etam.core.models import Region
    from etam.eservices.models import Application

    DESA = Region.objects.current().filter(parent_code="64.72.01").order_by("code").values_list("code", flat=True)[0]
    port = _common.free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:

        def baseline_request(index: int, n: int):
            return json.dumps({"service": service_id, "answers": answers(n)}), {"Content-Type": "application/json"}

        def submit_request(index: int, n: int):
            return json.dumps({"service": service_id, "answers": answers(n)}), {
                "Content-Type": "application/json",
                "Authorization": f"Bearer {tokens[index]}",
                "Idempotency-Key": str(uuid.uuid4()),
            }

        print(
            f"gunicorn sync workers: {WORKERS}; clients: {CLIENTS}; {SECONDS:g} s per run"
            f" in {ROUNDS} alternating round(s); database {DB_URL}"
        )
        # Warm up with a patient client: a worker's first request imports the URL conf, and
        # a warm-up case finished after ``before`` was counted would read as a mismatch.
        asyncio.run(drive(f"{base}/bench/insert-one-row", baseline_request, 2, timeout=150))
        asyncio.run(drive(f"{base}/api/v1/applications", submit_request, 2, timeout=150))
        before = Application.objects.count()
        # BENCH_ROUNDS > 1 alternates the two (SECONDS / rounds each, rates over the sums):
        # on a shared machine the load then drifts over both alike.
        slice_seconds = SECONDS / ROUNDS
        lat: list[float] = []
        st: dict[int, int] = {}
        numbers: list[str] = []
        base_lat: list[float] = []
        base_st: dict[int, int] = {}
        for _ in range(ROUNDS):
            more_lat, more_st, _ = asyncio.run(drive(f"{base}/bench/insert-one-row", baseline_request, slice_seconds))
            base_lat += more_lat
            base_st = {k: base_st.get(k, 0) + more_st.get(k, 0) for k in {*base_st, *more_st}}
            more_lat, more_st, more_numbers = asyncio.run(
                drive(f"{base}/api/v1/applications", submit_request, slice_seconds)
            )
            lat += more_lat
            st = {k: st.get(k, 0) + more_st.get(k, 0) for k in {*st, *more_st}}
            numbers += more_numbers
        ceiling = report("baseline: insert one row", base_lat, base_st, SECONDS)
        rate = report("POST /api/v1/applications", lat, st, SECONDS)
        connection.close()
        created = Application.objects.count() - before
        print(f"ratio submissions/ceiling: {rate / ceiling:.2f}" if ceiling else "ratio: n/a")
        print(
            f"cases created {created}, 201 answers {st.get(201, 0)}, distinct tracking numbers {len(set(numbers))}"
            f" -> {'OK' if created == st.get(201, 0) == len(set(numbers)) else 'MISMATCH'}"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
