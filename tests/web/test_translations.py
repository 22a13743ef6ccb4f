"""Every wrapped string has an Indonesian translation.

Catalogues: each app keeps its own (``etam/<app>/locale/id/LC_MESSAGES/django.po``) for
the strings under its directory; the shell's catalogue ``etam/locale`` covers
``etam/templates``, ``etam/web`` and ``config``.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

ETAM = Path(settings.BASE_DIR) / "etam"
SHELL_LOCALE = ETAM / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\w*\}")
NOT_SOURCE = shutil.ignore_patterns("locale", "__pycache__", "data", "static", "migrations", "*.mo", "*.po")


@dataclass(frozen=True)
class Unit:
    name: str
    catalogue: Path
    sources: tuple[Path, ...]


def catalogues() -> list[Path]:
    return sorted(ETAM.glob("**/locale/id/LC_MESSAGES/django.po"))


def units() -> list[Unit]:
    """Each app owns the strings under its directory; the shell catalogue owns the rest."""
    apps = sorted(p for p in ETAM.iterdir() if (p / "apps.py").exists() and p.name != "web")
    found = [Unit(app.name, app / "locale" / "id" / "LC_MESSAGES" / "django.po", (app,)) for app in apps]
    shell_sources = (ETAM / "templates", ETAM / "web", Path(settings.BASE_DIR) / "config")
    found.append(Unit("shell", SHELL_LOCALE / "id" / "LC_MESSAGES" / "django.po", shell_sources))
    return found


def keys(po: polib.POFile) -> set[tuple[str, str]]:
    return {(entry.msgctxt or "", entry.msgid) for entry in po if entry.msgid and not entry.obsolete}


@pytest.mark.parametrize("path", catalogues(), ids=lambda p: str(p.relative_to(ETAM)))
def test_every_entry_is_translated(path):
    po = polib.pofile(str(path))
    problems = []
    for entry in po:
        if entry.obsolete:
            continue
        where = f"{entry.msgid[:60]!r}"
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {where}")
        if entry.msgid_plural:
            if not entry.msgstr_plural or not all(v.strip() for v in entry.msgstr_plural.values()):
                problems.append(f"plural not translated: {where}")
            continue
        if not entry.msgstr.strip():
            problems.append(f"not translated: {where}")
        elif sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(entry.msgstr)):
            problems.append(f"placeholders differ: {where}")
    assert not problems, "\n".join(problems)


def test_shell_catalogue_exists():
    assert (SHELL_LOCALE / "id" / "LC_MESSAGES" / "django.po").exists()


def missing_strings(sources: tuple[Path, ...], catalogue: Path, work: Path) -> list[tuple[str, str]]:
    """(msgctxt, msgid) that ``makemessages -l id`` extracts from ``sources`` but ``catalogue`` lacks."""
    work.mkdir()
    for source in sources:
        if source.exists():
            shutil.copytree(source, work / source.name, ignore=NOT_SOURCE)
    (work / "locale").mkdir()
    previous = Path.cwd()
    os.chdir(work)
    try:
        # LOCALE_PATHS emptied so that makemessages writes only into the temporary copy.
        with override_settings(LOCALE_PATHS=[]):
            call_command("makemessages", locale=["id"], verbosity=0, no_location=True, no_obsolete=True)
    finally:
        os.chdir(previous)
    extracted_path = work / "locale" / "id" / "LC_MESSAGES" / "django.po"
    extracted = keys(polib.pofile(str(extracted_path))) if extracted_path.exists() else set()
    have = keys(polib.pofile(str(catalogue))) if catalogue.exists() else set()
    return sorted(extracted - have)


needs_gettext = pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")


@needs_gettext
@pytest.mark.parametrize("unit", units(), ids=lambda u: u.name)
def test_every_wrapped_string_is_in_its_catalogue(unit, tmp_path):
    missing = missing_strings(unit.sources, unit.catalogue, tmp_path / "src")
    assert not missing, (
        f"{len(missing)} string(s) missing from {unit.catalogue.relative_to(ETAM.parent)}:\n"
        + "\n".join(f"  msgctxt={ctx!r} msgid={msgid!r}" if ctx else f"  msgid={msgid!r}" for ctx, msgid in missing)
    )


@needs_gettext
def test_the_extraction_check_finds_a_missing_string(tmp_path):
    app = tmp_path / "contoh"
    (app / "templates").mkdir(parents=True)
    (app / "views.py").write_text(
        "from django.utils.translation import gettext as _, pgettext\n"
        "A = _('Already translated')\nB = _('Forgotten in code')\nC = pgettext('menu', 'Open')\n"
    )
    (app / "templates" / "x.html").write_text(
        '{% load i18n %}{% translate "Forgotten in a template" %}'
        "{% blocktranslate %}Hi {{ name }}{% endblocktranslate %}"
    )
    catalogue = tmp_path / "django.po"
    catalogue.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Already translated"\nmsgstr "Sudah diterjemahkan"\n\n'
        'msgid "Open"\nmsgstr "Buka"\n'
    )
    assert missing_strings((app,), catalogue, tmp_path / "work") == [
        ("", "Forgotten in a template"),
        ("", "Forgotten in code"),
        ("", "Hi %(name)s"),
        ("menu", "Open"),  # same msgid without the context does not count
    ]


def _effective(entry: polib.POEntry) -> str:
    from django.utils import translation

    with translation.override("id"):
        if entry.msgid_plural:
            return (
                translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
                if entry.msgctxt
                else (translation.ngettext(entry.msgid, entry.msgid_plural, 1))
            )
        if entry.msgctxt:
            return translation.pgettext(entry.msgctxt, entry.msgid)
        return translation.gettext(entry.msgid)


def _ours(entry: polib.POEntry) -> str:
    return entry.msgstr_plural[0] if entry.msgid_plural else entry.msgstr


def test_no_catalogue_outside_etam_shadows_our_translations():
    """Django's own catalogues come first for apps listed before ours in INSTALLED_APPS
    (found in QA: django.contrib.admin translates "Filter" as "Filter", so the audit
    viewer's button stayed English). Every Etam msgid must come out as Etam translates it;
    where Django disagrees, the shell catalogue (LOCALE_PATHS, highest priority) overrides.
    Two Etam catalogues disagreeing is reported separately below."""
    call_command("compile_translations", verbosity=0)
    from django.utils.translation import trans_real

    trans_real._translations = {}  # reload the catalogues just compiled
    ours: dict[tuple[str, str], set[str]] = {}
    entries = []
    for path in catalogues():
        for entry in polib.pofile(str(path)):
            if entry.msgid and not entry.obsolete and _ours(entry).strip():
                ours.setdefault((entry.msgctxt or "", entry.msgid), set()).add(_ours(entry))
                entries.append((path, entry))
    shadowed = sorted(
        {
            f"{entry.msgid!r}: ours {_ours(entry)!r}, shown {_effective(entry)!r}"
            for path, entry in entries
            if _effective(entry) not in ours[(entry.msgctxt or "", entry.msgid)]
        }
    )
    assert not shadowed, "translated by a non-Etam catalogue:\n" + "\n".join(shadowed)
