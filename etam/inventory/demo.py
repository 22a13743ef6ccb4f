"""Demo content for the inventory (filled in below)."""

from __future__ import annotations

from collections.abc import Callable


def load(write: Callable[[str], None]) -> None:
    write("inventory: demo content not loaded yet")
