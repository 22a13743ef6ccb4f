"""Fold the per-OPD PostgreSQL sequences (``eservices_tn_<inst>_<opd>_<year>``, ADR 0059)
into their ``TrackingCounter`` rows and drop them: numbering now takes every number from
the counter row on both databases (ADR 0093), so the row must start after the last number
a sequence handed out. SQLite never had the sequences: nothing to do there."""

from django.db import migrations


def fold_sequences(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    counter = apps.get_model("eservices", "TrackingCounter")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'S' AND n.nspname = current_schema() AND c.relname LIKE 'eservices\\_tn\\_%%'"
        )
        names = [row[0] for row in cursor.fetchall()]
        for name in names:
            parts = name.split("_")[2:]
            if len(parts) != 3 or not all(p.isdigit() for p in parts):
                continue
            institution_id, agency_id, year = (int(p) for p in parts)
            cursor.execute(f'SELECT last_value, is_called FROM "{name}"')  # noqa: S608 (a catalogue name)
            last_value, is_called = cursor.fetchone()
            issued = int(last_value) if is_called else int(last_value) - 1
            row, _created = counter.objects.get_or_create(
                institution_id=institution_id, agency_id=agency_id, year=year, defaults={"value": 0}
            )
            if issued > row.value:
                counter.objects.filter(pk=row.pk).update(value=issued)
            cursor.execute(f'DROP SEQUENCE "{name}"')


class Migration(migrations.Migration):
    dependencies = [("eservices", "0003_signing")]

    operations = [migrations.RunPython(fold_sequences, migrations.RunPython.noop)]
