"""Schemathesis against /api/v1/ (anonymous and with a token per role) and the CKAN
actions under /api/3/ (ADR 0080). Gate: no server error, every answered status
documented, every response body matching its documented schema.

CI (``make fuzz-ci``) runs the coverage phase (boundary and type-violating values for every
parameter, the costly part: about 2,000 requests for /api/v1/) once per document, as the
caller who gets past authentication everywhere (super admin for /api/v1/, anonymous for the
CKAN actions); every other caller gets the examples and fuzzing phases. ``make fuzz`` runs
every phase for every caller with more examples.
"""

from __future__ import annotations

import os

import pytest

from tests.fuzz import runner
from tests.fuzz.conftest import ROLE_ACCOUNTS

pytestmark = [pytest.mark.fuzz]

_ONLY = os.environ.get("ETAM_FUZZ_CALLERS", "")  # e.g. "anonymous,superadmin" while debugging
CALLERS = tuple(_ONLY.split(",")) if _ONLY else ("anonymous", *ROLE_ACCOUNTS)
# The CKAN actions: anonymous, and roles whose tokens widen what they see.
CKAN_CALLERS = tuple(c for c in CALLERS if c in ("anonymous", "walidata_kaltim", "produsen_diskominfo"))
FULL_COVERAGE = {"/api/v1/openapi.json": "superadmin", "/api/3/openapi.json": "anonymous"}


def _fuzz(app, tokens, schema_path: str, callers) -> list[runner.Result]:
    long_run = "ETAM_FUZZ_EXAMPLES" in os.environ
    results = []
    for caller in callers:
        headers = {} if caller == "anonymous" else {"Authorization": f"Bearer {tokens[caller]}"}
        result = runner.run(
            app,
            schema_path,
            f"{schema_path} as {caller}",
            headers,
            coverage=long_run or FULL_COVERAGE[schema_path] == caller,
        )
        print(result.summary(), flush=True)  # the figures CI shows
        results.append(result)
    return results


def test_api_v1_and_ckan_actions(wsgi_app, fuzz_tokens, capsys):
    # One test, one demo load: both documents against the same seeded database.
    with capsys.disabled():
        v1 = _fuzz(wsgi_app, fuzz_tokens, "/api/v1/openapi.json", CALLERS)
        ckan = _fuzz(wsgi_app, fuzz_tokens, "/api/3/openapi.json", CKAN_CALLERS or ("anonymous",))
    assert all(r.operations > 40 for r in v1)
    assert all(r.operations == 21 for r in ckan)  # 11 reads, 8 writes and 2 read extensions (issue 14)
    failed = [r for r in (*v1, *ckan) if r.per_check or r.errors]
    assert not failed, "\n".join(r.details() for r in failed)
