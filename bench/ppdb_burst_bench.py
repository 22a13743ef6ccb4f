"""The PPDB opening minute against the production topology (issue 19).

    python bench/ppdb_burst_bench.py                 # make cluster's topology on a port of its own
    BENCH_CLIENTS=32 BENCH_SECONDS=20 python bench/ppdb_burst_bench.py --keep

Starts the cluster from deploy/ (nginx with TLS, two gunicorn web processes, the RQ worker and
scheduler, PostgreSQL, Redis, the local S3 server) with a state directory, database and Redis
DBs of its own (deploy/cluster.py), creates the benchmark citizens, then drives it through
nginx with aiohttp clients, each from its own loopback address (127.x.y.z: one household each,
so per-address limits apply as they would; a registration is a new parent each time, from a
new address and a new browser):

1. baseline: every client on `/healthz`, a bare Django view behind the same proxy and the
   same middleware;
2. each kind alone for a few seconds (its rate as a ratio to the baseline's);
3. the fixed mix at BENCH_CLIENTS: 60 % anonymous catalogue, service and school (Satu Data)
   pages; 10 % status polls (a signed-in citizen's case page); 10 % form pages and draft saves;
   8 % logins; 2 % registrations; 5 % uploads of 200-500 KB photos and PDFs (the PPDB form's
   family-card field, multipart, no JavaScript); 5 % submissions (POST /api/v1/applications);
4. the mix at BENCH_OVERLOAD x the clients: how many answers are 503 with Retry-After, how fast,
   and whether anything timed out. A client that gets a 503 waits a second (a person reloading).

A 503 counts as an error in 1-3. Prints per kind: throughput, p50, p99, errors, the ratio to
the baseline; the last line is the mix's overall ratio. Talks only to 127.0.0.0/8; stops by
itself and stops the cluster (unless --keep).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import itertools
import json
import os
import random
import ssl
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "32"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
SOLO_SECONDS = float(os.environ.get("BENCH_SOLO_SECONDS", "6"))
OVERLOAD = int(os.environ.get("BENCH_OVERLOAD", "4"))
NEWCOMERS = itertools.count()
MIX = (
    ("anonymous page", 60),
    ("status poll", 10),
    ("form page/draft", 10),
    ("login", 8),
    ("registration", 2),
    ("upload", 5),
    ("submission", 5),
)
ANONYMOUS = (
    "/",
    "/layanan/",
    "/layanan/?q=sekolah",
    "/layanan/ppdb-sma-smk/",
    "/layanan/permohonan-informasi-publik/",
    "/data/",
    "/data/sekolah-kabupaten-kota-bentuk-status/",
)
FORM = "/layanan/ppdb-sma-smk/ajukan/1/"
UPLOAD = "/layanan/ppdb-sma-smk/ajukan/2/"
# What a successful operation answers (its last request): a page 200 (or 304), a form post
# 302 (saved, go on), a submission 201.
EXPECTED = {
    "baseline": {200},
    "anonymous page": {200, 304},
    "status poll": {200},
    "form page/draft": {200, 302},
    "login": {302},
    "registration": {302},
    "upload": {302},
    "submission": {201},
}


def sample_files() -> list[tuple[str, bytes, str]]:
    """Two noise JPEGs and two PDFs of 200-500 KB (incompressible, like phone photos and scans)."""
    from PIL import Image

    rng = random.Random(19)
    files = []
    for side in (420, 520):
        image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=92)
        files.append((f"kk-{side}.jpg", out.getvalue(), "image/jpeg"))
    for size in (220_000, 480_000):
        stream = rng.randbytes(size)
        body = (
            b"%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n2 0 obj <</Type/Pages/Kids[]/Count 0>> endobj\n"
            + b"3 0 obj <</Length %d>> stream\n" % size
            + stream
            + b"\nendstream endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
        )
        files.append((f"kk-{size // 1000}k.pdf", body, "application/pdf"))
    return files


# --- the cluster ------------------------------------------------------------------------------


def cluster(action: str, args: argparse.Namespace) -> None:
    command = [str(PYTHON), "deploy/cluster.py", action, "--state-dir", args.state_dir]
    if action == "up":
        command += [
            "--port", str(args.port), "--web-workers", str(args.web_workers),
            "--database-url", args.database_url, "--redis-url", args.redis_url,
            "--tasks-redis-url", args.tasks_redis_url, "--demo", "core,eservices,opendata",
        ]  # fmt: skip
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL if action != "up" else None)


def prepare(args: argparse.Namespace, count: int) -> dict:
    from deploy.cluster import read_env_file

    env = {**os.environ, **read_env_file(Path(args.state_dir) / "etam.env")}
    prefix = f"burst-{int(time.time())}"
    result = subprocess.run(
        [str(PYTHON), "bench/ppdb_burst_prepare.py", str(count), prefix],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- one client -------------------------------------------------------------------------------


class Client:
    def __init__(self, index: int, base: str, person: dict, data: dict, files: list, run: int) -> None:
        import aiohttp

        self.index, self.base, self.person, self.data, self.files = index, base, person, data, files
        self.rng = random.Random(index * 7919 + run)
        address = f"127.{10 + run}.{index // 250}.{index % 250 + 2}"
        tls = ssl.create_default_context()
        tls.check_hostname = False
        tls.verify_mode = ssl.CERT_NONE  # the cluster's own self-signed certificate
        timeout = aiohttp.ClientTimeout(total=30)

        def session(source: str = address) -> aiohttp.ClientSession:
            connector = aiohttp.TCPConnector(ssl=tls, limit=1, local_addr=(source, 0))
            # unsafe: keep cookies of an IP-address host (the cluster is https://127.0.0.1:<port>)
            jar = aiohttp.CookieJar(unsafe=True)
            return aiohttp.ClientSession(connector=connector, timeout=timeout, cookie_jar=jar)

        self.session = session
        self.anonymous = session()  # no account: the catalogue, logins
        self.signed = session()  # the citizen's own browser, signed in
        self.origin = {"Origin": base, "Referer": base + "/"}
        self.draft_posts = 0

    async def close(self) -> None:
        await self.anonymous.close()
        await self.signed.close()

    def _csrf(self, session) -> str:
        for cookie in session.cookie_jar:
            if cookie.key == "csrftoken":
                return cookie.value
        return ""

    async def _get(self, session, path: str) -> tuple[int, str, dict]:
        async with session.get(self.base + path, allow_redirects=False) as response:
            return response.status, await response.text(), dict(response.headers)

    async def _post(self, session, path: str, data, headers: dict | None = None) -> tuple[int, dict]:
        async with session.post(
            self.base + path, data=data, headers={**self.origin, **(headers or {})}, allow_redirects=False
        ) as response:
            await response.read()
            return response.status, dict(response.headers)

    async def sign_in(self, session) -> tuple[int, dict]:
        status, _page, headers = await self._get(session, "/masuk/")
        if status != 200:
            return status, headers
        form = {
            "csrfmiddlewaretoken": self._csrf(session),
            "username": self.person["email"],
            "password": self.data["password"],
        }
        return await self._post(session, "/masuk/", form)

    async def register(self, browser) -> tuple[int, dict]:
        status, _page, headers = await self._get(browser, "/daftar/")
        if status != 200:
            return status, headers
        password = "Daftar-" + uuid.uuid4().hex[:10]
        form = {
            "csrfmiddlewaretoken": self._csrf(browser),
            "full_name": f"Orang Tua {self.index}",
            "email": f"daftar-{uuid.uuid4().hex[:12]}@example.id",
            "phone": "",
            "password1": password,
            "password2": password,
        }
        result = await self._post(browser, "/daftar/", form)
        browser.cookie_jar.clear(lambda c: c.key == "messages")  # the "received" message
        return result

    async def run(self, kind: str) -> tuple[int, dict]:
        """One operation of ``kind``; its status (the last request's) and headers."""
        if kind == "baseline":
            status, _body, headers = await self._get(self.anonymous, "/healthz")
            return status, headers
        if kind == "anonymous page":
            status, _body, headers = await self._get(self.anonymous, self.rng.choice(ANONYMOUS))
            return status, headers
        if kind == "status poll":
            status, _body, headers = await self._get(self.signed, f"/permohonan/{self.person['case']}/")
            return status, headers
        if kind == "form page/draft":
            self.draft_posts += 1
            if self.draft_posts % 2:
                status, _body, headers = await self._get(self.signed, FORM)
                return (f"GET {status}" if status == 302 else status), headers  # 302: not signed in
            form = {
                "csrfmiddlewaretoken": self._csrf(self.signed),
                "nama": f"Calon Murid {self.index}",
                "asal_sekolah": "SMP Negeri 1 Samarinda",
                "_save": "1",
            }
            return await self._post(self.signed, FORM, form)
        if kind == "upload":
            import aiohttp

            name, content, content_type = self.rng.choice(self.files)
            form = aiohttp.FormData()
            form.add_field("csrfmiddlewaretoken", self._csrf(self.signed))
            form.add_field("jalur", "domisili")
            form.add_field("_save", "1")
            form.add_field("kk", content, filename=name, content_type=content_type)
            return await self._post(self.signed, UPLOAD, form)
        if kind == "login":
            result = await self.sign_in(self.anonymous)
            self.anonymous.cookie_jar.clear(lambda c: c.key == "sessionid")  # signed out again
            return result
        if kind == "registration":
            # A new parent each time, from an address of their own (127.100+.x.y): Etam allows
            # REGISTRATION_RATE_LIMIT (10/h) registrations per address, a guard against one
            # household scripting accounts, which 32 addresses registering for minutes exceed.
            newcomer = next(NEWCOMERS)
            address = f"127.{100 + newcomer // 62_500 % 100}.{newcomer // 250 % 250}.{newcomer % 250 + 2}"
            async with self.session(address) as browser:
                return await self.register(browser)
        if kind == "submission":
            body = json.dumps({"service": self.data["service"], "answers": answers(self.data["desa"], self.index)})
            headers = {
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.person['token']}",
                "Idempotency-Key": str(uuid.uuid4()),
            }
            return await self._post(self.anonymous, "/api/v1/applications", body, headers)
        raise ValueError(kind)


