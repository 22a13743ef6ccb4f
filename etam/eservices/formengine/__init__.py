"""The form engine: reads a version's form JSON, validates a page of input, renders it back.

Plain server-side processing so every form works without JavaScript:

- HTML names: ``field``; address parts ``field__kabupaten_kota`` … ``field__jalan``;
  repeating groups ``group__<i>__child`` with ``group__count``.
- Answers (stored, JSON): text/email/phone/nik/date/choice → str, number → int/float,
  yes_no → bool, multi_choice → list, address → dict of codes, file → {file_id, name,
  size, type}, group → list of dicts. A field that is hidden by its condition or left
  empty has no key.
- Every error names the field and says what is expected, in Bahasa Indonesia (gettext).
  What was typed comes back as typed; a file input cannot be refilled by the browser,
  so its message asks to choose the file again.
"""

from __future__ import annotations

from etam.eservices.formengine.display import (
    BoundField,
    SummaryRow,
    bind_page,
    display_value,
    file_ids,
    first_of_type,
    holder_name,
    mask_nik,
    merge_protected,
    split_protected,
    summarise,
)
from etam.eservices.formengine.fields import (
    ADDRESS_LEVELS,
    FILE_SIGNATURES,
    NO,
    PROTECTED_TYPES,
    REGION_CACHE_SECONDS,
    SCHOOL_SOURCES,
    SEP,
    YES,
    FieldError,
    FileStore,
    check_nik,
    check_upload,
    clean_scalar,
    condition_holds,
    file_digest,
    forget_regions,
    human_size,
    region_index,
    region_options,
    source_choices,
    upload_hint,
    visible_pages,
)
from etam.eservices.formengine.pages import PageResult, distinct_problem, group_count, process_page, validate_all
from etam.eservices.formengine.rules import RULE_KINDS, check_rules, client_payload, page_payload, whole_form_payload
from etam.eservices.workflow import localise  # offline reaches it through formengine

__all__ = [
    "ADDRESS_LEVELS",
    "FILE_SIGNATURES",
    "NO",
    "PROTECTED_TYPES",
    "REGION_CACHE_SECONDS",
    "RULE_KINDS",
    "SCHOOL_SOURCES",
    "SEP",
    "YES",
    "BoundField",
    "FieldError",
    "FileStore",
    "PageResult",
    "SummaryRow",
    "bind_page",
    "check_nik",
    "check_rules",
    "check_upload",
    "clean_scalar",
    "client_payload",
    "condition_holds",
    "display_value",
    "distinct_problem",
    "file_digest",
    "file_ids",
    "first_of_type",
    "forget_regions",
    "group_count",
    "holder_name",
    "human_size",
    "localise",
    "mask_nik",
    "merge_protected",
    "page_payload",
    "process_page",
    "region_index",
    "region_options",
    "source_choices",
    "split_protected",
    "summarise",
    "upload_hint",
    "validate_all",
    "visible_pages",
    "whole_form_payload",
]
