"""The unit files and nginx configuration in deploy/ (part of the normal suite; ADR 0105).

``systemd-analyze verify`` checks the units as a province installs them, with /opt/etam
mapped to this checkout so the executables they name exist; without it (no systemd
package), the parser checks below still run. ``nginx -t`` checks the local cluster's
nginx.conf, which includes deploy/nginx/etam.conf as it is.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cluster.conftest import REPO, supervisor

UNIT_FILES = sorted((REPO / "deploy" / "systemd").glob("*.service")) + sorted(
    (REPO / "deploy" / "cluster").glob("*.service")
)


def _mapped(tmp_path: Path) -> list[Path]:
    (tmp_path / "etam.env").write_text("WEB_WORKERS=2\n")
    out = []
    for unit in (REPO / "deploy" / "systemd").glob("*.service"):
        name = unit.name.replace("@.service", "@8001.service")
        target = tmp_path / name
        target.write_text(supervisor.map_paths(unit.read_text(), tmp_path))
        out.append(target)
    return out


def test_every_unit_runs_a_command_of_this_checkout(tmp_path):
    assert {p.name for p in UNIT_FILES} >= {
        "etam-web@.service", "etam-worker.service", "etam-scheduler.service", "etam-s3.service", "etam-nginx.service",
    }  # fmt: skip
    (tmp_path / "etam.env").write_text("WEB_WORKERS=2\nETAM_S3_PORT=9000\n")
    import importlib.util

    from django.core.management import get_commands

    # rqworker comes with django_rq, an installed app only when TASKS_BACKEND=rq.
    commands = set(get_commands()) | (
        {"rqworker"} if importlib.util.find_spec("django_rq.management.commands.rqworker") else set()
    )
    for unit in UNIT_FILES:
        service = supervisor.read_unit(unit)
        assert service["ExecStart"].startswith("/"), f"{unit.name}: ExecStart needs an absolute path"
        name = unit.stem.replace("@", "@8001")
        argv, workdir, _env = supervisor.command_line(name, tmp_path)
        assert "${" not in " ".join(argv) and "%i" not in " ".join(argv), argv
        assert workdir == REPO
        if unit.parent.name == "systemd":
            assert service["EnvironmentFile"] == "/etc/etam/etam.env"
            assert service["User"] == "etam" and service["Restart"] == "on-failure"
            assert Path(argv[0]).is_relative_to(REPO / ".venv"), argv
            if "manage.py" in argv:
                assert argv[argv.index("manage.py") + 1] in commands, argv
    web, _, _ = supervisor.command_line("etam-web@8001", tmp_path)
    assert web[web.index("--bind") + 1] == "127.0.0.1:8001" and web[web.index("--workers") + 1] == "2"


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed (Debian package systemd)"
)
def test_systemd_analyze_verify_accepts_the_units(tmp_path):
    units = _mapped(tmp_path)
    result = subprocess.run(["systemd-analyze", "verify", *map(str, units)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Unknown key" not in result.stderr and "Unknown section" not in result.stderr, result.stderr


def test_systemd_analyze_verify_catches_a_broken_unit(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze not installed (Debian package systemd)")
    bad = tmp_path / "bad.service"
    bad.write_text("[Service]\nExecStart=/opt/etam/.venv/bin/nonexistent\n")
    assert subprocess.run(["systemd-analyze", "verify", str(bad)], capture_output=True).returncode != 0


@pytest.mark.skipif(not Path("/usr/sbin/nginx").exists(), reason="nginx not installed (scripts/system-packages)")
def test_nginx_accepts_the_configuration(tmp_path):
    for sub in ("run", "log", "var"):
        (tmp_path / sub).mkdir()
    args = argparse.Namespace(port=18443, database_url="", redis_url="", tasks_redis_url="", web_workers=2)
    env = supervisor.write_environment(tmp_path, args)
    supervisor.certificate(tmp_path)
    supervisor.nginx_config(tmp_path, env)
    site = (tmp_path / "etam-site.conf").read_text()
    assert f"server 127.0.0.1:{env['ETAM_WEB_PORT_A']}" in site and "X-Forwarded-Proto https" in site
    result = subprocess.run(
        ["/usr/sbin/nginx", "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_supervisor_never_signals_a_process_it_did_not_start(tmp_path):
    (tmp_path / "run").mkdir()
    # A pid file naming a live process that is not ours (this test's own pid, with another start time).
    import json
    import os

    supervisor.pid_file(tmp_path, "etam-worker").write_text(
        json.dumps({"pid": os.getpid(), "started": "1", "argv": []})
    )
    assert supervisor.running(tmp_path, "etam-worker") is None
    supervisor.stop("etam-worker", tmp_path, grace=0.1)  # must not signal us
    assert not supervisor.pid_file(tmp_path, "etam-worker").exists()
