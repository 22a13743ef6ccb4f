"""Demo content of the governance module (order 70): filled in below."""

from __future__ import annotations

from collections.abc import Callable


def load(log: Callable[[str], None]) -> None:
    log("governance: nothing yet")
