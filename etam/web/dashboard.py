"""Widgets on the staff dashboard (/staf/), contributed by the modules.

A module registers a widget from its ``AppConfig.ready``::

    from etam.web.dashboard import register_widget
    register_widget(
        "eservices.inbox",
        title=_("Applications waiting"),
        template="eservices/widgets/inbox.html",
        context=inbox_widget_context,   # (request) -> dict, or None to hide the widget
        permission="eservices.handle_application",
        order=20,
    )

The widget is shown only to users who hold ``permission`` somewhere (any scope); its
context function must itself read through the module's scoped selectors, since the
permission check here is not scope-aware.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import NoReverseMatch
from django.utils.functional import Promise
from django.utils.safestring import SafeString

logger = logging.getLogger(__name__)

ContextFunction = Callable[[HttpRequest], dict[str, Any] | None]


@dataclass(frozen=True)
class Widget:
    key: str
    title: str | Promise
    template: str
    context: ContextFunction | None = None
    permission: str | None = None
    order: int = 100


@dataclass(frozen=True)
class RenderedWidget:
    key: str
    title: str | Promise
    html: SafeString


_WIDGETS: dict[str, Widget] = {}


def register_widget(
    key: str,
    *,
    title: str | Promise,
    template: str,
    context: ContextFunction | None = None,
    permission: str | None = None,
    order: int = 100,
) -> None:
    """Add (or replace, by ``key``) a dashboard widget."""
    _WIDGETS[key] = Widget(key=key, title=title, template=template, context=context, permission=permission, order=order)


def unregister_widget(key: str) -> None:
    _WIDGETS.pop(key, None)


def registered_widgets() -> list[Widget]:
    return sorted(_WIDGETS.values(), key=lambda w: (w.order, w.key))


def widgets_for(request: HttpRequest) -> list[RenderedWidget]:
    """The widgets ``request.user`` may see, rendered. A context function returning
    ``None`` hides its widget (nothing to show). A widget linking to URLs that are not
    mounted (its module's ``urls.py`` is missing from ``config/urls.py``) is left out
    and logged, like a menu entry that does not resolve, instead of failing the whole
    dashboard for every module."""
    from etam.core.permissions import has_perm

    rendered = []
    for widget in registered_widgets():
        if widget.permission is not None and not has_perm(request.user, widget.permission):
            continue
        context: dict[str, Any] = {}
        if widget.context is not None:
            produced = widget.context(request)
            if produced is None:
                continue
            context = produced
        try:
            html = render_to_string(widget.template, {**context, "widget": widget}, request=request)
        except NoReverseMatch:
            logger.exception("dashboard widget %s links to a URL that is not mounted; left out", widget.key)
            continue
        rendered.append(RenderedWidget(key=widget.key, title=widget.title, html=SafeString(html)))
    return rendered
