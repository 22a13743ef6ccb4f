"""Run Etam's production topology on one machine from the repo's own deploy/ files.

    python deploy/cluster.py up [--port 8443] [--state-dir var/cluster]
    python deploy/cluster.py down [--state-dir var/cluster]
    python deploy/cluster.py status [--state-dir var/cluster]

These machines have no systemd, so this runs the ExecStart lines of the very unit files a
province installs (deploy/systemd/*.service, plus deploy/cluster/*.service for the local
nginx and S3 server), with the paths mapped: /opt/etam/var -> <state-dir>/var, /opt/etam ->
the checkout, /etc/etam -> <state-dir>. Each process gets its own session (so stopping it
stops its children, e.g. gunicorn's workers) and a pid file in <state-dir>/run/; ``down``
stops exactly the processes those pid files name, checking each is still the command it
started, and nothing else. Backing services: the machine's PostgreSQL (a fresh database),
the machine's Redis (DB numbers 12 and 13) and moto's S3 server; ``--database-url`` and
``--redis-url`` point at others (the fault tests use private ones they may stop).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from configparser import ConfigParser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
UNITS = REPO / "deploy" / "systemd"
LOCAL_UNITS = REPO / "deploy" / "cluster"
NGINX_SITE = REPO / "deploy" / "nginx" / "etam.conf"
PYTHON = REPO / ".venv" / "bin" / "python"
BUCKET = "etam-cluster"
# Start order; stopped in reverse.
SERVICES = ("etam-s3", "etam-web@A", "etam-web@B", "etam-worker", "etam-scheduler", "etam-nginx")


class ClusterError(Exception):
    pass


# --- unit files ---------------------------------------------------------------------------


def read_unit(path: Path) -> dict[str, str]:
    """The [Service] section of a unit file (keys as written; one value per key)."""
    parser = ConfigParser(strict=False, interpolation=None, comment_prefixes=("#", ";"))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text())
    if not parser.has_section("Service"):
        raise ClusterError(f"{path}: no [Service] section")
    return dict(parser["Service"])


def unit_path(name: str) -> Path:
    """etam-web@8001 -> deploy/systemd/etam-web@.service; local-only units in deploy/cluster/."""
    base = re.sub(r"@.*$", "@", name) + ".service"
    for folder in (UNITS, LOCAL_UNITS):
        if (folder / base).exists():
            return folder / base
    raise ClusterError(f"no unit file for {name}")


def map_paths(text: str, state: Path) -> str:
    return (
        text.replace("/opt/etam/var", str(state / "var"))
        .replace("/opt/etam", str(REPO))
        .replace("/etc/etam", str(state))
    )


def read_env_file(path: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key.strip()] = value.strip().strip('"')
    return env


def command_line(name: str, state: Path) -> tuple[list[str], Path, dict[str, str]]:
    """The unit's ExecStart as systemd would run it: %i, ${VAR} from its EnvironmentFile."""
    service = read_unit(unit_path(name))
    instance = name.split("@", 1)[1] if "@" in name else ""
    env: dict[str, str] = {}
    if "EnvironmentFile" in service:
        env.update(read_env_file(Path(map_paths(service["EnvironmentFile"].lstrip("-"), state))))
    line = map_paths(service["ExecStart"].lstrip("-@+!"), state).replace("%i", instance)
    line = re.sub(r"\$\{(\w+)\}", lambda m: env.get(m.group(1), ""), line)
    workdir = Path(map_paths(service.get("WorkingDirectory", str(REPO)), state))
    return shlex.split(line), workdir, env


# --- processes ------------------------------------------------------------------------------


def pid_file(state: Path, name: str) -> Path:
    return state / "run" / f"{name}.pid"


def _start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (field 22 of /proc/<pid>/stat): a pid reused by
    another process after ours died has another start time."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _record(state: Path, name: str) -> dict[str, object] | None:
    path = pid_file(state, name)
    return dict(json.loads(path.read_text())) if path.exists() else None


def running(state: Path, name: str) -> int | None:
    record = _record(state, name)
    if record is None:
        return None
    pid = int(str(record["pid"]))
    return pid if _start_time(pid) == record["started"] else None


