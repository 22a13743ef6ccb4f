# Seed the national Aplikasi Umum reference list (editable afterwards).

from django.db import migrations


def seed(apps, schema_editor):
    from etam.inventory.national_seed import NATIONAL_APPLICATIONS

    NationalApplication = apps.get_model("inventory", "NationalApplication")
    for row in NATIONAL_APPLICATIONS:
        NationalApplication.objects.get_or_create(code=row["code"], defaults={k: v for k, v in row.items() if k != "code"})


def unseed(apps, schema_editor):
    from etam.inventory.national_seed import NATIONAL_APPLICATIONS

    NationalApplication = apps.get_model("inventory", "NationalApplication")
    NationalApplication.objects.filter(
        code__in=[row["code"] for row in NATIONAL_APPLICATIONS], instances__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
