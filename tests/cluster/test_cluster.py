"""Smoke and fault tests against the production topology (make cluster-test; ADR 0106).

One cluster for the module (conftest.py): nginx (TLS) -> two gunicorn processes, an RQ
worker, the scheduler, a private PostgreSQL, a private Redis and moto's S3 server. The
tests run in file order: the smoke checks first, then one fault at a time, each putting
the cluster back as it found it. Counts are printed (-s) for the report.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from bench._common import information_request_answers
from tests.cluster.conftest import REPO, Cluster, supervisor

pytestmark = pytest.mark.cluster

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

PREPARE = """
import json, secrets
from etam.core.models import ApiToken, Region, User
from etam.core.models.people import hash_token
from etam.eservices.models import Service
tokens = []
for i in range(6):
    user, _ = User.objects.get_or_create(email=f"cluster-warga-{i}@example.id", defaults={"full_name": f"Warga {i}"})
    raw = "etam_" + secrets.token_urlsafe(24)
    ApiToken.objects.create(user=user, name="cluster-test", prefix=raw[:12], key_hash=hash_token(raw))
    tokens.append(raw)
services = {s.slug: s.pk for s in Service.objects.filter(published_version__isnull=False)}
desa = Region.objects.current().filter(parent_code="64.72.01").order_by("code").values_list("code", flat=True)[0]
print(json.dumps({"tokens": tokens, "services": services, "desa": desa}))
"""


def _service(services: dict[str, int], word: str) -> int:
    return next(pk for slug, pk in services.items() if word in slug)


@pytest.fixture(scope="module")
def citizens(cluster: Cluster) -> dict:
    return json.loads(cluster.manage("shell", "-c", PREPARE).strip().splitlines()[-1])


def _answers(desa: str, n: int) -> dict:
    return information_request_answers(desa, n, street="Jl. Uji", purpose="Uji klaster")


def _research_answers(desa: str) -> dict:
    pdf = {"name": "pengantar.pdf", "content_base64": base64.b64encode(PDF).decode()}
    return {
        **{k: v for k, v in _answers(desa, 0).items() if k in {"nama", "nik", "telepon", "email", "alamat"}},
        "judul": "Tata kelola data desa",
        "lembaga": "Universitas Mulawarman",
        "jenjang": "s2",
        "mulai": "2027-01-05",
        "selesai": "2027-03-05",
        "lokasi": "Samarinda",
        "ada_tim": False,
        "surat_pengantar": pdf,
        "proposal": {**pdf, "name": "proposal.pdf"},
        "ktp": {**pdf, "name": "ktp.pdf"},  # the research permit asks for the KTP as an upload (issue 15)
    }


def _submit(cluster: Cluster, token: str, service: int, answers: dict, timeout: float = 20) -> requests.Response:
    return requests.post(
        f"{cluster.base}/api/v1/applications",
        json={"service": service, "answers": answers},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
        verify=cluster.cert,
        timeout=timeout,
    )


def _stored(cluster: Cluster, numbers: list[str]) -> int:
    rows = cluster.sql("SELECT count(*) FROM eservices_application WHERE tracking_number = ANY(%s)", numbers)
    return int(rows[0][0])


def _readyz(cluster: Cluster) -> tuple[int, dict]:
    try:
        response = requests.get(f"{cluster.base}/readyz", verify=cluster.cert, timeout=10)
    except requests.RequestException as exc:
        return 0, {"error": exc.__class__.__name__}
    return response.status_code, response.json() if response.headers.get("Content-Type", "").startswith(
        "application/json"
    ) else {}


def _wait_readyz(cluster: Cluster, status: int, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    code, body = _readyz(cluster)
    while code != status and time.monotonic() < deadline:
        time.sleep(0.5)
        code, body = _readyz(cluster)
    assert code == status, body
    return body


def _wait_job_successful(cluster: Cluster, job_id: str, seconds: float = 60) -> None:
    """Wait until the queue reports the job finished (a worker ran it)."""
    deadline = time.monotonic() + seconds
    status = ""
    while time.monotonic() < deadline:
        status = cluster.job_status(job_id)
        if status.endswith("finished"):
            return
        time.sleep(1)
    raise AssertionError(f"job {job_id}: {status}")


class Load:
    """Citizens submitting through nginx from a few threads; records what was acknowledged (201)."""

    def __init__(self, cluster: Cluster, citizens: dict, threads: int = 4) -> None:
        self.cluster = cluster
        self.citizens = citizens
        self.service = _service(citizens["services"], "informasi")
        self.acknowledged: list[str] = []
        self.statuses: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]

    def _run(self, index: int) -> None:
        n = 0
        while not self._stop.is_set():
            n += 1
            try:
                response = _submit(
                    self.cluster, self.citizens["tokens"][index], self.service, _answers(self.citizens["desa"], n), 10
                )
                status = response.status_code
            except requests.RequestException:
                status = 0
            with self._lock:
                self.statuses.append((time.monotonic(), status))
                if status == 201:
                    self.acknowledged.append(response.json()["tracking_number"])

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)

    def after(self, moment: float) -> list[int]:
        return [status for at, status in self.statuses if at > moment]


# --- smoke --------------------------------------------------------------------------------


def test_readyz_reports_every_component_through_nginx(cluster: Cluster):
    code, body = _readyz(cluster)
    assert code == 200, body
    components = body["components"]
    assert set(components) == {"database", "cache", "queue", "storage"}
    assert components["database"]["backend"] == "postgresql"
    assert components["cache"]["backend"] == "django_redis.RedisCache"
    assert components["queue"]["backend"] == "etam.RQBackend"
    assert all(c["status"] == "ok" for c in components.values())


def test_tls_proxy_secure_cookies_and_redirect(cluster: Cluster):
    page = requests.get(f"{cluster.base}/masuk/", verify=cluster.cert, timeout=10)
    assert page.status_code == 200
    cookie = next(c for c in page.cookies if c.name == "csrftoken")
    assert cookie.secure
    # Straight to a web process, without the proxy's X-Forwarded-Proto: redirected to HTTPS.
    port = cluster.env["ETAM_WEB_PORT_A"]
    direct = requests.get(f"http://127.0.0.1:{port}/", headers={"Host": "127.0.0.1"}, allow_redirects=False, timeout=10)
    assert direct.status_code == 301
    assert direct.headers["Location"].startswith("https://")
    static = requests.get(f"{cluster.base}/static/", verify=cluster.cert, timeout=10)
    assert static.status_code in {403, 404}  # served (refused) by nginx itself, not Django
    assert "nginx" in static.headers.get("Server", "")


def test_citizen_submission_with_a_file_through_nginx(cluster: Cluster, citizens: dict):
    response = _submit(cluster, citizens["tokens"][0], _service(citizens["services"], "penelitian"),
                       _research_answers(citizens["desa"]))  # fmt: skip
    assert response.status_code == 201, response.text[:2000]
    number = response.json()["tracking_number"]
    assert _stored(cluster, [number]) == 1
    env = cluster.env
    s3 = supervisor.s3_client(env)
    bodies = [
        s3.get_object(Bucket=env["AWS_STORAGE_BUCKET_NAME"], Key=o["Key"])["Body"].read()
        for o in s3.list_objects_v2(Bucket=env["AWS_STORAGE_BUCKET_NAME"]).get("Contents", [])
    ]
    assert PDF in bodies


def test_dataset_parquet_in_the_bucket_is_queried(cluster: Cluster):
    search = requests.get(f"{cluster.base}/api/3/action/package_search?rows=50", verify=cluster.cert, timeout=20).json()
    resources = [r for p in search["result"]["results"] for r in p.get("resources", []) if r.get("datastore_active")]
    assert resources, "the demo content publishes datasets"
    # The first table with rows (a system dataset of a module whose demo is not loaded is empty).
    queried = []
    for resource in resources:
        rows = requests.get(
            f"{cluster.base}/api/3/action/datastore_search", params={"resource_id": resource["id"], "limit": 5},
            verify=cluster.cert, timeout=20,
        ).json()  # fmt: skip
        assert rows["success"], rows
        queried.append((resource["id"], rows["result"]["total"]))
        if rows["result"]["records"]:
            break
    else:
        raise AssertionError(f"no published table answered rows: {queried}")
    env = cluster.env
    s3 = supervisor.s3_client(env)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=env["AWS_STORAGE_BUCKET_NAME"]).get("Contents", [])]
    assert any(key.endswith(".parquet") for key in keys)


def test_publication_warms_the_local_parquet_copy(cluster: Cluster):
    # Every published table is in the local read-through copy, not only the one queried
    # above: the worker's warm_parquet_copy job fetched each at publication (same machine,
    # same OPENDATA_PARQUET_CACHE_DIR as the web units here; docs/operations.md).
    cache = Path(cluster.env["ETAM_VAR_DIR"]) / "cache" / "parquet"
    published = (
        "SELECT r.file FROM opendata_resource r JOIN opendata_datasetversion v ON v.id = r.version_id "
        "WHERE v.status = 'published'"
    )
    names = [row[0] for row in cluster.sql(published)]
    assert names
    deadline = time.monotonic() + 60
    missing = names
    while missing and time.monotonic() < deadline:
        missing = [name for name in names if not (cache / name).exists()]
        time.sleep(1)
    print(f"\nParquet warmed at publication: {len(names) - len(missing)} of {len(names)}")
    assert not missing, missing


def test_backup_and_restore_drill(cluster: Cluster):
    started = time.monotonic()
    result = subprocess.run(
        [str(REPO / "scripts" / "restore-drill")], cwd=REPO, env={**os.environ, **cluster.env},
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    print(f"\nrestore drill: {time.monotonic() - started:.1f} s\n{result.stdout[-1500:]}")
    assert result.returncode == 0, result.stderr[-3000:]


# --- faults -------------------------------------------------------------------------------


def test_sigkill_one_web_process_under_submission_load(cluster: Cluster, citizens: dict):
    victim = cluster.web_units()[0]
    pid = cluster.pid(victim)
    assert pid is not None
    with Load(cluster, citizens) as load:
        time.sleep(3)
        killed_at = time.monotonic()
        os.killpg(pid, signal.SIGKILL)  # the gunicorn master and its workers, no goodbye
        time.sleep(6)
    stored = _stored(cluster, load.acknowledged)
    after = load.after(killed_at + 1.0)
    print(
        f"\nSIGKILL {victim}: acknowledged {len(load.acknowledged)}, stored {stored}; "
        f"statuses after the kill: { {s: after.count(s) for s in set(after)} }"
    )
    assert load.acknowledged and stored == len(load.acknowledged)
    assert after and all(status == 201 for status in after), "the other web process keeps serving"
    assert cluster.pid(victim) is None
    supervisor.start(victim, cluster.state)  # what Restart=on-failure does under systemd
    _wait_readyz(cluster, 200)


def test_redis_down_pages_serve_and_queued_work_resumes(cluster: Cluster, citizens: dict):
    enqueue = "from etam.core.tasks import seal_audit_events; r = seal_audit_events.enqueue(); print(r.id)"
    supervisor.stop("etam-worker", cluster.state)  # so the job waits in Redis through the outage
    job_id = cluster.manage("shell", "-c", enqueue).strip().splitlines()[-1]
    cluster.redis.stop()
    try:
        started = time.monotonic()
        home = requests.get(f"{cluster.base}/", verify=cluster.cert, timeout=15)
        assert home.status_code == 200
        print(f"\nRedis down: home page {home.status_code} in {time.monotonic() - started:.2f} s")
        response = _submit(cluster, citizens["tokens"][1], _service(citizens["services"], "informasi"),
                           _answers(citizens["desa"], 9001))  # fmt: skip
        assert response.status_code == 201, response.text[:1000]
        assert _stored(cluster, [response.json()["tracking_number"]]) == 1
        body = _wait_readyz(cluster, 503, 15)
        assert body["components"]["cache"]["status"] != "ok"
        assert body["components"]["queue"]["status"] != "ok"
        assert body["components"]["database"]["status"] == "ok"
    finally:
        cluster.redis.start()
        supervisor.start("etam-worker", cluster.state)  # even after a failure, for the tests that follow
    _wait_readyz(cluster, 200)
    _wait_job_successful(cluster, job_id)


def test_worker_killed_mid_job_leaves_the_job_to_be_retried(cluster: Cluster):
    # A job marked started by a worker whose heartbeat has expired is what RQ sees after a
    # SIGKILL mid-job; the periodic sweep puts it back and a worker runs it.
    script = """
