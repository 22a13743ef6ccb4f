"""Proposing a data dictionary from a sample: type and rules by majority (ADR 0120).

A new producer uploads with the proposed dictionary, so the proposal decides what an
upload checked "with default settings" finds. A proposal by unanimity (every sampled
value a number) turns a column of numbers with one word in it into a text column and the
word is never reported; a proposal by majority reports it:

- a column where at least ``MAJORITY`` (95%) of the non-empty sampled values are numbers
  (or dates, years, yes/no words, or kode wilayah found in the reference table) is
  proposed as that type, and the other cells are reported by the validation;
- a column filled in at least ``REQUIRED_FILL`` (98%) of the sampled rows is proposed as
  required, so its blanks are reported.

Every proposed rule carries a note saying why ("97% of the sampled values are numbers");
the validator appends it to the cells it reports under that rule, and the report lists
the inferred rules. The producer can change every type and rule in the data dictionary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import IO

from django.utils.translation import gettext as _

from etam.opendata.reading import (
    BOOL_WORDS,
    DATE_FORMATS,
    NPSN_RE,
    NUMBER_STYLES,
    REGION_RE,
    Column,
    Dialect,
    Sample,
    sample_file,
)

MAJORITY = 0.95
REQUIRED_FILL = 0.98
# A column named like a code (kode_*, kd_*, *wilayah*) is checked against the region table when
# this share of it has the shape of a kode wilayah (the first version's rule, kept).
CODE_REGION_SHARE = 0.8

# Column names that hold codes, not quantities: kode_wilayah, kode_kec, kd_desa, id_sekolah, nik...
CODE_NAME_RE = re.compile(r"(^|[_\s])(kode|kd|code|id|nik|nip|npsn|nomor|no)([_\s]|$)|wilayah")


def share_text(count: int, total: int) -> str:
    """``count / total`` as an Indonesian percentage: "97%", "97,5%"."""
    share = 100 * count / total if total else 0.0
    text = f"{share:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + "%"


def _count(values: list[str], pattern: str) -> int:
    regex = re.compile(pattern)
    return sum(1 for v in values if regex.match(v))


def _most(count: int, total: int, threshold: float = MAJORITY) -> bool:
    return total > 0 and count >= threshold * total


def _type_note(count: int, total: int, kind: str) -> str:
    return _("inferred: %(share)s of the sampled values are %(kind)s") % {
        "share": share_text(count, total),
        "kind": kind,
    }


def _region(column: Column, values: list[str], codes: frozenset[str]) -> bool:
    """Kode wilayah: most values are in the reference table (or, without a table, most have
    the shape of one in a column named like a region code)."""
    lowered = column.name.lower()
    total = len(values)
    if codes:
        found = sum(1 for v in values if v in codes)
        if _most(found, total):
            column.reference = "kode_wilayah"
            column.inferred["reference"] = _type_note(found, total, _("region codes in the Kemendagri table"))
            return True
    shaped = _count(values, REGION_RE)
    if "wilayah" in lowered and _most(shaped, total):
        column.reference = "kode_wilayah"
        column.inferred["reference"] = _type_note(shaped, total, _("shaped like a region code"))
        return True
    if not codes and _most(shaped, total) and any("." in v for v in values):
        column.reference = "kode_wilayah"
        column.inferred["reference"] = _type_note(shaped, total, _("shaped like a region code"))
        return True
    return False


def _numbers(column: Column, values: list[str], delimiter: str) -> bool:
    total = len(values)
    styles = ["plain", "id", "intl"]
    if delimiter != "," and any("," in v for v in values):
        # With ; or tab separators a comma is a decimal comma (Indonesian/European Excel).
        styles = ["id", "plain", "intl"]
    for style in styles:
        whole, decimal = _count(values, NUMBER_STYLES[style][0]), _count(values, NUMBER_STYLES[style][1])
        if _most(whole, total) and whole == decimal:
            column.type, column.number_format = "integer", style
            column.inferred["type"] = _type_note(whole, total, _("whole numbers"))
            return True
    for style in styles:
        decimal = _count(values, NUMBER_STYLES[style][1])
        if _most(decimal, total):
            column.type, column.number_format = "number", style
            column.inferred["type"] = _type_note(decimal, total, _("numbers"))
            return True
    return False


def _other_types(column: Column, values: list[str]) -> None:
    total = len(values)
    lowered = [v.lower() for v in values]
    words = sum(1 for v in lowered if v in BOOL_WORDS)
    if _most(words, total) and not {v for v in lowered if v in BOOL_WORDS} <= {"t", "f", "y", "n"}:
        column.type = "boolean"
        column.inferred["type"] = _type_note(words, total, _("yes/no words"))
        return
    for fmt, pattern in DATE_FORMATS.items():
        # The shape only: a date that does not exist (31 April) is reported as such.
        shaped = _count(values, pattern)
        if _most(shaped, total):
            column.type, column.date_format = "date", fmt
            column.inferred["type"] = _type_note(shaped, total, _("dates"))
            return


def _propose_type(column: Column, values: list[str], delimiter: str, codes: frozenset[str]) -> None:
    lowered = column.name.lower()
    total = len(values)
    if _region(column, values, codes):
        return
    if "npsn" in lowered and _most(_count(values, NPSN_RE), total):
        column.reference = "npsn"
        column.inferred["reference"] = _type_note(_count(values, NPSN_RE), total, _("8-digit NPSN"))
        return
    if CODE_NAME_RE.search(lowered):
        # A code column stays text, never a number ("64.7" is not 64,7). When most of it (80%)
        # looks like kode wilayah, the reference check reports the rest by row.
        shaped = _count(values, REGION_RE)
        if _most(shaped, total, CODE_REGION_SHARE) and ("wilayah" in lowered or any("." in v for v in values)):
            column.reference = "kode_wilayah"
            column.inferred["reference"] = _type_note(shaped, total, _("shaped like a region code"))
        return
    if "tahun" in lowered or "year" in lowered:
        years = _count(values, r"^\d{4}$")
        if _most(years, total):
            column.type = "year"
            column.inferred["type"] = _type_note(years, total, _("four-digit years"))
            return
    # Leading zeros: a code or a phone number, not a number (a date may have them).
    leading_zero = any(len(v) > 1 and v[0] == "0" and v[1].isdigit() for v in values)
    if not leading_zero and _numbers(column, values, delimiter):
        return
    _other_types(column, values)


def infer_column(
    name: str, values: list[str], delimiter: str = ",", *, rows: int | None = None, region_codes: Iterable[str] = ()
) -> Column:
    """Propose a type and rules for a column from its sampled non-empty ``values`` out of
    ``rows`` sampled rows; the uploader confirms or corrects them."""
    column = Column(name=name)
    if not values:
        return column
    codes = region_codes if isinstance(region_codes, frozenset) else frozenset(region_codes)
    _propose_type(column, values, delimiter, codes)
    rows = len(values) if rows is None else rows
    if _most(len(values), rows, REQUIRED_FILL):
        column.required = True
        column.inferred["required"] = _("inferred: %(share)s of the sampled rows fill this column") % {
            "share": share_text(len(values), rows)
        }
    return column


def infer_sample(sample: Sample, delimiter: str = ",", *, region_codes: Iterable[str] = ()) -> list[Column]:
    codes = frozenset(region_codes)
    return [
        infer_column(name, sample.values[name], delimiter, rows=sample.rows, region_codes=codes)
        for name in sample.header
    ]


def infer_schema(raw: IO[bytes], dialect: Dialect, *, region_codes: Iterable[str] = ()) -> list[Column]:
    return infer_sample(sample_file(raw, dialect), dialect.delimiter, region_codes=region_codes)


def mark_inferred(columns: list[Column], proposal: list[Column]) -> None:
    """Carry the notes of ``proposal`` over to the dictionary's ``columns`` wherever the
    dictionary still says what the inference proposed (the producer kept the rule)."""
    proposed = {c.name: c for c in proposal}
    for column in columns:
        guess = proposed.get(column.name)
        if guess is None:
            continue
        notes: dict[str, str] = {}
        if "type" in guess.inferred and (column.type, column.number_format, column.date_format) == (
            guess.type,
            guess.number_format,
            guess.date_format,
        ):
            notes["type"] = guess.inferred["type"]
        if "reference" in guess.inferred and column.reference == guess.reference:
            notes["reference"] = guess.inferred["reference"]
        if "required" in guess.inferred and column.required:
            notes["required"] = guess.inferred["required"]
        column.inferred = notes
