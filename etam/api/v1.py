"""Assembly of the JSON API under /api/v1/ (Django Ninja; docs/adr/0001-api-framework.md)."""

from ninja import NinjaAPI

api = NinjaAPI(title="Etam API", version="1", urls_namespace="api-v1")
api.add_router("/datasets/", "etam.opendata.api.router")
