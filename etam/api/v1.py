"""Assembly of the JSON API under /api/v1/ (Django Ninja; docs/adr/0001-api-framework.md).

Each module mounts its router with ONE line at the end of this file, e.g.
``api.add_router("/evaluation/", "etam.evaluation.api.router")``. Errors use the common
envelope (etam.api.errors); after changing the API run ``make openapi`` and commit
docs/api/openapi.json.
"""

from typing import Any

from ninja import NinjaAPI

from etam.api import errors
from etam.api.docs import LocalDocs
from etam.api.throttling import CallerRateThrottle


class EtamAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Every operation documents every error status the API answers (ADR 0080)."""
        return errors.document_errors(super().get_openapi_schema(*args, **kwargs))


api = EtamAPI(
    title="Etam API",
    version="1",
    description="JSON API of Etam, the SPBE platform of Pemerintah Provinsi Kalimantan Timur.",
    urls_namespace="api-v1",
    docs=LocalDocs(),
    throttle=[CallerRateThrottle()],
)
errors.install(api)

api.add_router("/", "etam.api.account.router")
api.add_router("/", "etam.api.audit.router")
api.add_router("/evaluation/", "etam.evaluation.api.router")
api.add_router("/datasets/", "etam.opendata.api.router")
api.add_router("/", "etam.eservices.api.router")
api.add_router("/offline/", "etam.offline.api.router")
api.add_router("/inventory/", "etam.inventory.api.router")
api.add_router("/", "etam.api.organisations.router")
api.add_router("/interop/", "etam.interop.api.router")
api.add_router("/governance/", "etam.governance.api.router")
api.add_router("/skm/", "etam.quality.api.router")
