"""Recovery codes stored in clear (ADR 0006, before issue 10) are replaced by their keyed hash.

A code in clear is 8 base32 characters; a stored digest is 16 hex characters, so running this
again changes nothing. Not reversible: the clear codes are gone (people keep them on paper).
"""

from django.db import migrations


def hash_plain_codes(apps, schema_editor):
    from etam.core.services.recovery_codes import DIGEST_LENGTH, recovery_code_digest

    StaticToken = apps.get_model("otp_static", "StaticToken")
    for token in StaticToken.objects.all().only("id", "token").iterator():
        if len(token.token) != DIGEST_LENGTH:
            StaticToken.objects.filter(pk=token.pk).update(token=recovery_code_digest(token.token))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_auditevent_client_request_id"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(hash_plain_codes, migrations.RunPython.noop)]
