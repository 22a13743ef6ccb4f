"""CPU time of one password hash, per hasher, against Django's default in the same run (issue 19,
docs/adr/0166).

    python bench/password_hash_bench.py            # BENCH_HASHES=20 per hasher

For each hasher: CPU ms (process time, so a busy shared machine does not inflate it) of
``make_password`` (what a registration pays) and of ``check_password`` (what a sign-in pays),
the median over BENCH_HASHES rounds, and each as a ratio to Django's default hasher
(PBKDF2-SHA256 at Django's iteration count) measured in the same run. Also the peak memory
the hasher asks for, where it is memory-hard. No database, no network.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("BENCH_HASHES", "20"))


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    settings.configure()  # the hashers need no database, apps or Etam settings
    django.setup()


def cpu_ms(action) -> float:
    samples = []
    for _ in range(ROUNDS):
        started = time.process_time()
        action()
        samples.append((time.process_time() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    setup()
    from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher

    from etam.core.hashers import EtamArgon2PasswordHasher

    class OwaspPbkdf2(PBKDF2PasswordHasher):
        iterations = 600_000  # OWASP's floor for PBKDF2-HMAC-SHA256

    def argon2_label(prefix: str, cls: type[Argon2PasswordHasher]) -> str:
        return f"{prefix} m={cls.memory_cost // 1024} MiB t={cls.time_cost} p={cls.parallelism}"

    hashers = [
        (f"Django default: PBKDF2-SHA256, {PBKDF2PasswordHasher.iterations:,} it.", PBKDF2PasswordHasher()),
        ("PBKDF2-SHA256, 600,000 it. (OWASP floor)", OwaspPbkdf2()),
        (argon2_label("Django Argon2 default:", Argon2PasswordHasher), Argon2PasswordHasher()),
        (argon2_label("Etam: Argon2id", EtamArgon2PasswordHasher) + " (OWASP)", EtamArgon2PasswordHasher()),
    ]
    print(f"{ROUNDS} rounds each, median CPU ms (process time)")
    print(f"{'hasher':<46}{'hash ms':>9}{'check ms':>10}{'ratio':>7}")
    base = None
    password = "Orang-Tua-2026!"  # noqa: S105  # a sample, hashed and thrown away
    for label, hasher in hashers:
        salt = hasher.salt()
        made = cpu_ms(lambda h=hasher, s=salt: h.encode(password, s))
        encoded = hasher.encode(password, salt)
        checked = cpu_ms(lambda h=hasher, e=encoded: h.verify(password, e))
        base = base or (made + checked) / 2
        print(f"{label:<46}{made:9.1f}{checked:10.1f}{(made + checked) / 2 / base:7.2f}")
    print("ratio: CPU per hash against Django's default hasher, same run (lower = cheaper per login)")


if __name__ == "__main__":
    main()
