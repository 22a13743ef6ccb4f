"""Indonesian national holidays and cuti bersama 2025–2026 (SKB 3 Menteri), loaded as
editable reference data (``Holiday``; staff correct them in the admin).

TO BE VERIFIED: these dates were entered from the published SKB announcements as recalled
when this file was written, without the decree text at hand; every row is loaded with
``verified=False`` until someone checks it against the SKB (and its revisions) and ticks
"verified". Moving religious holidays (Islamic calendar, Nyepi, Waisak, Imlek) are the
most likely to need correction.
"""

from __future__ import annotations

from typing import Any

SOURCE_2025 = "SKB 3 Menteri 2025 (libur nasional & cuti bersama) — perlu diverifikasi"
SOURCE_2026 = "SKB 3 Menteri 2026 (libur nasional & cuti bersama) — perlu diverifikasi"

NATIONAL = "libur_nasional"
LEAVE = "cuti_bersama"

HOLIDAYS: list[tuple[str, str, str, str]] = [
    # 2025
    ("2025-01-01", "Tahun Baru 2025 Masehi", NATIONAL, SOURCE_2025),
    ("2025-01-27", "Isra Mikraj Nabi Muhammad SAW", NATIONAL, SOURCE_2025),
    ("2025-01-28", "Cuti bersama Tahun Baru Imlek", LEAVE, SOURCE_2025),
    ("2025-01-29", "Tahun Baru Imlek 2576 Kongzili", NATIONAL, SOURCE_2025),
    ("2025-03-28", "Cuti bersama Hari Suci Nyepi", LEAVE, SOURCE_2025),
    ("2025-03-29", "Hari Suci Nyepi Tahun Baru Saka 1947", NATIONAL, SOURCE_2025),
    ("2025-03-31", "Idulfitri 1446 H", NATIONAL, SOURCE_2025),
    ("2025-04-01", "Idulfitri 1446 H", NATIONAL, SOURCE_2025),
    ("2025-04-02", "Cuti bersama Idulfitri", LEAVE, SOURCE_2025),
    ("2025-04-03", "Cuti bersama Idulfitri", LEAVE, SOURCE_2025),
    ("2025-04-04", "Cuti bersama Idulfitri", LEAVE, SOURCE_2025),
    ("2025-04-07", "Cuti bersama Idulfitri", LEAVE, SOURCE_2025),
    ("2025-04-18", "Wafat Yesus Kristus", NATIONAL, SOURCE_2025),
    ("2025-04-20", "Kebangkitan Yesus Kristus (Paskah)", NATIONAL, SOURCE_2025),
    ("2025-05-01", "Hari Buruh Internasional", NATIONAL, SOURCE_2025),
    ("2025-05-12", "Hari Raya Waisak 2569 BE", NATIONAL, SOURCE_2025),
    ("2025-05-13", "Cuti bersama Hari Raya Waisak", LEAVE, SOURCE_2025),
    ("2025-05-29", "Kenaikan Yesus Kristus", NATIONAL, SOURCE_2025),
    ("2025-05-30", "Cuti bersama Kenaikan Yesus Kristus", LEAVE, SOURCE_2025),
    ("2025-06-01", "Hari Lahir Pancasila", NATIONAL, SOURCE_2025),
    ("2025-06-06", "Iduladha 1446 H", NATIONAL, SOURCE_2025),
    ("2025-06-09", "Cuti bersama Iduladha", LEAVE, SOURCE_2025),
    ("2025-06-27", "Tahun Baru Islam 1447 H", NATIONAL, SOURCE_2025),
    ("2025-08-17", "Hari Kemerdekaan Republik Indonesia", NATIONAL, SOURCE_2025),
    ("2025-08-18", "Cuti bersama HUT RI ke-80", LEAVE, SOURCE_2025),
    ("2025-09-05", "Maulid Nabi Muhammad SAW", NATIONAL, SOURCE_2025),
    ("2025-12-25", "Hari Raya Natal", NATIONAL, SOURCE_2025),
    ("2025-12-26", "Cuti bersama Hari Raya Natal", LEAVE, SOURCE_2025),
    # 2026
    ("2026-01-01", "Tahun Baru 2026 Masehi", NATIONAL, SOURCE_2026),
    ("2026-01-16", "Isra Mikraj Nabi Muhammad SAW", NATIONAL, SOURCE_2026),
    ("2026-02-16", "Cuti bersama Tahun Baru Imlek", LEAVE, SOURCE_2026),
    ("2026-02-17", "Tahun Baru Imlek 2577 Kongzili", NATIONAL, SOURCE_2026),
    ("2026-03-18", "Cuti bersama Hari Suci Nyepi", LEAVE, SOURCE_2026),
    ("2026-03-19", "Hari Suci Nyepi Tahun Baru Saka 1948", NATIONAL, SOURCE_2026),
    ("2026-03-20", "Cuti bersama Idulfitri", LEAVE, SOURCE_2026),
    ("2026-03-21", "Idulfitri 1447 H", NATIONAL, SOURCE_2026),
    ("2026-03-22", "Idulfitri 1447 H", NATIONAL, SOURCE_2026),
    ("2026-03-23", "Cuti bersama Idulfitri", LEAVE, SOURCE_2026),
    ("2026-03-24", "Cuti bersama Idulfitri", LEAVE, SOURCE_2026),
    ("2026-04-03", "Wafat Yesus Kristus", NATIONAL, SOURCE_2026),
    ("2026-04-05", "Kebangkitan Yesus Kristus (Paskah)", NATIONAL, SOURCE_2026),
    ("2026-05-01", "Hari Buruh Internasional", NATIONAL, SOURCE_2026),
    ("2026-05-14", "Kenaikan Yesus Kristus", NATIONAL, SOURCE_2026),
    ("2026-05-15", "Cuti bersama Kenaikan Yesus Kristus", LEAVE, SOURCE_2026),
    ("2026-05-27", "Iduladha 1447 H", NATIONAL, SOURCE_2026),
    ("2026-05-28", "Cuti bersama Iduladha", LEAVE, SOURCE_2026),
    ("2026-05-31", "Hari Raya Waisak 2570 BE", NATIONAL, SOURCE_2026),
    ("2026-06-01", "Hari Lahir Pancasila", NATIONAL, SOURCE_2026),
    ("2026-06-16", "Tahun Baru Islam 1448 H", NATIONAL, SOURCE_2026),
    ("2026-08-17", "Hari Kemerdekaan Republik Indonesia", NATIONAL, SOURCE_2026),
    ("2026-08-25", "Maulid Nabi Muhammad SAW", NATIONAL, SOURCE_2026),
    ("2026-12-24", "Cuti bersama Hari Raya Natal", LEAVE, SOURCE_2026),
    ("2026-12-25", "Hari Raya Natal", NATIONAL, SOURCE_2026),
]


def load(holiday_model: Any) -> int:
    """Insert the rows that are missing (never overwrites an edited row)."""
    import datetime as dt

    created = 0
    for day, name, kind, source in HOLIDAYS:
        _obj, was_created = holiday_model.objects.get_or_create(
            date=dt.date.fromisoformat(day), defaults={"name": name, "kind": kind, "source": source, "verified": False}
        )
        created += int(was_created)
    return created
