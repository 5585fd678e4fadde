"""The three checklist templates of SPEC §17 as data: 门店形象与陈列, 价格与窜货, 库存与物料. Price items (one per
product line) are added by admins, as product lines are theirs; the demo adds them for its lines."""

from django.db import migrations


def ship(apps, schema_editor):
    from inspections.texts import ensure_shipped_templates

    ensure_shipped_templates(apps)


def unship(apps, schema_editor):
    from inspections.texts import SHIPPED

    apps.get_model("inspections", "ChecklistTemplate").objects.filter(
        code__in=list(SHIPPED), inspections__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(ship, unship)]
