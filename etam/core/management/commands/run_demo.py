"""Start the whole embedded demo: task worker, scheduler (if present) and the web server.

The worker (``db_worker``) and the scheduler (``run_scheduler``) run as child processes
next to Django's development server. Ctrl-C or SIGTERM stops all of them, and so does the
web server exiting (e.g. the port is taken), so nothing is left running in the background.
A worker or scheduler that dies is reported loudly; the web server keeps serving.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import get_commands
from django.core.management.base import BaseCommand, CommandParser

STOP_GRACE_SECONDS = 10.0


class Command(BaseCommand):
    help = "Run the demo: task worker, scheduler and web server; Ctrl-C stops them all."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def _commands(self, host: str, port: int) -> list[tuple[str, list[str]]]:
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        commands = [("worker", [*manage, "db_worker", "--queue-name", "*", "--no-reload"])]
        if "run_scheduler" in get_commands():
            commands.append(("scheduler", [*manage, "run_scheduler"]))
        commands.append(("web", [*manage, "runserver", address, "--noreload"]))
        return commands

    def handle(self, *args: Any, **options: Any) -> None:
        self._stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            self._stopping = True

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        children: dict[str, subprocess.Popen[bytes]] = {}
        exit_code = 0
        try:
            log_dir = Path(settings.VAR_DIR) / "log"
            log_dir.mkdir(parents=True, exist_ok=True)
            # Links in demo notifications point at the address actually served.
            host = f"[{options['host']}]" if ":" in options["host"] else options["host"]
            child_env = {**os.environ, "ESERVICES_PUBLIC_BASE_URL": f"http://{host}:{options['port']}"}
            for name, command in self._commands(options["host"], options["port"]):
                if name == "web":
                    output = None  # the web server's requests stay on this terminal
                    self.stdout.write(f"run_demo: start {name}: {' '.join(command[1:])}")
                else:
                    # Worker and scheduler chatter would bury the banner: it goes to a log file.
                    # Demo emails and SMS (console channels) are delivered by the worker, so
                    # they are in var/log/worker.log.
                    log_path = log_dir / f"{name}.log"
                    output = log_path.open("ab")
                    self.stdout.write(f"run_demo: start {name} (log: {log_path})")
                children[name] = subprocess.Popen(  # noqa: S603 (our own manage.py, fixed arguments)
                    command, env=child_env, stdout=output, stderr=subprocess.STDOUT if output else None
                )
            self.stdout.write(
                f"run_demo: notifikasi email & SMS demo / demo email & SMS notifications: {log_dir / 'worker.log'}"
            )
            reported: set[str] = set()
            while not self._stopping:
                web_code = children["web"].poll()
                if web_code is not None:
                    self.stderr.write(f"run_demo: web berhenti / exited ({web_code}); menghentikan semua / stopping")
                    exit_code = web_code
                    break
                for name, child in children.items():
                    code = child.poll()
                    if code is not None and name not in reported:
                        reported.add(name)
                        self.stderr.write(
                            f"run_demo: PERINGATAN / WARNING: {name} berhenti / exited ({code}); "
                            "web tetap berjalan / the web server keeps running"
                        )
                time.sleep(0.3)
        finally:
            self._shutdown(children)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if exit_code:
            sys.exit(exit_code)

    def _shutdown(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for name, child in children.items():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"run_demo: {name} tidak berhenti; dimatikan / did not stop; killing")
                child.kill()
                child.wait()
        self.stdout.write("run_demo: semua proses berhenti / all processes stopped")
