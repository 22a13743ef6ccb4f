"""Load version 1 of the PermenPANRB 5/2020 risk matrix and level bands from the shipped CSV
files (etam/governance/data/, docs/adr/0141). A later version is a new RiskScale row; risks keep
the version they were assessed on."""

from django.db import migrations


def load(apps, schema_editor):
    from etam.governance import riskmatrix

    riskmatrix.store(
        apps.get_model("governance", "RiskScale"),
        apps.get_model("governance", "RiskCell"),
        apps.get_model("governance", "RiskBand"),
    )


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
