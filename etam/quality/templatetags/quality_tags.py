from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """``values|get_item:name`` (the form's value or message for a field named at run time)."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def get_item_index(sequence: Any, index: int) -> Any:
    try:
        return sequence[index]
    except (IndexError, TypeError):
        return ""
