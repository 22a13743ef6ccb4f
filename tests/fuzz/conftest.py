"""Fuzzing fixtures: a database seeded with the demo content and one API token per role.

The fuzz tests run only when selected with ``-m fuzz`` (``make fuzz-ci``, ``make fuzz``).
They are transactional: the fuzzer calls the WSGI application, whose writes commit; the
database is flushed afterwards like any transactional test's.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.handlers.wsgi import WSGIHandler

from tests.helpers import skip_unless_selected

# Demo accounts whose tokens the fuzzer uses: one per role, and a citizen.
ROLE_ACCOUNTS = (
    "superadmin",
    "admin_kaltim",
    "admin_dpmptsp",
    "petugas_dpmptsp",
    "produsen_diskominfo",
    "walidata_kaltim",
    "koordinator_kaltim",
    "asesor_kaltim",
    "warga_email",
)


def pytest_collection_modifyitems(config, items):
    skip_unless_selected(config, items, "fuzz", "fuzzing runs on its own: make fuzz-ci / make fuzz (pytest -m fuzz)")


@pytest.fixture
def fuzz_tokens(transactional_db) -> dict[str, str]:
    """Demo content loaded and committed; {account key: raw API token} for each role."""
    from django.core.management import call_command

    from etam.core.demo import demo_user
    from etam.core.permissions import active_grants
    from etam.core.tokens import api_token_create

    call_command("load_demo_content", stdout=StringIO())
    tokens = {}
    for key in ROLE_ACCOUNTS:
        user = demo_user(key)
        assert user is not None, key
        issued = api_token_create(actor=user, name=f"fuzz {key}", grants=list(active_grants(user)))
        tokens[key] = issued.key
    return tokens


@pytest.fixture
def wsgi_app(fuzz_tokens) -> WSGIHandler:
    return WSGIHandler()
