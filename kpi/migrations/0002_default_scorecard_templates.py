from django.db import migrations


def create_templates(apps, schema_editor):
    from kpi.scorecard_defaults import ensure_default_templates

    ensure_default_templates(apps)


class Migration(migrations.Migration):
    dependencies = [("kpi", "0001_initial")]

    operations = [migrations.RunPython(create_templates, migrations.RunPython.noop)]
