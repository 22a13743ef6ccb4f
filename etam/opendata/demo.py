"""Demo content for Satu Data (filled in below)."""

from __future__ import annotations

from collections.abc import Callable


def load(write: Callable[[str], None]) -> None:
    return None