def answers(desa: str, i: int) -> dict:
    sys.path.insert(0, str(ROOT / "bench"))
    from _common import information_request_answers

    return information_request_answers(desa, i)


# --- phases -----------------------------------------------------------------------------------


class Tally:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, dict[object, int]] = defaultdict(lambda: defaultdict(int))
        self.ok: dict[str, int] = defaultdict(int)
        self.shed: dict[str, list[float]] = defaultdict(list)  # 503 + Retry-After, by who answered
        self.shed_without_retry_after = 0


async def phase(clients: list[Client], kinds: list[str], seconds: float, *, overload: bool = False) -> Tally:
    tally = Tally()
    stop = time.perf_counter() + seconds

    async def loop(client: Client) -> None:
        while time.perf_counter() < stop:
            kind = client.rng.choice(kinds)
            started = time.perf_counter()
            try:
                status, headers = await client.run(kind)
            except Exception as exc:  # a timeout or a reset: an error of this kind
                status, headers = exc.__class__.__name__, {}
            took = time.perf_counter() - started
            tally.latencies[kind].append(took)
            if status in EXPECTED[kind]:
                tally.ok[kind] += 1
            else:
                tally.errors[kind][status] += 1
            if status == 503:
                if "Retry-After" in headers:
                    tally.shed[headers.get("X-Antrean", "?")].append(took)
                else:
                    tally.shed_without_retry_after += 1
                if overload:
                    await asyncio.sleep(1)

    await asyncio.gather(*(loop(c) for c in clients))
    return tally


