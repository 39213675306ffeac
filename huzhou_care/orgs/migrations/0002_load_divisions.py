"""Load Huzhou's city, counties and townships from the committed data file."""

from django.db import migrations


def forwards(apps, schema_editor):
    from huzhou_care.orgs.divisions import load_divisions, read_divisions

    load_divisions(apps.get_model("orgs", "OrgUnit"), read_divisions())


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
