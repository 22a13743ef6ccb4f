"""Chaos run of the outbox protocol: at least 1,000 submissions, 0 lost, 0 duplicated.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/etam_off_bench python bench/offline_chaos.py

Loopback only, bounded (CHAOS_ITEMS, default 1000; CHAOS_DEVICES, default 8). Starts
gunicorn against a PostgreSQL database of its own and drives the outbox protocol from
Python with the same semantics as etam/offline/static/offline/outbox.js (driving a
thousand items through Chromium would take most of an hour on 2 cores):

- each simulated device keeps its outbox in its own SQLite file (durable, like IndexedDB):
  an item is "saved" (committed) before anything is sent, carries a client-generated
  UUID idempotency key, goes "sending" → "received" only when the server answered
  200/201 with a tracking number, and a "sending" item found after a restart is sent again;
- chaos: random offline periods per device, requests dropped before they reach the server,
  answers dropped after the server committed, device restarts (the SQLite file is reopened
  and everything in memory is lost), and a SIGKILL of the whole gunicorn process group
  mid-run (twice), restarted a moment later.

Prints acknowledged vs stored vs duplicated vs lost. Target: 0 lost, 0 duplicated.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import _common

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/etam_off_bench")
ITEMS = int(os.environ.get("CHAOS_ITEMS", "1000"))
DEVICES = int(os.environ.get("CHAOS_DEVICES", "8"))
SEED = int(os.environ.get("CHAOS_SEED", "7"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
_common.bench_environment(DB_URL)

P_OFFLINE = 0.15  # chance a device goes offline at a step
P_DROP_REQUEST = 0.10  # request lost on the way out
P_DROP_ANSWER = 0.15  # server committed, answer lost on the way back
P_RESTART = 0.03  # device (browser) restarts at a step


def prepare() -> tuple[int, list[str]]:
    _common.setup_database()
    from etam.core.models import User
    from etam.eservices import definitions, services

    agency, admin = _common.kaltim_agency_admin("DPMPTSP", "DPMPTSP", "chaos-admin@example.id")
    label = {"id": "Nama", "en": "Name"}
    document = {
        "format": definitions.EXPORT_FORMAT,
        "service": {
            "code": "CHS",
            "slug": "chaos-uji",
            "name": "Layanan Uji Chaos",
            "summary": "Uji",
            "requirements": [],
            "legal_basis": [],
            "fee": 0,
            "sla_days": 5,
            "output_document": "",
            "sector": "komunikasi_informasi",
            "contact": "",
        },
        "form": {
            "pages": [
                {
                    "id": "data",
                    "title": {"id": "Data", "en": "Data"},
                    "fields": [
                        {"name": "nama", "type": "text", "label": label, "holder_name": True},
                        {"name": "keperluan", "type": "long_text", "label": {"id": "Keperluan", "en": "Purpose"}},
                    ],
                }
            ]
        },
        "workflow": definitions.default_workflow(),
        "document_template": {"title": "Uji", "number_prefix": "CHS", "body": ["{holder}"]},
    }
    service = services.service_import(actor=admin, agency=agency, document=document, publish=True)
    tokens = []
    for i in range(DEVICES):
        user, _ = User.objects.get_or_create(email=f"chaos-{i}@example.id", defaults={"full_name": f"Warga {i}"})
        tokens.append(_common.api_token(user, "chaos"))
    return service.pk, tokens


class Server:
    def __init__(self) -> None:
        self.port = _common.free_port()
        self.process: subprocess.Popen | None = None
        self.kills = 0

    def start(self) -> None:
        self.process = _common.start_gunicorn(self.port, "--workers", str(WORKERS), "--log-level", "error")

    def sigkill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)  # master and every worker, mid-request
        self.process.wait()
        self.kills += 1

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)


class Device:
    """One browser: a durable outbox (SQLite standing in for IndexedDB) and a sender."""

    def __init__(self, index: int, token: str, service: int, base: str, folder: Path, rng: random.Random) -> None:
        self.index, self.token, self.service, self.base = index, token, service, base
        self.path = folder / f"device-{index}.sqlite3"
        self.rng = rng
        self.offline_until = 0.0
        self.restarts = 0
        self.open()

    def open(self) -> None:
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS items (key TEXT PRIMARY KEY, body TEXT, state TEXT, tracking TEXT,"
            " attempts INTEGER DEFAULT 0)"
        )

    def restart(self) -> None:
        self.db.close()
        self.restarts += 1
        self.open()

    def save(self, n: int) -> str:
        key = str(uuid.uuid4())
        body = {
            "service": self.service,
            "version": 1,
            "fields": [["nama", f"Warga {self.index}-{n}"], ["keperluan", f"butir {key}"]],
            "files": {},
        }
        self.db.execute("INSERT INTO items (key, body, state) VALUES (?, ?, 'saved')", (key, json.dumps(body)))
        return key

    def pending(self) -> list[tuple[str, str]]:
        return self.db.execute("SELECT key, body FROM items WHERE state IN ('saved', 'sending')").fetchall()

    def sync(self) -> None:
        import requests

        if time.time() < self.offline_until:
            return
        for key, body in self.pending():
            if time.time() < self.offline_until:
                return
            self.db.execute("UPDATE items SET state='sending', attempts=attempts+1 WHERE key=?", (key,))
            if self.rng.random() < P_DROP_REQUEST:
                self.db.execute("UPDATE items SET state='saved' WHERE key=?", (key,))
                continue
            try:
                response = requests.post(
                    f"{self.base}/api/v1/offline/applications",
                    data=body,
                    headers={
                        "Content-Type": "application/json",
                        "Authorization": f"Bearer {self.token}",
                        "Idempotency-Key": key,
                    },
                    timeout=10,
                )
            except requests.RequestException:
                self.db.execute("UPDATE items SET state='saved' WHERE key=?", (key,))
                return  # server down: wait for the next round
            if self.rng.random() < P_DROP_ANSWER:
                continue  # committed (maybe) but we never heard: stays "sending"
            if response.status_code in (200, 201):
                tracking = response.json()["tracking_number"]
                self.db.execute("UPDATE items SET state='received', tracking=? WHERE key=?", (tracking, key))
            elif response.status_code >= 500 or response.status_code == 429:
                self.db.execute("UPDATE items SET state='saved' WHERE key=?", (key,))
            else:
                self.db.execute("UPDATE items SET state='attention' WHERE key=?", (key,))
                print("attention", response.status_code, response.text[:200])

    def counts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT state, COUNT(*) FROM items GROUP BY state").fetchall())

    def all(self) -> list[tuple[str, str, str | None]]:
        return self.db.execute("SELECT key, state, tracking FROM items").fetchall()


def main() -> None:
    import requests  # noqa: F401 - fail early if missing

    _common.ensure_database(DB_URL, fresh=True)
    service, tokens = prepare()
    server = Server()
    server.start()
    base = f"http://127.0.0.1:{server.port}"
    folder = Path(tempfile.mkdtemp(prefix="etam-chaos-"))
    rng = random.Random(SEED)
    devices = [Device(i, tokens[i], service, base, folder, random.Random(SEED + i)) for i in range(DEVICES)]
    per_device = [ITEMS // DEVICES + (1 if i < ITEMS % DEVICES else 0) for i in range(DEVICES)]
    created = [0] * DEVICES
    stop = threading.Event()
    started = time.time()

    def run(device: Device, quota: int) -> None:
        while not stop.is_set():
            if created[device.index] < quota:
                for _ in range(device.rng.randint(1, 4)):
                    if created[device.index] < quota:
                        device.save(created[device.index])
                        created[device.index] += 1
            if device.rng.random() < P_OFFLINE:
                device.offline_until = time.time() + device.rng.uniform(0.2, 1.5)
            if device.rng.random() < P_RESTART:
                device.restart()
            device.sync()
            if created[device.index] >= quota and not device.pending():
                return
            time.sleep(device.rng.uniform(0.0, 0.05))

    threads = [threading.Thread(target=run, args=(d, q)) for d, q in zip(devices, per_device, strict=True)]
    for thread in threads:
        thread.start()
    for fraction in (0.35, 0.7):
        while sum(created) < ITEMS * fraction and any(t.is_alive() for t in threads):
            time.sleep(0.05)
        server.sigkill()
        time.sleep(rng.uniform(0.5, 1.5))
        server.start()
    deadline = time.time() + 600
    for thread in threads:
        thread.join(max(0.0, deadline - time.time()))
    stop.set()
    elapsed = time.time() - started

    import psycopg

    with psycopg.connect(DB_URL) as conn:
        rows = conn.execute(
            "SELECT a.idempotency_key, a.tracking_number, a.answers->>'keperluan' FROM eservices_application a"
        ).fetchall()
    server.stop()
    stored_keys = [r[0] for r in rows]
    by_text: dict[str, int] = {}
    for _key, _number, text in rows:
        by_text[text] = by_text.get(text, 0) + 1
    items = [row for d in devices for row in d.all()]
    saved = {key for key, _s, _t in items}
    acknowledged = {key: tracking for key, state, tracking in items if state == "received"}
    server_numbers = {r[0]: r[1] for r in rows}
    lost = sorted(saved - set(stored_keys))
    duplicated = sum(n - 1 for n in by_text.values() if n > 1) + (len(stored_keys) - len(set(stored_keys)))
    wrong_receipt = sum(1 for k, t in acknowledged.items() if server_numbers.get(k) != t)
    attempts = sum(d.db.execute("SELECT SUM(attempts) FROM items").fetchone()[0] or 0 for d in devices)
    print(f"devices {DEVICES}, items saved on devices {len(saved)}, send attempts {attempts}")
    print(f"chaos: server SIGKILLs {server.kills}, device restarts {sum(d.restarts for d in devices)}")
    print(f"acknowledged (device shows tracking number) {len(acknowledged)}")
    print(f"stored on server {len(stored_keys)}")
    print(f"duplicated {duplicated}")
    print(f"lost (saved on a device, not on the server) {len(lost)}")
    print(f"receipts not matching the server {wrong_receipt}")
    print(f"still pending on devices {len(saved) - len(acknowledged)}")
    print(f"elapsed {elapsed:.1f} s")
    ok = not lost and not duplicated and not wrong_receipt and len(acknowledged) == len(saved) == len(stored_keys)
    print("RESULT", "PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
