"""WCAG 2.1 AA contrast of the shell palette (the custom properties in critical.css)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

CSS = Path(settings.BASE_DIR) / "etam" / "templates" / "shell" / "critical.css"


def palette() -> dict[str, str]:
    root = re.search(r":root\{([^}]*)\}", CSS.read_text()).group(1)
    return dict(re.findall(r"--([\w-]+):(#[0-9a-fA-F]{6})", root))


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# (foreground, background, minimum): 4.5 for body text, 3 for UI components (1.4.11).
PAIRS = [
    ("ink", "bg", 4.5),
    ("ink", "card", 4.5),
    ("ink", "warn-bg", 4.5),
    ("muted", "bg", 4.5),
    ("muted", "card", 4.5),
    ("link", "bg", 4.5),
    ("link", "card", 4.5),
    ("brand-ink", "brand", 4.5),
    ("brand-ink", "brand-dark", 4.5),
    ("brand", "card", 4.5),  # .btn.alt text
    ("focus-ink", "focus", 4.5),  # focused link text
    ("err", "card", 4.5),
    ("err", "bg", 4.5),
    ("focus", "brand", 3.0),  # the yellow focus box against the header
    ("focus-ink", "card", 3.0),  # the focus ring's dark edge against the page
    ("focus", "brand-dark", 3.0),  # the focus ring's light edge against the footer
    ("muted", "card", 3.0),  # form field borders
]


@pytest.mark.parametrize("foreground, background, minimum", PAIRS)
def test_palette_pair_meets_wcag_aa(foreground, background, minimum):
    colours = palette()
    ratio = contrast(colours[foreground], colours[background])
    assert ratio >= minimum, f"{foreground} on {background}: {ratio:.2f}:1 < {minimum}:1"


def test_contrast_formula():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
