"""Data for bench/ppdb_burst_bench.py, run inside the cluster's environment (its etam.env).

    python bench/ppdb_burst_prepare.py <clients> <prefix>

Creates <clients> citizens (one password, hashed once with the default hasher), an API token,
one submitted case each (for the status polls) and a signed-in session each (as a login would
leave it: the browsers start signed in without a login storm of their own; logins are measured
as their own kind), and prints one JSON line: accounts, tokens, sessions, tracking numbers.
"""

from __future__ import annotations

import json
import os
import sys

from _common import api_token, information_request_answers, signed_in_session

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PASSWORD = "Burst-bench-2026!"  # noqa: S105 (a benchmark account on a throw-away cluster)
SUBMIT_SLUG = "permohonan-informasi-publik"


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password

    from etam.core.models import Region, User
    from etam.eservices import services
    from etam.eservices.models import Service

    count, prefix = int(sys.argv[1]), sys.argv[2]
    desa = Region.objects.current().filter(parent_code="64.72.01").order_by("code").values_list("code", flat=True)[0]
    service = Service.objects.get(slug=SUBMIT_SLUG)
    hashed = make_password(PASSWORD)
    people = []
    for i in range(count):
        email = f"{prefix}-{i}@example.id"
        user, _ = User.objects.get_or_create(email=email, defaults={"full_name": f"Warga Burst {i}"})
        user.password = hashed
        user.save(update_fields=["password"])
        raw = api_token(user, "burst")
        case = services.application_submit(
            actor=user, service=service, answers=information_request_answers(desa, i), from_draft=False
        )
        people.append(
            {"email": email, "token": raw, "case": case.application.tracking_number, "session": signed_in_session(user)}
        )
    print(json.dumps({"password": PASSWORD, "service": service.pk, "desa": desa, "people": people}))


if __name__ == "__main__":
    main()
