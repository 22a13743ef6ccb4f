"""Seams to Satu Data and SPBE evaluation."""

from __future__ import annotations


def register_with_opendata() -> None:
    return None


def register_with_evaluation() -> None:
    return None