import time, django_rq
from rq.registry import StartedJobRegistry
from django_tasks_rq.backend import Job
from rq.job import JobStatus
from etam.core import queue
from etam.core.tasks import seal_audit_events
result = seal_audit_events.enqueue()
q = django_rq.get_queue("default", job_class=Job)
job = q.fetch_job(result.id)
q.remove(job)
job.set_status(JobStatus.STARTED)
# The started-registry entry of an execution whose heartbeat stopped 1970-01-01.
q.connection.zadd(StartedJobRegistry(queue=q).key, {f"{job.id}:killed-worker": 1})
print(queue.requeue_abandoned(), result.id)
"""
    requeued, job_id = cluster.manage("shell", "-c", script).strip().splitlines()[-1].split()
    assert int(requeued) >= 1
    _wait_job_successful(cluster, job_id)


def test_s3_down_an_upload_gets_a_clear_message_and_nothing_half_written(cluster: Cluster, citizens: dict):
    count = "SELECT (SELECT count(*) FROM eservices_application), (SELECT count(*) FROM eservices_uploadedfile)"
    before = cluster.sql(count)[0]
    supervisor.stop("etam-s3", cluster.state)
    try:
        response = _submit(cluster, citizens["tokens"][2], _service(citizens["services"], "penelitian"),
                           _research_answers(citizens["desa"]))  # fmt: skip
        assert response.status_code == 503, response.text[:1000]
        assert "Traceback" not in response.text
        error = response.json()["error"]
        assert error["code"] == "storage_unavailable"
        assert error["message"].startswith("Penyimpanan berkas sedang tidak tersedia"), error
        after = cluster.sql(count)[0]
        print(f"\nS3 down: upload answered {response.status_code} {error['code']}; "
              f"applications, files before {before} after {after}")  # fmt: skip
        assert after == before
    finally:
        supervisor.start("etam-s3", cluster.state)
        supervisor.wait_port(int(cluster.env["ETAM_S3_PORT"]))
        supervisor.create_bucket(cluster.env)  # moto keeps objects in memory only
    _wait_readyz(cluster, 200)


def test_postgres_restart_readyz_503_then_recovers_and_no_acknowledged_submission_lost(
    cluster: Cluster, citizens: dict
):
    with Load(cluster, citizens, threads=3) as load:
        time.sleep(2)
        cluster.postgres.stop("fast")
        down = _wait_readyz(cluster, 503, 20)
        assert down["components"]["database"]["status"] != "ok"
        time.sleep(2)
        cluster.postgres.start()
        _wait_readyz(cluster, 200, 60)
        time.sleep(3)
    # What systemd's Restart=on-failure does: a process that gave up on the database comes back.
    restarted = [name for name in supervisor.unit_names(cluster.state) if cluster.pid(name) is None]
    for name in restarted:
        supervisor.start(name, cluster.state)
    stored = _stored(cluster, load.acknowledged)
    print(f"\nPostgreSQL restart: acknowledged {len(load.acknowledged)}, stored {stored}; restarted {restarted}")
    assert load.acknowledged and stored == len(load.acknowledged)
    home = requests.get(f"{cluster.base}/", verify=cluster.cert, timeout=15)
    assert home.status_code == 200


def test_cluster_down_stops_everything_it_started(cluster: Cluster):
    pids = {name: cluster.pid(name) for name in supervisor.unit_names(cluster.state)}
    assert all(pids.values()), pids
    cluster.supervise("down", "--keep-database")
    for name, pid in pids.items():
        assert not Path(f"/proc/{pid}").exists() or cluster.pid(name) is None, name
    assert not list((cluster.state / "run").glob("etam-*.pid"))
    # Nothing else was touched: the private Redis and PostgreSQL still answer.
    assert cluster.redis.process is not None and cluster.redis.process.poll() is None
    supervisor.wait_port(cluster.postgres.port, 5)