def start(name: str, state: Path) -> int:
    if (pid := running(state, name)) is not None:
        return pid
    argv, workdir, unit_env = command_line(name, state)
    log = (state / "log" / f"{name}.log").open("ab")
    process = subprocess.Popen(  # noqa: S603 (the unit's own command line)
        argv, cwd=workdir, env={**os.environ, **unit_env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    record = {"pid": process.pid, "started": _start_time(process.pid), "argv": argv}
    pid_file(state, name).write_text(json.dumps(record))
    return process.pid


def stop(name: str, state: Path, grace: float = 20.0) -> None:
    """SIGTERM to the unit's session (gunicorn's workers, RQ's work-horse too), SIGKILL after
    ``grace``. A leader already dead (e.g. killed by a fault test) may leave its session's
    children: they are in the process group named by the recorded pid, which no other
    process can hold while any of them lives."""
    record = _record(state, name)
    if record is None:
        return
    pid = int(str(record["pid"]))
    leader_ours = running(state, name) is not None
    if leader_ours or _start_time(pid) is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and _group_alive(pid):
            _reap(pid)
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    pid_file(state, name).unlink(missing_ok=True)


def _group_alive(pgid: int) -> bool:
    """Whether any process of group ``pgid`` still runs. Zombies do not count: a unit
    restarted by another process (a fault test, as systemd would) is that process's child,
    and only it can reap it, so waiting on them would only wait out the grace period."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[2] == str(pgid) and fields[0] != "Z":
            return True
    return False


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def wait_port(port: int, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise ClusterError(f"nothing listens on 127.0.0.1:{port} after {seconds:.0f} s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- setup ----------------------------------------------------------------------------------


def _secret() -> str:
    return secrets.token_urlsafe(48)


def _backup_key(old: str | None) -> str:
    """BACKUP_ENCRYPTION_KEY: 32 random bytes in base64 (``openssl rand -base64 32``, what
    etam.ops.sealing accepts); an older env file's key is kept when it has that form."""
    with contextlib.suppress(ValueError, TypeError):
        if old and len(base64.b64decode(old, validate=True)) == 32:
            return old
    return base64.b64encode(secrets.token_bytes(32)).decode()


def write_environment(state: Path, args: argparse.Namespace) -> dict[str, str]:
    """<state>/etam.env: the same variables a province puts in /etc/etam/etam.env. Secrets are
    generated once and kept across restarts (they encrypt fields and seal the audit trail)."""
    path = state / "etam.env"
    old = read_env_file(path) if path.exists() else {}
    web_ports = [int(old.get("ETAM_WEB_PORT_A", 0)) or free_port(), int(old.get("ETAM_WEB_PORT_B", 0)) or free_port()]
    s3_port = int(old.get("ETAM_S3_PORT", 0)) or free_port()
    origin = f"https://127.0.0.1:{args.port}"
    env = {
        "ETAM_MODE": "production",
        "ETAM_VAR_DIR": str(state / "var"),
        "SECRET_KEY": old.get("SECRET_KEY") or _secret(),
        "ESERVICES_FIELD_KEY": old.get("ESERVICES_FIELD_KEY") or _secret(),
        "AUDIT_SEAL_KEY": old.get("AUDIT_SEAL_KEY") or _secret(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": f"{origin},https://localhost:{args.port}",
        "ESERVICES_PUBLIC_BASE_URL": origin,
        "TRUSTED_PROXY_COUNT": "1",
        "SECURE_HSTS_SECONDS": "0",  # a local, self-signed cluster: no HSTS pinned in the browser
        "ETAM_REQUIRE_STAFF_2FA": "false",  # the demo logins, as in make run
        "DATABASE_URL": args.database_url or f"postgres://postgres@127.0.0.1:5432/etam_cluster_{args.port}",
        "REDIS_URL": args.redis_url or "redis://127.0.0.1:6379/12",
        "TASKS_BACKEND": "rq",
        "TASKS_REDIS_URL": args.tasks_redis_url or (args.redis_url or "redis://127.0.0.1:6379/13"),
        "FILE_STORAGE_BACKEND": "storages.backends.s3.S3Storage",
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
        "AWS_ACCESS_KEY_ID": old.get("AWS_ACCESS_KEY_ID") or "etam-cluster",
        "AWS_SECRET_ACCESS_KEY": old.get("AWS_SECRET_ACCESS_KEY") or _secret(),
        "AWS_S3_REGION_NAME": "us-east-1",
        "BACKUP_ENCRYPTION_KEY": _backup_key(old.get("BACKUP_ENCRYPTION_KEY")),
        "WEB_WORKERS": str(args.web_workers),
        "ETAM_WEB_PORT_A": str(web_ports[0]),
        "ETAM_WEB_PORT_B": str(web_ports[1]),
        "ETAM_S3_PORT": str(s3_port),
        "ETAM_CLUSTER_PORT": str(args.port),
    }
    path.write_text("# Written by deploy/cluster.py (make cluster). Secrets: keep private.\n")
    path.chmod(0o600)
    with path.open("a") as handle:
        handle.writelines(f"{key}={value}\n" for key, value in env.items())
    return env


def certificate(state: Path) -> None:
    tls = state / "tls"
    tls.mkdir(parents=True, exist_ok=True)
    if (tls / "etam.crt").exists():
        return
    openssl = shutil.which("openssl")
    if openssl is None:
        raise ClusterError("openssl is not installed (Debian package openssl): needed for the TLS certificate")
    subprocess.run(  # noqa: S603
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(tls / "etam.key"), "-out", str(tls / "etam.crt"),
        ],
        check=True, capture_output=True,
    )  # fmt: skip
    (tls / "etam.key").chmod(0o600)


def nginx_config(state: Path, env: dict[str, str]) -> None:
    """deploy/nginx/etam.conf as it is, with the local ports, inside a main nginx.conf whose
    pid, logs and temporary files live in <state>."""
    site = map_paths(NGINX_SITE.read_text(), state)
    (state / "nginx-cache").mkdir(parents=True, exist_ok=True)
    site = site.replace("/var/cache/etam-nginx", str(state / "nginx-cache"))
    site = site.replace("server 127.0.0.1:8001", f"server 127.0.0.1:{env['ETAM_WEB_PORT_A']}")
    site = site.replace("server 127.0.0.1:8002", f"server 127.0.0.1:{env['ETAM_WEB_PORT_B']}")
    site = re.sub(r"server \{\n    listen 80;.*?\n\}\n", "", site, flags=re.S)  # no port 80 locally
    site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{env['ETAM_CLUSTER_PORT']} ssl")
    (state / "etam-site.conf").write_text(site)
    temp = state / "nginx-temp"
    temp.mkdir(exist_ok=True)
    mime = "/etc/nginx/mime.types"
    (state / "nginx.conf").write_text(
        f"pid {state / 'run' / 'nginx-master.pid'};\n"
        f"error_log {state / 'log' / 'nginx-error.log'} warn;\n"
        "worker_processes 1;\nevents { worker_connections 512; }\n"
        "http {\n"
        f"    include {mime};\n    default_type application/octet-stream;\n"
        f"    access_log {state / 'log' / 'nginx-access.log'};\n"
        f"    client_body_temp_path {temp}/body;\n    proxy_temp_path {temp}/proxy;\n"
        f"    fastcgi_temp_path {temp}/fastcgi;\n    uwsgi_temp_path {temp}/uwsgi;\n    scgi_temp_path {temp}/scgi;\n"
        f"    include {state / 'etam-site.conf'};\n"
        "}\n"
    )


def fresh_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    if not re.fullmatch(r"\w+", name):
        raise ClusterError(f"DATABASE_URL: database name {name!r} must be letters, digits and _")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def drop_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    except psycopg.Error as exc:
        print(f"cluster: database {name} not dropped ({exc.__class__.__name__})", file=sys.stderr)


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()


def s3_client(env: dict[str, str]) -> object:
    """A boto3 S3 client for the cluster's bucket, from the variables Etam itself reads."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=env["AWS_S3_ENDPOINT_URL"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=env["AWS_S3_REGION_NAME"],
    )


def create_bucket(env: dict[str, str]) -> None:
    s3_client(env).create_bucket(Bucket=env["AWS_STORAGE_BUCKET_NAME"])  # type: ignore[attr-defined]


def manage_steps(env: dict[str, str], steps: list[list[str]], *, state: Path) -> list[tuple[str, float]]:
    """Run ``manage.py`` steps one after the other (each may depend on the last); returns
    (step, seconds). Each step's output goes to <state>/log/setup-<step>.log."""
    timings: list[tuple[str, float]] = []
    for args in steps:
        log = state / "log" / f"setup-{args[0]}.log"
        started = time.monotonic()
        with log.open("ab") as handle:
            result = subprocess.run(  # noqa: S603
                [str(PYTHON), "manage.py", *args],
                cwd=REPO,
                env={**os.environ, **env},
                stdout=handle,
                stderr=subprocess.STDOUT,
            )
        if result.returncode != 0:
            raise ClusterError(f"manage.py {' '.join(args)} failed; see {log}")
        timings.append((args[0], time.monotonic() - started))
    return timings


def wait_ready(port: int, seconds: float = 60.0) -> dict[str, object]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # our own self-signed certificate
    deadline = time.monotonic() + seconds
    last: object = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"https://127.0.0.1:{port}/readyz", context=context, timeout=5) as response:
                return dict(json.loads(response.read()))
        except urllib.error.HTTPError as exc:
            last = exc.read()[:300]
        except OSError as exc:
            last = exc
        time.sleep(0.5)
    raise ClusterError(f"/readyz did not answer 200 within {seconds:.0f} s: {last!r}")


def up(args: argparse.Namespace) -> None:
    state = Path(args.state_dir).resolve()
    for sub in ("run", "log", "var"):
        (state / sub).mkdir(parents=True, exist_ok=True)
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        raise ClusterError("nginx is not installed: run scripts/system-packages (Debian package nginx)")
    started = time.monotonic()
    env = write_environment(state, args)
    certificate(state)
    nginx_config(state, env)
    if not any(running(state, name) for name in SERVICES):
        fresh_database(env["DATABASE_URL"])
        for url in {env["REDIS_URL"], env["TASKS_REDIS_URL"]}:
            flush_redis(url)
    start("etam-s3", state)
    print("cluster: migrate, static files and demo content ...", flush=True)
    # Schema and static files in parallel (independent) while the S3 server starts; the demo
    # content writes files, so it waits for the bucket.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        # load_demo_content loads the reference data first when it is missing: one Django
        # start-up fewer than a separate load_reference_data.
        schema = pool.submit(manage_steps, env, [["migrate", "--noinput"]], state=state)
        static = pool.submit(
            manage_steps, env, [["compile_translations"], ["collectstatic", "--noinput", "-v0"]], state=state
        )
        wait_port(int(env["ETAM_S3_PORT"]))
        try:
            create_bucket(env)
        except Exception as exc:  # already there on a second `up`
            if "BucketAlready" not in exc.__class__.__name__ + str(exc):
                raise
        timings = schema.result()
        timings += manage_steps(
            env, [["load_demo_content", *(["--only", args.demo] if args.demo else [])]], state=state
        )
        timings += static.result()
    print("cluster: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings), flush=True)
    print(f"cluster: setup done at {time.monotonic() - started:.1f} s", flush=True)
    names = {"etam-web@A": f"etam-web@{env['ETAM_WEB_PORT_A']}", "etam-web@B": f"etam-web@{env['ETAM_WEB_PORT_B']}"}
    for service in SERVICES[1:]:
        start(names.get(service, service), state)
    ready = wait_ready(args.port)
    print(json.dumps(ready, indent=1))
    print(
        f"cluster: up in {time.monotonic() - started:.0f} s at https://127.0.0.1:{args.port}/ "
        f"(self-signed certificate: {state / 'tls' / 'etam.crt'}); logs in {state / 'log'}; "
        "stop with make cluster-down"
    )


def unit_names(state: Path) -> list[str]:
    """Every unit this state directory started, in start order."""
    found = [p.stem for p in (state / "run").glob("*.pid") if not p.stem.startswith("nginx-master")]
    order = {name: i for i, name in enumerate(SERVICES)}
    return sorted(found, key=lambda n: order.get(re.sub(r"@\d+$", "@A", n), 99))


def down(args: argparse.Namespace) -> None:
    state = Path(args.state_dir).resolve()
    if not (state / "run").exists():
        print("cluster: nothing to stop")
        return
    env = read_env_file(state / "etam.env") if (state / "etam.env").exists() else {}
    for name in reversed(unit_names(state)):
        stop(name, state)
        print(f"cluster: stopped {name}")
    if env.get("DATABASE_URL") and not args.keep_database:
        drop_database(env["DATABASE_URL"])


def status(args: argparse.Namespace) -> None:
    state = Path(args.state_dir).resolve()
    for name in unit_names(state):
        pid = running(state, name)
        print(f"{name:28} {'running pid ' + str(pid) if pid else 'stopped'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("up", "down", "status"))
    parser.add_argument("--port", type=int, default=8443, help="nginx's HTTPS port (default %(default)s)")
    parser.add_argument("--state-dir", default=str(REPO / "var" / "cluster"))
    parser.add_argument("--database-url", default="", help="PostgreSQL URL of a database to create afresh")
    parser.add_argument("--redis-url", default="", help="Redis for the cache (default: machine's, DB 12)")
    parser.add_argument("--tasks-redis-url", default="", help="Redis for the queue (default: machine's, DB 13)")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per web process")
    parser.add_argument("--keep-database", action="store_true", help="down: leave the database")
    parser.add_argument(
        "--demo", default="", help="up: only these demo loaders (e.g. core,eservices,opendata); default: all"
    )
    args = parser.parse_args(argv)
    try:
        {"up": up, "down": down, "status": status}[args.action](args)
    except ClusterError as exc:
        print(f"cluster: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
