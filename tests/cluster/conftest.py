"""A production cluster of the tests' own (make cluster-test, ADR 0106).

``deploy/cluster.py up`` as ``make cluster`` runs it, but on a private Redis and a private
PostgreSQL instance that these fixtures start and may stop: the fault tests never stop the
machine's Redis or restart the machine's PostgreSQL. Runs only when selected with
``-m cluster``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from glob import glob
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy"))

import cluster as supervisor  # noqa: E402  (deploy/ is not a package)


def pytest_collection_modifyitems(config, items):
    if "cluster" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="cluster tests run on their own: make cluster-test (pytest -m cluster)")
    for item in items:
        if item.get_closest_marker("cluster"):
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_port(port: int, seconds: float = 20.0) -> None:
    supervisor.wait_port(port, seconds)


class PrivateRedis:
    """redis-server on its own port, with an append-only file so queued jobs survive a stop."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        root.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed (scripts/system-packages installs it)")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.root),
             "--pidfile", str(self.root / "redis.pid"),
             "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
            stdout=(self.root / "redis.log").open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        _wait_port(self.port)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


class PrivatePostgres:
    """A PostgreSQL instance of the tests' own (initdb/pg_ctl, as the postgres user when root)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.port = _free_port()
        bins = sorted(glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
        self.bin = Path(bins[-1]).parent

    def _run(self, *argv: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *argv], check=True, capture_output=True, cwd="/")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/etam_cluster_test"

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self) -> None:
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "postgres.log"), "-w",
            "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")


class Cluster:
    def __init__(self, state: Path, port: int, redis: PrivateRedis, postgres: PrivatePostgres) -> None:
        self.state = state
        self.port = port
        self.redis = redis
        self.postgres = postgres

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def cert(self) -> str:
        """The cluster's self-signed certificate: requests verify against it (SAN 127.0.0.1)."""
        return str(self.state / "tls" / "etam.crt")

    @property
    def env(self) -> dict[str, str]:
        return supervisor.read_env_file(self.state / "etam.env")

    def pid(self, name: str) -> int | None:
        return supervisor.running(self.state, name)

    def web_units(self) -> list[str]:
        return [n for n in supervisor.unit_names(self.state) if n.startswith("etam-web@")]

    def manage(self, *args: str, timeout: float = 120) -> str:
        result = subprocess.run(
            [str(supervisor.PYTHON), "manage.py", *args],
            cwd=REPO, env={**os.environ, **self.env}, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def sql(self, query: str, *params: object) -> list[tuple]:
        """A read on the cluster's database straight from the test (a ``manage.py shell``
        costs a Django start-up, tens of seconds on a loaded machine)."""
        import psycopg

        with psycopg.connect(self.env["DATABASE_URL"], connect_timeout=10) as conn:
            return conn.execute(query, params).fetchall()  # type: ignore[arg-type]

    def job_status(self, job_id: str) -> str:
        """RQ's status of a queued job (``finished`` once a worker ran it), read from Redis."""
        import redis
        from rq.job import Job

        connection = redis.Redis.from_url(self.env["TASKS_REDIS_URL"], socket_connect_timeout=5)
        status = Job.fetch(job_id, connection=connection).get_status()
        return str(getattr(status, "value", status))  # JobStatus is a str Enum: its value

    def supervise(self, *args: str) -> None:
        argv = [str(supervisor.PYTHON), str(REPO / "deploy" / "cluster.py"), *args, "--state-dir", str(self.state)]
        subprocess.run(argv, check=True, cwd=REPO, timeout=600)


LEFTOVERS = REPO / "var" / "cluster-test"


def cleanup_leftovers(base: Path = LEFTOVERS) -> None:
    """Stop whatever a cluster-test run left behind (pytest killed before its teardown): the
    units by their pid files, the private Redis by its pid file (checked to be redis-server),
    the private PostgreSQL with pg_ctl on its own data directory. Only under ``base``: the
    machine's own Redis and PostgreSQL are never signalled. Used by .ci/run's exit trap."""
    for root in sorted(base.glob("*/")):
        if (root / "state" / "run").exists():
            supervisor.down(argparse.Namespace(state_dir=str(root / "state"), keep_database=True))
        pidfile = root / "redis" / "redis.pid"
        with contextlib.suppress(OSError, ValueError):
            pid = int(pidfile.read_text())
            if b"redis-server" in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.kill(pid, 15)
        if (root / "postgres" / "data" / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                pg = PrivatePostgres.__new__(PrivatePostgres)
                pg.root, pg.data = root / "postgres", root / "postgres" / "data"
                pg.bin = Path(sorted(glob("/usr/lib/postgresql/*/bin/pg_ctl"))[-1]).parent
                pg.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


def _terminate_as_interrupt(signum: int, frame: object) -> None:
    # SIGTERM (CI's timeout, .ci/run's trap) as Ctrl-C: pytest then runs the session teardown,
    # which stops the cluster and the private servers.
    raise KeyboardInterrupt


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    import signal
    from concurrent.futures import ThreadPoolExecutor

    signal.signal(signal.SIGTERM, _terminate_as_interrupt)
    # Under var/, not /tmp/pytest-of-root (mode 700): the postgres user must reach its data.
    root = LEFTOVERS / time.strftime("%Y%m%d-%H%M%S")
    root.mkdir(parents=True)
    root.chmod(0o755)
    redis = PrivateRedis(root / "redis")
    postgres = PrivatePostgres(root / "postgres")
    started = time.monotonic()
    with ThreadPoolExecutor(2) as pool:  # independent: start both at once
        redis_started = pool.submit(redis.start)
        postgres.init()
        postgres.start()
        redis_started.result()
    print(f"\nprivate Redis and PostgreSQL up in {time.monotonic() - started:.1f} s")
    port = _free_port()
    state = root / "state"
    node = Cluster(state, port, redis, postgres)
    started = time.monotonic()
    try:
        node.supervise(
            "up", "--port", str(port), "--database-url", postgres.url,
            "--redis-url", f"{redis.url}/0", "--tasks-redis-url", f"{redis.url}/1", "--web-workers", "1",
            # Only the demo content the tests use (citizens' services, published datasets).
            "--demo", "core,eservices,opendata",
        )  # fmt: skip
        print(f"\ncluster up in {time.monotonic() - started:.1f} s")
        yield node
    finally:
        subprocess.run(
            [str(supervisor.PYTHON), str(REPO / "deploy" / "cluster.py"), "down", "--state-dir", str(state)],
            cwd=REPO, timeout=120, check=False,
        )  # fmt: skip
        redis.stop()
        with contextlib.suppress(subprocess.CalledProcessError):
            postgres.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
