"""Demo content contributed by the modules, loaded by ``manage.py load_demo_content``.

Each module registers one idempotent loader from its ``AppConfig.ready``; loaders run in
``order`` (core organisations and users first), each inside its own transaction.
A loader receives a ``write`` callable for its progress lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoLoader:
    name: str
    load: Callable[[Callable[[str], None]], None]
    order: int = 100


DEMO_LOADERS: dict[str, DemoLoader] = {}


def register_demo_loader(name: str, load: Callable[[Callable[[str], None]], None], *, order: int = 100) -> None:
    DEMO_LOADERS[name] = DemoLoader(name=name, load=load, order=order)


def ordered_loaders() -> list[DemoLoader]:
    return sorted(DEMO_LOADERS.values(), key=lambda loader: (loader.order, loader.name))
