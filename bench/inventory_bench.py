"""Inventory benchmark: list/search pages over 10,000 applications and a full duplicate run.

    python bench/inventory_bench.py            # own SQLite database in a temporary directory
    DATABASE_URL=postgres://... python bench/inventory_bench.py   # an existing, empty, migrated-by-us DB

Prints p95 (ms) for each measurement and its ratio to a baseline measured in the same run:
a bare SELECT of the same page of rows (list/search) and reading the detection input
(duplicate run).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["ETAM_MODE"] = "test"
if not os.environ.get("DATABASE_URL"):
    tmp = tempfile.mkdtemp(prefix="etam-inventory-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["ETAM_VAR_DIR"] = tmp

N_APPS = int(os.environ.get("BENCH_APPS", "10000"))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)] * 1000


def timed(fn, runs: int = RUNS) -> list[float]:
    fn()  # warm
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    from _common import setup_database

    setup_database()
    from django.db import connection
    from django.test import Client

    from etam.core.models import Agency, Institution, Role, RoleGrant, User
    from etam.inventory import duplicates, services, synthetic
    from etam.inventory.models import Application

    inv = synthetic.generate(N_APPS, seed=11, reuse=True)
    institutions = []
    for i, name in enumerate(synthetic.REGIONS):
        code = "64" if i == 0 else f"64.{i:02d}"
        inst, _ = Institution.objects.get_or_create(
            region_code=code, defaults={"name": name, "short_name": name[:60], "kind": "kabupaten"}
        )
        institutions.append(inst)
    agencies = {}
    for record in inv.apps:
        key = record.agency_id
        if key not in agencies:
            inst = institutions[record.institution_id - 1]
            agencies[key], _ = Agency.objects.get_or_create(
                institution=inst, code=f"OPD{key}", defaults={"name": f"Dinas {key}"}
            )
    if not Application.objects.exists():
        Application.objects.bulk_create(
            [
                Application(
                    institution_id=agencies[r.agency_id].institution_id,
                    agency=agencies[r.agency_id],
                    name=r.name[:150],
                    purpose=r.purpose,
                    acronym=r.acronym[:40],
                    business_process_code=r.business_process_code,
                    datasets=list(r.datasets),
                )
                for r in inv.apps
                if r.national_id is None
            ],
            batch_size=1000,
        )
    user, _ = User.objects.get_or_create(email="bench@example.id", defaults={"full_name": "Bench", "kind": "pegawai"})
    RoleGrant.objects.get_or_create(user=user, role=Role.INSTITUTION_ADMIN, institution=institutions[0])
    admin, _ = User.objects.get_or_create(email="super@example.id", defaults={"full_name": "Super", "kind": "pegawai"})
    RoleGrant.objects.get_or_create(user=admin, role=Role.SUPER_ADMIN, institution=None)
    client = Client()
    client.force_login(admin)
    total = Application.objects.count()

    def baseline_page() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM inventory_application")
            cursor.execute("SELECT id, name, lifecycle FROM inventory_application ORDER BY name, id LIMIT 50")
            cursor.fetchall()

    def list_page() -> None:
        assert client.get("/staf/inventaris/aplikasi/?halaman=3").status_code == 200

    def search_page() -> None:
        assert client.get("/staf/inventaris/aplikasi/?q=beras&status=produksi").status_code == 200

    def baseline_read() -> None:
        services._records()

    base = p95(timed(baseline_page))
    rows = [("list page", p95(timed(list_page))), ("search page", p95(timed(search_page)))]
    read = p95(timed(baseline_read, runs=3))
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        apps, nationals = services._records()
        duplicates.detect(apps, nationals)
        runs.append(time.perf_counter() - start)
    detect = max(runs) * 1000
    print(f"inventory bench on {connection.vendor}: {total} applications, {RUNS} runs per page")
    print(f"  baseline bare SELECT (count + 50 rows): p95 {base:8.1f} ms")
    for label, value in rows:
        print(f"  {label:<38} p95 {value:8.1f} ms  ratio {value / base:6.1f}x")
    print(f"  baseline read detection input:         p95 {read:8.1f} ms")
    print(f"  full duplicate detection run (max of 3)     {detect:8.1f} ms  ratio {detect / read:6.1f}x")
    print(f"  (flagged pairs in last run: {len(duplicates.detect(*services._records()))})")


if __name__ == "__main__":
    main()
