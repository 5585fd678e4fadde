"""Create the group of the ``inspector`` role (SPEC §17). The name is binding."""

from django.db import migrations


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="inspector")


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="inspector", user__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_bank_details")]

    operations = [migrations.RunPython(create_group, remove_group)]
