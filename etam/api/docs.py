"""The API docs page: Swagger UI from the copy django-ninja ships (served by us, no CDN),
its online validator switched off (it would call validator.swagger.io), and a
server-rendered list of the endpoints for readers without JavaScript."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


class LocalDocs(Swagger):
    template = "api/docs.html"

    def __init__(self) -> None:
        super().__init__(settings={"validatorUrl": None, "tryItOutEnabled": False})

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        schema = api.get_openapi_schema(path_params=kwargs)
        operations = [
            {
                "method": method.upper(),
                "path": path,
                "summary": operation.get("summary", ""),
                "tags": ", ".join(operation.get("tags", [])),
            }
            for path, item in sorted(schema.get("paths", {}).items())
            for method, operation in item.items()
            if method in HTTP_METHODS
        ]
        context = {
            "api": api,
            "swagger_settings": json.dumps(self.settings),
            "openapi_url": self.settings["url"],
            "operations": operations,
        }
        return render(request, self.template, context)
