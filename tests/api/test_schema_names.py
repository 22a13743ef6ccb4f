"""Every schema class the API uses has a name of its own.

Django Ninja keys the OpenAPI document's components by class name: two modules each defining a
``ServiceOut`` make one overwrite the other, and an endpoint is then documented (and fuzzed)
against the other's schema. Found when the interoperability node's ``ServiceOut`` replaced the
e-services catalogue's.
"""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema

from etam.api.v1 import api  # noqa: F401  (imports every router, so every schema class exists)


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def test_no_two_schema_classes_share_a_name():
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("etam."):
            by_name[cls.__name__].add(cls.__module__)
    clashes = {name: sorted(modules) for name, modules in by_name.items() if len(modules) > 1}
    assert clashes == {}
