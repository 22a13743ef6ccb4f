from __future__ import annotations

from typing import Any

from django import template

from etam.web.navigation import staff_entries_for
from etam.web.shell import MenuLink, menu_links

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_nav(context: dict[str, Any]) -> list[MenuLink]:
    """The staff menu entries the signed-in user may see (the views check again)."""
    request = context.get("request")
    if request is None:
        return []
    return menu_links(staff_entries_for(request.user), request.path)
