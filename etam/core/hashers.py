"""Etam's password hasher (docs/adr/0166): Argon2id at the OWASP Password Storage Cheat Sheet's
parameters (19 MiB of memory, 2 passes, 1 lane), through Django's own Argon2 hasher.

Django's ``Argon2PasswordHasher`` defaults to 100 MiB and 8 lanes: 8 threads per hash on a web
node whose workers are already one per core, and 100 MiB per concurrent login. The cheat
sheet's first configuration gives the same memory-hard resistance per guess with one lane,
so one login costs one core for a few tens of ms and 19 MiB while it runs.

``PASSWORD_HASHERS`` lists this class first and keeps Django's PBKDF2 hashers after it: a hash
made before (``pbkdf2_sha256$...``) still verifies, and Django rewrites it as Argon2id at that
person's next successful sign-in (``check_password``'s setter). Tests keep their fast hasher.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class EtamArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, m = 19 MiB, t = 2, p = 1 (OWASP). Same algorithm name as Django's ("argon2"):
    the parameters live in each encoded hash, and ``must_update`` re-hashes one made with
    other parameters at its next sign-in."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
