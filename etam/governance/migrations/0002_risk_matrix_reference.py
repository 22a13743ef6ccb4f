"""Load version 1 of the PermenPANRB 5/2020 risk matrix and level bands from the shipped CSV
files (etam/governance/data/, docs/adr/0141). A later version is a new RiskScale row; risks keep
the version they were assessed on."""

from django.db import migrations


def load(apps, schema_editor):
    from etam.governance import riskmatrix

    RiskScale = apps.get_model("governance", "RiskScale")
    RiskCell = apps.get_model("governance", "RiskCell")
    RiskBand = apps.get_model("governance", "RiskBand")
    if RiskScale.objects.filter(code=riskmatrix.SCALE_CODE).exists():
        return
    cells = riskmatrix.read_matrix()
    bands = riskmatrix.read_bands()
    scale = RiskScale.objects.create(
        code=riskmatrix.SCALE_CODE,
        version=1,
        source="PermenPANRB 5/2020 as modelled by elisaimania/manajemen-risiko-spbe (manrisk.sql @ e0f6678e); "
        "data/SOURCES.md",
        is_current=True,
    )
    RiskCell.objects.bulk_create(
        RiskCell(scale=scale, likelihood=lk, impact=im, magnitude=m) for (lk, im), m in sorted(cells.items())
    )
    RiskBand.objects.bulk_create(
        RiskBand(scale=scale, level=b.level, name=b.name, low=b.low, high=b.high) for b in bands
    )


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
