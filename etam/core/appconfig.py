"""The app skeleton's ``AppConfig.ready`` (docs/architecture.md, "The app skeleton").

A domain app subclasses :class:`ModuleConfig` and names what differs; ``ready`` then does, in
this order: register ``<app>.permissions.ROLE_PERMISSIONS``; register ``<app>.demo.load`` as the
demo loader when ``demo_order`` is set; call ``register()`` (menu entries, own registries,
periodic jobs: the app's own hook); and, for every app named in ``seams`` that is installed, call
``<app>.feeds.register_with_<other>()``. The modules are the subclass's own, found by its
``name``, so core imports no domain module.

Subclass it as ``appconfig.ModuleConfig`` (import the module, not the class): Django takes
the one ``AppConfig`` subclass an ``apps.py`` holds as the app's config, and an imported
``ModuleConfig`` would be a second one.
"""

from __future__ import annotations

from importlib import import_module
from typing import ClassVar

from django.apps import AppConfig, apps


class ModuleConfig(AppConfig):
    demo_order: ClassVar[int | None] = None
    # Other apps (labels under etam.) this one registers feeds with, when they are installed.
    seams: ClassVar[tuple[str, ...]] = ()

    def ready(self) -> None:
        # Imported here: apps.py modules load before the models (core.permissions imports them).
        from etam.core.demo_registry import register_demo_loader
        from etam.core.permissions import register_role_permissions

        register_role_permissions(import_module(f"{self.name}.permissions").ROLE_PERMISSIONS)
        if self.demo_order is not None:
            register_demo_loader(self.label, import_module(f"{self.name}.demo").load, order=self.demo_order)
        self.register()
        feeds = import_module(f"{self.name}.feeds")
        for other in self.seams:
            if apps.is_installed(f"etam.{other}"):
                getattr(feeds, f"register_with_{other}")()

    def register(self) -> None:
        """The app's own registrations (menus, registries, periodic jobs)."""