class CpuMeter:
    """CPU seconds (user + system) spent by the cluster's web processes (both gunicorn masters'
    process groups: every worker) and by PostgreSQL backends connected to the bench database.
    Per request this does not depend on how busy the shared machine is, so it gives per-core
    rates for sizing (docs/operations.md)."""

    def __init__(self, args: argparse.Namespace) -> None:
        from deploy.cluster import read_env_file, running

        state = Path(args.state_dir)
        env = read_env_file(state / "etam.env")
        self.groups = {running(state, f"etam-web@{env[f'ETAM_WEB_PORT_{x}']}") for x in ("A", "B")} - {None}
        self.database_url = args.database_url
        self.tick = os.sysconf("SC_CLK_TCK")

    def _fields(self, pid: str) -> list[str] | None:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None

    def seconds(self) -> dict[str, float]:
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            name = self.database_url.rsplit("/", 1)[1]
            backends = {
                str(row[0])
                for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [name]).fetchall()
            }
        web = db = 0.0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            fields = self._fields(entry.name)
            if fields is None:
                continue
            used = (int(fields[11]) + int(fields[12])) / self.tick
            if int(fields[2]) in self.groups:
                # + the reaped children's (a worker restarted by --max-requests, SQL children)
                web += used + (int(fields[13]) + int(fields[14])) / self.tick
            elif entry.name in backends:
                db += used
        return {"web": web, "db": db}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


async def sign_in_all(clients: list[Client]) -> None:
    """Give every client's browser its signed-in session (made by ppdb_burst_prepare.py, as a
    login leaves it) and its CSRF cookie (one page view), before measuring."""
    from yarl import URL

    for client in clients:
        client.signed.cookie_jar.update_cookies({"sessionid": client.person["session"]}, URL(client.base))
    gate = asyncio.Semaphore(8)

    async def first_page(client: Client) -> int:
        async with gate:
            for _attempt in range(5):
                status, _body, _headers = await client._get(client.signed, f"/permohonan/{client.person['case']}/")
                if status != 503:
                    return status
                await asyncio.sleep(1)  # shed (the machine is busy): again, as a person would
            return status

    statuses = await asyncio.gather(*(first_page(c) for c in clients))
    if any(status != 200 for status in statuses):
        raise SystemExit(f"the benchmark citizens' sessions do not work: {statuses}")


