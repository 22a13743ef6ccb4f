"""Every domain app follows the app skeleton (docs/architecture.md, "The app skeleton"):
its config is a ``core.appconfig.ModuleConfig`` (Django really uses it), it has
``permissions.py`` (names + ROLE_PERMISSIONS, registered) and ``feeds.py``."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from etam.core import appconfig
from etam.core.permissions import role_permissions

DOMAIN_APPS = ("eservices", "opendata", "evaluation", "inventory", "offline", "interop", "governance", "quality")


@pytest.mark.parametrize("label", DOMAIN_APPS)
def test_the_domain_app_has_the_skeleton(label):
    config = apps.get_app_config(label)
    assert isinstance(config, appconfig.ModuleConfig)
    assert type(config).__module__ == f"etam.{label}.apps"  # not Django's fallback AppConfig
    permissions = importlib.import_module(f"etam.{label}.permissions")
    assert permissions.ROLE_PERMISSIONS
    for role, perms in permissions.ROLE_PERMISSIONS.items():
        assert set(perms) <= role_permissions(str(role)), (label, role)
    feeds = importlib.import_module(f"etam.{label}.feeds")
    for other in config.seams:
        assert callable(getattr(feeds, f"register_with_{other}"))


def test_old_permission_import_paths_still_work():
    from etam.eservices import permissions as eservices_permissions
    from etam.eservices import services as eservices_services
    from etam.offline import permissions as offline_permissions
    from etam.offline import services as offline_services

    assert eservices_services.PERM_PROCESS == eservices_permissions.PERM_PROCESS
    assert eservices_services.ROLE_PERMISSIONS is eservices_permissions.ROLE_PERMISSIONS
    assert offline_services.PERM_ASSIST == offline_permissions.PERM_ASSIST
    assert offline_services.ROLE_PERMISSIONS is offline_permissions.ROLE_PERMISSIONS