async def main_async(args: argparse.Namespace, data: dict, base: str) -> None:
    files = sample_files()
    total = CLIENTS * OVERLOAD
    clients = [Client(i, base, data["people"][i], data, files, run=0) for i in range(CLIENTS)]
    weighted = [kind for kind, weight in MIX for _ in range(weight)]
    try:
        await sign_in_all(clients)
        await phase(clients, ["baseline", "anonymous page"], 3)  # warm-up: workers import the URL conf
        base_tally = await phase(clients, ["baseline"], SECONDS / 2)
        baseline = base_tally.ok["baseline"] / (SECONDS / 2)
        print(
            f"web workers {2 * args.web_workers} (2 nodes x {args.web_workers}); clients {CLIENTS}; mix {SECONDS:g} s"
        )
        lat = base_tally.latencies["baseline"]
        print(
            f"baseline GET /healthz: {baseline:.1f}/s  p50 {pct(lat, 0.5):.1f} ms  p99 {pct(lat, 0.99):.1f} ms  "
            f"errors {sum(base_tally.errors['baseline'].values())}"
        )
        solo: dict[str, float] = {}
        cpu: dict[str, dict[str, float]] = {}
        meter = CpuMeter(args)
        for kind, _weight in [("baseline", 0), *MIX]:
            before = meter.seconds()
            t = await phase(clients, [kind], SOLO_SECONDS)
            after = meter.seconds()
            solo[kind] = t.ok[kind] / SOLO_SECONDS
            # Per successful operation (a shed 503 costs next to nothing). A PostgreSQL backend
            # that ended during the phase takes its CPU with it: db ms is a floor, never < 0.
            done = max(1, t.ok[kind])
            cpu[kind] = {part: max(0.0, after[part] - before[part]) * 1000 / done for part in after}
        mix = await phase(clients, weighted, SECONDS)
        print(
            f"{'kind':<17}{'alone/s':>9}{'ratio':>7}{'web ms':>8}{'db ms':>7} |"
            f" {'in mix/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
        )
        b = cpu["baseline"]
        print(f"{'(baseline)':<17}{solo['baseline']:9.1f}{1:7.2f}{b['web']:8.1f}{b['db']:7.1f} |")
        for kind, _weight in MIX:
            lat = mix.latencies[kind]
            errors = dict(mix.errors[kind])
            print(
                f"{kind:<17}{solo[kind]:9.1f}{solo[kind] / solo['baseline']:7.2f}{cpu[kind]['web']:8.1f}"
                f"{cpu[kind]['db']:7.1f} | {mix.ok[kind] / SECONDS:9.1f}"
                f"{pct(lat, 0.5):9.1f}{pct(lat, 0.99):9.1f}{sum(errors.values()):8d} {errors or ''}"
            )
        everything = [x for lat in mix.latencies.values() for x in lat]
        errors = sum(sum(e.values()) for e in mix.errors.values())
        rate = sum(mix.ok.values()) / SECONDS
        print(f"mix at {CLIENTS} clients: {rate:.1f}/s  p99 {pct(everything, 0.99):.1f} ms  errors {errors}")
    finally:
        await asyncio.gather(*(c.close() for c in clients))
    if OVERLOAD > 1:
        crowd = [Client(i, base, data["people"][i], data, files, run=1) for i in range(total)]
        try:
            await sign_in_all(crowd)
            over = await phase(crowd, weighted, SECONDS, overload=True)
        finally:
            await asyncio.gather(*(c.close() for c in crowd))
        served = sum(over.ok.values())
        other = {k: v for kind in over.errors.values() for k, v in kind.items() if k != 503}
        shed = "; ".join(
            f"by {who} {len(lat)} (p50 {pct(lat, 0.5):.1f} ms, p99 {pct(lat, 0.99):.1f} ms)"
            for who, lat in sorted(over.shed.items())
        )
        everything = [x for lat in over.shed.values() for x in lat]
        print(
            f"overload at {total} clients: served {served / SECONDS:.1f}/s; 503+Retry-After {len(everything)}"
            f" (p50 {pct(everything, 0.5):.1f} ms, p99 {pct(everything, 0.99):.1f} ms): {shed};"
            f" 503 without Retry-After {over.shed_without_retry_after}; other errors {other or 0}"
        )
    print(f"overall ratio (mix throughput / baseline): {rate / baseline:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0, help="nginx's port (default: a free one)")
    parser.add_argument("--state-dir", default=str(ROOT / "var" / "burst-bench"))
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per web process (2 processes)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/etam_burst_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--tasks-redis-url", default="redis://127.0.0.1:6379/11")
    parser.add_argument("--keep", action="store_true", help="leave the cluster running afterwards")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from deploy.cluster import free_port

    args.port = args.port or free_port()
    cluster("up", args)
    try:
        data = prepare(args, CLIENTS * OVERLOAD)
        asyncio.run(main_async(args, data, f"https://127.0.0.1:{args.port}"))
    finally:
        if not args.keep:
            cluster("down", args)


if __name__ == "__main__":
    main()
